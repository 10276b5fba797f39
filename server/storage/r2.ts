/**
 * Cloudflare R2 BlobStore over a Workers R2 binding (`env.MEDIA`). Tested locally against
 * Miniflare's R2 through wrangler's `getPlatformProxy()`.
 *
 * R2 writes are atomic and strongly consistent, so a reader sees the old object or the new one.
 * The SHA-256 travels to R2 with the put (`sha256` option): R2 itself refuses a body that does not
 * match, and stores the hash, which comes back on every head/get/list.
 *
 * R2 must know a streamed body's length before it starts. In a Worker, a put that declares its
 * `size` is streamed through a `FixedLengthStream` (which also fails the put if the body runs
 * short or long); anything else — no declared size, or no FixedLengthStream as under Node — is
 * read into memory first, bounded by `maxBytes`.
 * @module
 */
import { sha256Hex, toHex } from '../lib/crypto.ts'
import { BlobHashMismatchError, type BlobInfo, type BlobStore, type PutOptions } from './blob-store.ts'
import { collectBody, meteredChunks } from './body.ts'

/** The part of an R2 object this adapter reads (a subset of workers-types' `R2Object`). */
export interface R2ObjectLike {
  key: string
  size: number
  httpMetadata?: { contentType?: string }
  customMetadata?: Record<string, string>
  checksums?: { sha256?: ArrayBuffer }
}

export interface R2ObjectBodyLike extends R2ObjectLike {
  body: ReadableStream<Uint8Array>
}

/** The part of `R2Bucket` this adapter calls, so the server does not need @cloudflare/workers-types. */
export interface R2BucketLike {
  head(key: string): Promise<R2ObjectLike | null>
  get(key: string, options?: { range?: { offset: number; length: number } }): Promise<R2ObjectBodyLike | null>
  put(
    key: string,
    value: ReadableStream<Uint8Array> | Uint8Array | ArrayBuffer,
    options?: {
      httpMetadata?: { contentType?: string }
      customMetadata?: Record<string, string>
      sha256?: string
    },
  ): Promise<R2ObjectLike | null>
  delete(keys: string | string[]): Promise<void>
  list(options?: {
    prefix?: string
    cursor?: string
    limit?: number
    include?: ('httpMetadata' | 'customMetadata')[]
  }): Promise<{ objects: R2ObjectLike[]; truncated: boolean; cursor?: string }>
}

/** Workers' FixedLengthStream: a TransformStream whose readable side has a known length. */
type FixedLengthStreamCtor = new (
  length: number,
) => { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> }

const DEFAULT_TYPE = 'application/octet-stream'

/**
 * @example const blobs = r2BlobStore(env.MEDIA)
 */
export function r2BlobStore(bucket: R2BucketLike): BlobStore {
  const describe = async (obj: R2ObjectLike): Promise<BlobInfo> => ({
    key: obj.key,
    size: obj.size,
    sha256: shaOf(obj) ?? (await hashStored(bucket, obj.key)),
    contentType: obj.httpMetadata?.contentType ?? DEFAULT_TYPE,
  })

  return {
    async put(key, body, opts = {}) {
      assertKey(key)
      const contentType = opts.contentType ?? DEFAULT_TYPE
      const expected = opts.sha256?.toLowerCase()
      const Fixed = (globalThis as { FixedLengthStream?: FixedLengthStreamCtor }).FixedLengthStream
      if (Fixed && expected && opts.size !== undefined && !(body instanceof Uint8Array)) {
        return streamPut(
          bucket,
          key,
          body,
          { ...opts, size: opts.size, sha256: expected, contentType },
          Fixed,
        )
      }
      const bytes = await collectBody(body, opts.maxBytes, opts.size)
      const sha256 = await sha256Hex(bytes)
      if (expected && expected !== sha256) throw new BlobHashMismatchError(expected, sha256)
      await bucket.put(key, bytes, {
        sha256,
        httpMetadata: { contentType },
        customMetadata: { sha256 },
      })
      return { key, size: bytes.byteLength, sha256, contentType }
    },

    async get(key, getOpts = {}) {
      assertKey(key)
      const { range } = getOpts
      const obj = await bucket.get(
        key,
        range ? { range: { offset: range.start, length: range.end - range.start + 1 } } : {},
      )
      if (!obj) return null
      return { ...(await describe(obj)), body: obj.body, ...(range ? { range } : {}) }
    },

    async head(key) {
      assertKey(key)
      const obj = await bucket.head(key)
      return obj ? describe(obj) : null
    },

    async delete(key) {
      assertKey(key)
      await bucket.delete(key)
    },

    async list(prefix) {
      const out: BlobInfo[] = []
      let cursor: string | undefined
      do {
        const page = await bucket.list({
          prefix,
          include: ['httpMetadata', 'customMetadata'],
          ...(cursor ? { cursor } : {}),
        })
        for (const obj of page.objects) out.push(await describe(obj))
        cursor = page.truncated ? page.cursor : undefined
      } while (cursor)
      return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    },

    async deletePrefix(prefix) {
      // A listing page holds at most 1000 keys, which is also what one delete call accepts.
      let cursor: string | undefined
      do {
        const page = await bucket.list({ prefix, ...(cursor ? { cursor } : {}) })
        if (page.objects.length > 0) await bucket.delete(page.objects.map((o) => o.key))
        cursor = page.truncated ? page.cursor : undefined
      } while (cursor)
    },
  }
}

async function streamPut(
  bucket: R2BucketLike,
  key: string,
  body: ReadableStream<Uint8Array>,
  opts: PutOptions & { sha256: string; contentType: string; size: number },
  Fixed: FixedLengthStreamCtor,
): Promise<BlobInfo> {
  const { readable, writable } = new Fixed(opts.size)
  const writer = writable.getWriter()
  let pumpError: unknown = null
  const pump = (async () => {
    try {
      for await (const chunk of meteredChunks(body, opts)) await writer.write(chunk)
      await writer.close()
    } catch (err) {
      pumpError = err
      await writer.abort(err).catch(() => {})
    }
  })()
  try {
    await bucket.put(key, readable, {
      sha256: opts.sha256,
      httpMetadata: { contentType: opts.contentType },
      customMetadata: { sha256: opts.sha256 },
    })
  } catch (err) {
    await pump
    // The body's own failure (too large, wrong length) says more than R2's aborted upload.
    if (pumpError) throw pumpError
    const actual = /Actual SHA-256 was: ([0-9a-f]{64})/i.exec(String((err as Error).message))
    if (/SHA-256|10037/i.test(String((err as Error).message))) {
      throw new BlobHashMismatchError(opts.sha256, actual?.[1]?.toLowerCase() ?? 'unknown')
    }
    throw err
  }
  await pump
  if (pumpError) throw pumpError
  return { key, size: opts.size, sha256: opts.sha256, contentType: opts.contentType }
}

function shaOf(obj: R2ObjectLike): string | null {
  const meta = obj.customMetadata?.sha256
  if (meta && /^[0-9a-f]{64}$/.test(meta)) return meta
  const sum = obj.checksums?.sha256
  return sum ? toHex(new Uint8Array(sum)) : null
}

/** For objects put into the bucket by something else, without a SHA-256: hash them once on read. */
async function hashStored(bucket: R2BucketLike, key: string): Promise<string> {
  const obj = await bucket.get(key)
  if (!obj) return ''
  return sha256Hex(await collectBody(obj.body))
}

function assertKey(key: string) {
  if (key.length === 0 || key.length > 1024) throw new TypeError(`Invalid blob key "${key}"`)
}
