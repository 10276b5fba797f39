/**
 * BlobStore on any S3 API — AWS S3, Cloudflare R2 through its S3 endpoint, MinIO, Backblaze B2 —
 * for the Node server (`MEDIA_URL=s3://bucket/prefix`).
 *
 * Built on the AWS SDK (`@aws-sdk/client-s3`): it speaks every S3 dialect these services accept
 * (SigV4, virtual-hosted or path-style addressing, retries with back-off, clock-skew correction,
 * XML errors, the whole credentials chain from keys to instance and task roles) and is kept up by
 * the service's owner. A hand-signed client (aws4fetch) would have been smaller, but every one of
 * those would then be ours to get right. The multipart upload itself is written here rather than
 * taken from `@aws-sdk/lib-storage`: the SHA-256 must be checked after the last byte and before
 * the upload is completed, and a failed body must fail with its own error (too large, wrong length,
 * wrong hash) even when the abort that follows fails too — lib-storage reports the abort's.
 *
 * How the port's promises are kept:
 * - Atomic: S3 makes an object visible only when its PutObject or CompleteMultipartUpload
 *   succeeds, so readers see the old object or the new one. A body that fits in one part
 *   (`partBytes`, 8 MiB: every DASH segment) is held in memory and sent with one PutObject.
 *   A longer one goes up in parts while it arrives, `partsInFlight` at a time, so memory stays
 *   bounded whatever the body's length.
 * - Nothing visible on failure: too large, short, long, broken or of the wrong hash, the body
 *   never completes an upload; a multipart upload is aborted (after its parts in flight settle,
 *   so none lands after the abort). Set a bucket lifecycle rule that removes incomplete multipart
 *   uploads after a day, for a process killed mid-upload.
 * - SHA-256: computed while the body streams, kept as object metadata (`x-amz-meta-sha256`).
 *   A multipart upload starts before the last byte, so when the caller gave no expected hash the
 *   object gets it by a copy onto itself after completion (guarded by its ETag). An object without
 *   the metadata (written by another tool) is hashed once when first described.
 * - Content types, byte ranges, list by prefix and batch delete (DeleteObjects, 1000 keys a call)
 *   map onto S3 directly. A ranged GET answered with more than was asked (the whole object, as
 *   some S3-compatible servers do) is trimmed to the range. Listing needs one HEAD per object S3
 *   lists (a listing carries no metadata), saved for objects this process has already described
 *   with the same ETag.
 * - Serving by redirect (`S3_SERVE=redirect`): the store then has `signedUrl`, presigned GETs.
 *
 * Node only (node:crypto, the SDK's Node HTTP client), like the fs adapter. The SDK is pinned at
 * 3.1169.0: its releases after the first week of January 2027 need Node 22 (it says so in a
 * warning at start on Node 20).
 * @module
 */
import { createHash } from 'node:crypto'
import {
  AbortMultipartUploadCommand,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import { consoleLogger, type Logger } from '../lib/log.ts'
import { BlobHashMismatchError, type BlobInfo, type BlobStore } from './blob-store.ts'
import { meteredChunks } from './body.ts'

/** Where and how to reach the S3 API. */
export interface S3Connection {
  region: string
  /** e.g. `https://<account>.r2.cloudflarestorage.com`, `http://minio:9000`; AWS when absent. */
  endpoint?: string
  /** `https://endpoint/bucket/key` rather than `https://bucket.endpoint/key` (MinIO, most self-hosted). */
  forcePathStyle?: boolean
  /** Static keys; without them the SDK's chain applies (environment, profile, instance or task role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }
}

export interface S3BlobStoreOptions {
  client: S3Client
  bucket: string
  /** Prepended to every key: `media/` keeps the store in one folder of a shared bucket. */
  prefix?: string
  /** Bytes a body may reach before it goes up as a multipart upload, and the size of each part. */
  partBytes?: number
  /** Parts of one upload sent at the same time. */
  partsInFlight?: number
  /**
   * Serve reads by redirect (`S3_SERVE=redirect`): `signedUrl` answers presigned GET URLs valid
   * this many seconds. Absent: the server streams every read itself.
   */
  redirect?: { expiresSeconds: number; client?: S3Client }
  /** Keys per listing page and per batch delete (S3 allows at most 1000). */
  pageSize?: number
  /** Where the store reports what it could not tidy up (the server's logger); the console otherwise. */
  log?: Logger
}

const DEFAULT_TYPE = 'application/octet-stream'
const DEFAULT_PART_BYTES = 8 * 1024 * 1024
/** S3 copies at most 5 GiB in one CopyObject. */
const MAX_COPY_BYTES = 5 * 1024 ** 3
const SHA256 = /^[0-9a-f]{64}$/
const DESCRIBED_ENTRIES = 20_000
const HEADS_IN_FLIGHT = 16

/** Everything the Node server's settings say about a bucket (see server/config.ts). */
export interface S3Settings extends S3Connection {
  bucket: string
  prefix: string
  /** `proxy`: the server streams every read; `redirect`: GETs go to presigned URLs. */
  serve: 'proxy' | 'redirect'
  presignSeconds: number
  /** Where browsers reach the bucket, when the server reaches it by another name. */
  publicEndpoint?: string
}

/** The store the settings describe. */
export function s3BlobStoreFrom(settings: S3Settings, log?: Logger): BlobStore {
  const { bucket, prefix, serve, presignSeconds, publicEndpoint, ...conn } = settings
  const client = s3Client(conn)
  const signer = publicEndpoint ? s3Client({ ...conn, endpoint: publicEndpoint }) : client
  return s3BlobStore({
    client,
    bucket,
    prefix,
    ...(serve === 'redirect' ? { redirect: { expiresSeconds: presignSeconds, client: signer } } : {}),
    ...(log ? { log } : {}),
  })
}

/**
 * An S3 client for any S3 API. Checksums are sent only where the API requires them: the SDK's
 * default (a CRC32 on every upload, as trailers of a chunked body) is refused by several S3-compatible
 * services, and the SHA-256 this store checks already covers the bytes.
 * @example const client = s3Client({ region: 'auto', endpoint: 'https://acct.r2.cloudflarestorage.com' })
 */
export function s3Client(conn: S3Connection): S3Client {
  const agent = { keepAlive: true, maxSockets: 256 }
  return new S3Client({
    region: conn.region,
    ...(conn.endpoint ? { endpoint: conn.endpoint } : {}),
    forcePathStyle: conn.forcePathStyle ?? false,
    ...(conn.credentials ? { credentials: conn.credentials } : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // Streaming segments through the server holds a socket per viewer's request. No idle timeout:
    // a viewer reading slowly pauses its stream from S3, which is not a dead connection.
    requestHandler: { httpAgent: agent, httpsAgent: agent, connectionTimeout: 10_000 },
  })
}

/**
 * @example const blobs = s3BlobStore({ client: s3Client({ region: 'us-east-1' }), bucket: 'media', prefix: 'adh/' })
 */
export function s3BlobStore(opts: S3BlobStoreOptions): BlobStore {
  const { client, bucket } = opts
  const log = opts.log ?? consoleLogger('warn')
  const base = opts.prefix ?? ''
  const partBytes = opts.partBytes ?? DEFAULT_PART_BYTES
  const partsInFlight = opts.partsInFlight ?? 2
  const pageSize = opts.pageSize ?? 1000
  // What this process knows of objects, valid while their ETag is the same.
  const described = new Map<string, { etag: string; info: BlobInfo }>()

  const full = (key: string) => {
    if (key.length === 0 || key.length + base.length > 1024) throw new TypeError(`Invalid blob key "${key}"`)
    return base + key
  }
  const remember = (info: BlobInfo, etag: string | undefined) => {
    described.delete(info.key)
    if (!etag) return
    described.set(info.key, { etag, info })
    if (described.size > DESCRIBED_ENTRIES) described.delete(described.keys().next().value!)
  }

  /** A blob's description from an object's headers, hashing the object when it has no SHA-256. */
  async function describe(
    key: string,
    head: { ContentLength?: number; ContentType?: string; Metadata?: Record<string, string>; ETag?: string },
    size = head.ContentLength ?? 0,
  ): Promise<BlobInfo> {
    const known = head.ETag ? described.get(key) : undefined
    if (known && known.etag === head.ETag) return known.info
    const stored = head.Metadata?.sha256
    const info: BlobInfo = {
      key,
      size,
      sha256: stored && SHA256.test(stored) ? stored : await hashObject(full(key), head.ETag),
      contentType: head.ContentType ?? DEFAULT_TYPE,
    }
    remember(info, head.ETag)
    return info
  }

  /** For objects written without our metadata: their hash, read from the bytes of that very version. */
  async function hashObject(k: string, etag: string | undefined): Promise<string> {
    const res = await client.send(
      new GetObjectCommand({ Bucket: bucket, Key: k, ...(etag ? { IfMatch: etag } : {}) }),
    )
    const hash = createHash('sha256')
    for await (const chunk of res.Body as AsyncIterable<Uint8Array>) hash.update(chunk)
    return hash.digest('hex')
  }

  async function head(key: string): Promise<BlobInfo | null> {
    try {
      return await describe(key, await client.send(new HeadObjectCommand({ Bucket: bucket, Key: full(key) })))
    } catch (err) {
      if (isNotFound(err)) return null
      throw err
    }
  }

  /** Every object under `prefix` (store keys), in S3's order, a page at a time. */
  async function* pages(prefix: string) {
    let token: string | undefined
    do {
      const page = await client.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: base + prefix,
          MaxKeys: pageSize,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      )
      const objects = (page.Contents ?? []).filter((o) => o.Key?.startsWith(base))
      if (objects.length > 0) yield objects
      token = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (token)
  }

  async function put(
    key: string,
    body: ReadableStream<Uint8Array> | Uint8Array,
    putOpts: Parameters<BlobStore['put']>[2] = {},
  ): Promise<BlobInfo> {
    const k = full(key)
    const contentType = putOpts.contentType ?? DEFAULT_TYPE
    const expected = putOpts.sha256?.toLowerCase()
    const hash = createHash('sha256')
    const pending = new PartBuffer()
    let upload: MultipartUpload | null = null
    let size = 0
    try {
      for await (const chunk of meteredChunks(body, putOpts)) {
        hash.update(chunk)
        size += chunk.byteLength
        pending.push(chunk)
        upload?.throwIfFailed()
        while (pending.bytes >= partBytes) {
          upload ??= await MultipartUpload.start(client, partsInFlight, log, {
            Bucket: bucket,
            Key: k,
            ContentType: contentType,
            // The hash travels with the object from the start when the caller knows it.
            ...(expected ? { Metadata: { sha256: expected } } : {}),
          })
          await upload.send(pending.take(partBytes))
        }
      }
      const sha256 = hash.digest('hex')
      if (expected && expected !== sha256) throw new BlobHashMismatchError(expected, sha256)
      const info: BlobInfo = { key, size, sha256, contentType }

      if (!upload) {
        const res = await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: k,
            Body: pending.take(pending.bytes),
            ContentLength: size,
            ContentType: contentType,
            Metadata: { sha256 },
          }),
        )
        remember(info, res.ETag)
        return info
      }
      if (pending.bytes > 0) await upload.send(pending.take(pending.bytes))
      let etag = await upload.complete()
      upload = null
      if (!expected && size <= MAX_COPY_BYTES) etag = await attachHash(k, info, etag)
      remember(info, etag)
      return info
    } catch (err) {
      await upload?.abort()
      throw err
    }
  }

  /** Gives a just-completed multipart object its SHA-256 metadata, by a copy onto itself. */
  async function attachHash(
    k: string,
    info: BlobInfo,
    etag: string | undefined,
  ): Promise<string | undefined> {
    try {
      const res = await client.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: k,
          CopySource: `${bucket}/${k.split('/').map(encodeURIComponent).join('/')}`,
          MetadataDirective: 'REPLACE',
          Metadata: { sha256: info.sha256 },
          ContentType: info.contentType,
          // Only the object we completed: a newer put may already have replaced it.
          ...(etag ? { CopySourceIfMatch: etag } : {}),
        }),
      )
      return res.CopyObjectResult?.ETag
    } catch (err) {
      // Replaced meanwhile: the newer object carries its own hash. Anything else: the object is
      // whole and will be hashed when first described.
      if (statusOf(err) !== 412) log.warn({ key: k, err: String(err) }, '[s3] could not record the SHA-256')
      return undefined
    }
  }

  const store: BlobStore = {
    put,
    head,

    async get(key, getOpts = {}) {
      const { range } = getOpts
      const request = new GetObjectCommand({
        Bucket: bucket,
        Key: full(key),
        ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
      })
      let res: GetObjectCommandOutput
      try {
        res = await client.send(request)
      } catch (err) {
        if (isNotFound(err)) return null
        if (statusOf(err) === 416)
          throw new RangeError(`Range ${range?.start}-${range?.end} is outside "${key}"`)
        throw err
      }
      let body = (res.Body as { transformToWebStream(): ReadableStream<Uint8Array> }).transformToWebStream()
      try {
        // What came back: a 206's Content-Range, or the whole object.
        const served = /^bytes (\d+)-(\d+)\/(\d+)$/
          .exec(res.ContentRange ?? '')
          ?.slice(1)
          .map(Number)
        const total = served?.[2] ?? res.ContentLength ?? 0
        const first = served?.[0] ?? 0
        const last = served?.[1] ?? total - 1
        if (range) {
          if (range.end >= total) {
            throw new RangeError(`Range ${range.start}-${range.end} is outside a blob of ${total} bytes`)
          }
          if (first > range.start || last < range.end) {
            throw new Error(`S3 answered bytes ${first}-${last} of "${key}" for ${range.start}-${range.end}`)
          }
          // Some S3-compatible servers answer a range with more than was asked (the whole object,
          // or a wider range): hand on exactly the bytes asked for.
          if (first !== range.start || last !== range.end) {
            body = sliceStream(body, range.start - first, range.end - range.start + 1)
          }
        }
        const info = await describe(key, res, total)
        return { ...info, body, ...(range ? { range } : {}) }
      } catch (err) {
        await body.cancel().catch(() => {})
        throw err
      }
    },

    async delete(key) {
      described.delete(key)
      // S3 answers 204 for a key that is not there.
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: full(key) }))
    },

    async list(prefix) {
      const out: BlobInfo[] = []
      for await (const objects of pages(prefix)) {
        const infos = await mapLimit(objects, HEADS_IN_FLIGHT, async (o) => {
          const key = o.Key!.slice(base.length)
          const known = described.get(key)
          // A listing tells the ETag: a match saves the HEAD.
          if (known && o.ETag && known.etag === o.ETag) return known.info
          return head(key)
        })
        for (const info of infos) if (info) out.push(info)
      }
      return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    },

    async deletePrefix(prefix) {
      for await (const objects of pages(prefix)) {
        const keys = objects.map((o) => o.Key!)
        for (const k of keys) described.delete(k.slice(base.length))
        const res = await client.send(
          withContentMd5(
            new DeleteObjectsCommand({
              Bucket: bucket,
              Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
            }),
          ),
        )
        const failed = res.Errors ?? []
        if (failed.length > 0) {
          const first = failed[0]!
          throw new Error(
            `S3 kept ${failed.length} of ${keys.length} objects: ${first.Key}: ${first.Code} ${first.Message}`,
          )
        }
      }
    },
  }

  if (opts.redirect) {
    const { expiresSeconds } = opts.redirect
    const signer = opts.redirect.client ?? client
    store.signedUrl = (key) =>
      getSignedUrl(signer, new GetObjectCommand({ Bucket: bucket, Key: full(key) }), {
        expiresIn: expiresSeconds,
      })
  }
  return store
}

// ───────────────────────────── uploads ─────────────────────────────

/** Chunks waiting to become a part. */
class PartBuffer {
  private chunks: Uint8Array[] = []
  bytes = 0

  push(chunk: Uint8Array) {
    this.chunks.push(chunk)
    this.bytes += chunk.byteLength
  }

  /** The first `n` bytes, copied: the body's producer may reuse its buffers. */
  take(n: number): Uint8Array {
    const all = Buffer.concat(this.chunks, this.bytes)
    const rest = all.subarray(n)
    this.chunks = rest.byteLength > 0 ? [rest] : []
    this.bytes = rest.byteLength
    return all.subarray(0, n)
  }
}

/** One multipart upload: parts sent as they fill, a few at a time, completed or aborted once. */
class MultipartUpload {
  private readonly parts: CompletedPart[] = []
  private readonly running = new Set<Promise<void>>()
  private failure: { error: unknown } | null = null
  private next = 1

  private constructor(
    private readonly client: S3Client,
    private readonly inFlight: number,
    private readonly target: { Bucket: string; Key: string; UploadId: string },
    private readonly log: Logger,
  ) {}

  static async start(
    client: S3Client,
    inFlight: number,
    log: Logger,
    params: { Bucket: string; Key: string; ContentType: string; Metadata?: Record<string, string> },
  ): Promise<MultipartUpload> {
    const res = await client.send(new CreateMultipartUploadCommand(params))
    if (!res.UploadId) throw new Error(`S3 started no multipart upload for ${params.Key}`)
    return new MultipartUpload(
      client,
      inFlight,
      {
        Bucket: params.Bucket,
        Key: params.Key,
        UploadId: res.UploadId,
      },
      log,
    )
  }

  throwIfFailed() {
    if (this.failure) throw this.failure.error
  }

  /** Sends a part, first waiting for room among the parts in flight. */
  async send(bytes: Uint8Array) {
    while (this.running.size >= this.inFlight) await Promise.race(this.running)
    this.throwIfFailed()
    const PartNumber = this.next++
    const sending: Promise<void> = this.client
      .send(
        new UploadPartCommand({ ...this.target, PartNumber, Body: bytes, ContentLength: bytes.byteLength }),
      )
      .then(
        (res) => {
          this.parts.push({ PartNumber, ETag: res.ETag })
        },
        (error: unknown) => {
          this.failure ??= { error }
        },
      )
      .finally(() => this.running.delete(sending))
    this.running.add(sending)
  }

  /** Completes the upload once every part is in; the new object's ETag. */
  async complete(): Promise<string | undefined> {
    await Promise.all(this.running)
    this.throwIfFailed()
    this.parts.sort((a, b) => a.PartNumber! - b.PartNumber!)
    const res = await this.client.send(
      new CompleteMultipartUploadCommand({ ...this.target, MultipartUpload: { Parts: this.parts } }),
    )
    return res.ETag
  }

  /** Best effort, never throws: the caller's own error is the one to report. */
  async abort() {
    await Promise.allSettled(this.running)
    await this.client.send(new AbortMultipartUploadCommand(this.target)).catch((err: unknown) => {
      this.log.warn({ key: this.target.Key, err: String(err) }, '[s3] could not abort the upload')
    })
  }
}

// ───────────────────────────── helpers ─────────────────────────────

const statusOf = (err: unknown) =>
  (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode

const isNotFound = (err: unknown) =>
  statusOf(err) === 404 || ['NoSuchKey', 'NotFound'].includes((err as { name?: string }).name ?? '')

/**
 * DeleteObjects must carry a checksum of its body. The SDK sends a CRC32 header; S3 also accepts
 * Content-MD5, which is the one older S3-compatible servers (Ceph, Garage, MinIO before 2024) insist on.
 */
function withContentMd5(command: DeleteObjectsCommand): DeleteObjectsCommand {
  command.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string>; body?: unknown }
      if (request.headers && (typeof request.body === 'string' || request.body instanceof Uint8Array)) {
        request.headers['content-md5'] = createHash('md5').update(request.body).digest('base64')
      }
      return next(args)
    },
    { step: 'build', name: 'adhContentMd5' },
  )
  return command
}

/** The `length` bytes of `body` that follow its first `skip`. */
function sliceStream(
  body: ReadableStream<Uint8Array>,
  skip: number,
  length: number,
): ReadableStream<Uint8Array> {
  const reader = body.getReader()
  let toSkip = skip
  let left = length
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) {
          controller.error(new Error(`The object ended ${left} bytes before the end of the range`))
          return
        }
        let chunk = value
        if (toSkip > 0) {
          if (chunk.byteLength <= toSkip) {
            toSkip -= chunk.byteLength
            continue
          }
          chunk = chunk.subarray(toSkip)
          toSkip = 0
        }
        if (chunk.byteLength < left) {
          left -= chunk.byteLength
          controller.enqueue(chunk)
          return
        }
        controller.enqueue(chunk.subarray(0, left))
        controller.close()
        await reader.cancel()
        return
      }
    },
    cancel: (reason) => reader.cancel(reason),
  })
}

/** `fn` over `items`, at most `limit` at a time, results in order. */
async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}
