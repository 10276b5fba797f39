/**
 * Local-disk BlobStore, the default (`data/media/`). A key is a plain file under the root, so the
 * tree can be inspected, backed up or served by another web server as it is.
 *
 * Each blob has a sidecar `<name>~meta` with its SHA-256 and Content-Type. `~` can never appear
 * in a key, so temporary files and sidecars never collide with blobs and never show up in `list`.
 *
 * A put streams into `<name>~<random>.tmp` in the same directory (hashing and counting on the
 * way), fsyncs it, writes the sidecar the same way, then renames both into place and fsyncs the
 * directory. Readers therefore see the old file or the new one, never a part. The sidecar records
 * the inode, size and mtime of the data file it describes; a reader that catches the two renames
 * half done notices the mismatch and looks again, and a sidecar left stale by a crash (or missing,
 * for files copied in by hand) is rebuilt from the data file on first read.
 * @module
 */
import { createHash, randomBytes } from 'node:crypto'
import type { BigIntStats, Dirent } from 'node:fs'
import { type FileHandle, mkdir, open, readdir, readFile, rename, rmdir, unlink } from 'node:fs/promises'
import { dirname, join, sep } from 'node:path'
import { keyedMutex } from '../lib/keyed-lock.ts'
import {
  BlobHashMismatchError,
  type BlobInfo,
  type BlobObject,
  type BlobStore,
  type ByteRange,
} from './blob-store.ts'
import { meteredChunks } from './body.ts'

export interface FsBlobStoreOptions {
  /**
   * fsync data, sidecar and directory before a put resolves, so an acknowledged upload survives a
   * power cut. Default true; turning it off only makes sense for throwaway stores.
   */
  durable?: boolean
  /** Bytes per read when streaming a blob out. */
  readChunkBytes?: number
}

interface Stamp {
  ino: string
  size: string
  mtimeNs: string
}

interface Sidecar extends Stamp {
  v: 1
  sha256: string
  contentType: string
}

const DEFAULT_TYPE = 'application/octet-stream'
const WRITE_BATCH_BYTES = 1024 * 1024
const CACHE_ENTRIES = 20_000

/**
 * @example const blobs = fsBlobStore(resolve('data/media'))
 */
export function fsBlobStore(root: string, opts: FsBlobStoreOptions = {}): BlobStore {
  const durable = opts.durable ?? true
  const readChunk = opts.readChunkBytes ?? 256 * 1024
  const locks = keyedMutex()
  // Metadata of files already verified, keyed by blob key and checked against a fresh fstat on
  // every use, so a hit can never describe a different file than the one just opened.
  const described = new Map<string, { stamp: Stamp; info: BlobInfo }>()

  const fileOf = (key: string) => join(root, ...keySegments(key))
  const metaOf = (file: string) => `${file}~meta`
  const remember = (key: string, stamp: Stamp, info: BlobInfo) => {
    described.delete(key)
    described.set(key, { stamp, info })
    if (described.size > CACHE_ENTRIES) described.delete(described.keys().next().value!)
  }

  /** Opens a blob and its verified description; null when there is no blob. */
  async function openBlob(key: string): Promise<{ fh: FileHandle; info: BlobInfo } | null> {
    const file = fileOf(key)
    for (let attempt = 0; ; attempt++) {
      const fh = await openIfExists(file)
      if (!fh) return null
      try {
        const stamp = stampOf(await fh.stat({ bigint: true }))
        const cached = described.get(key)
        if (cached && sameStamp(cached.stamp, stamp)) return { fh, info: cached.info }
        const meta = await readSidecar(metaOf(file))
        if (meta && sameStamp(meta, stamp)) {
          const info = { key, size: Number(stamp.size), sha256: meta.sha256, contentType: meta.contentType }
          remember(key, stamp, info)
          return { fh, info }
        }
        if (attempt === 0) {
          // Most likely a put is between its two renames: let it finish, then look again.
          await fh.close()
          await locks.idle(key)
          continue
        }
        const info = await heal(key, file, fh, stamp, meta?.contentType ?? DEFAULT_TYPE)
        return { fh, info }
      } catch (err) {
        await fh.close().catch(() => {})
        throw err
      }
    }
  }

  /** Rebuilds a sidecar from the data file itself (after a crash, or for files copied in by hand). */
  async function heal(
    key: string,
    file: string,
    fh: FileHandle,
    stamp: Stamp,
    contentType: string,
  ): Promise<BlobInfo> {
    const hash = createHash('sha256')
    const size = Number(stamp.size)
    for await (const chunk of readRange(fh, 0, size - 1, readChunk, false)) hash.update(chunk)
    const info: BlobInfo = { key, size, sha256: hash.digest('hex'), contentType }
    await locks.run(key, async () => {
      const now = await openIfExists(file)
      if (!now) return
      try {
        // Only describe the file if it is still the one that was hashed.
        if (sameStamp(stampOf(await now.stat({ bigint: true })), stamp)) {
          const tmp = tempName(file, 'meta.tmp')
          await writeSidecar(tmp, { v: 1, ...stamp, sha256: info.sha256, contentType }, durable)
          await rename(tmp, metaOf(file))
        }
      } finally {
        await now.close()
      }
    })
    remember(key, stamp, info)
    return info
  }

  async function writeAtomically(
    key: string,
    body: ReadableStream<Uint8Array> | Uint8Array,
    putOpts: Parameters<BlobStore['put']>[2] = {},
  ): Promise<BlobInfo> {
    const file = fileOf(key)
    const dir = dirname(file)
    const tmp = tempName(file, 'tmp')
    const metaTmp = tempName(file, 'meta.tmp')
    const contentType = putOpts.contentType ?? DEFAULT_TYPE
    let fh: FileHandle | null = await openForWrite(dir, tmp)
    try {
      const hash = createHash('sha256')
      let size = 0
      let batch: Uint8Array[] = []
      let batched = 0
      const flush = async () => {
        if (batched === 0) return
        await writeAll(fh!, batch, batched)
        batch = []
        batched = 0
      }
      for await (const chunk of meteredChunks(body, putOpts)) {
        hash.update(chunk)
        size += chunk.byteLength
        batch.push(chunk)
        batched += chunk.byteLength
        if (batched >= WRITE_BATCH_BYTES) await flush()
      }
      await flush()
      const sha256 = hash.digest('hex')
      if (putOpts.sha256 && putOpts.sha256.toLowerCase() !== sha256) {
        throw new BlobHashMismatchError(putOpts.sha256.toLowerCase(), sha256)
      }
      if (durable) await fh.sync()
      const stamp = stampOf(await fh.stat({ bigint: true }))
      await fh.close()
      fh = null
      await writeSidecar(metaTmp, { v: 1, ...stamp, sha256, contentType }, durable)
      await locks.run(key, async () => {
        await rename(tmp, file)
        await rename(metaTmp, metaOf(file))
      })
      if (durable) await syncDir(dir)
      const info: BlobInfo = { key, size, sha256, contentType }
      remember(key, stamp, info)
      return info
    } catch (err) {
      await fh?.close().catch(() => {})
      await Promise.all([unlinkIfExists(tmp), unlinkIfExists(metaTmp)])
      throw err
    }
  }

  async function walk(dirKey: string, prefix: string, out: string[]): Promise<void> {
    let entries: Dirent[]
    try {
      entries = await readdir(join(root, ...keySegments(dirKey, true)), { withFileTypes: true })
    } catch (err) {
      if (isMissing(err)) return
      throw err
    }
    for (const entry of entries) {
      if (entry.name.includes('~')) continue
      const key = `${dirKey}${entry.name}`
      if (entry.isDirectory()) {
        const sub = `${key}/`
        if (sub.startsWith(prefix) || prefix.startsWith(sub)) await walk(sub, prefix, out)
      } else if (entry.isFile() && key.startsWith(prefix)) {
        out.push(key)
      }
    }
  }

  return {
    put: writeAtomically,

    async get(key, getOpts = {}): Promise<BlobObject | null> {
      const opened = await openBlob(key)
      if (!opened) return null
      const { fh, info } = opened
      const range: ByteRange | undefined = getOpts.range
      const start = range?.start ?? 0
      const end = range?.end ?? info.size - 1
      if (start < 0 || end >= info.size || (range && start > end)) {
        await fh.close()
        throw new RangeError(`Range ${start}-${end} is outside a blob of ${info.size} bytes`)
      }
      return { ...info, body: streamRange(fh, start, end, readChunk), ...(range ? { range } : {}) }
    },

    async head(key) {
      const opened = await openBlob(key)
      if (!opened) return null
      await opened.fh.close()
      return opened.info
    },

    async delete(key) {
      const file = fileOf(key)
      await locks.run(key, async () => {
        await unlinkIfExists(file)
        await unlinkIfExists(metaOf(file))
      })
      described.delete(key)
      await pruneEmptyDirs(root, dirname(file))
    },

    async list(prefix) {
      const slash = prefix.lastIndexOf('/')
      const keys: string[] = []
      await walk(prefix.slice(0, slash + 1), prefix, keys)
      keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      const out: BlobInfo[] = []
      // A few at a time: a movie has thousands of segments, and each needs a stat and a sidecar read.
      for (let i = 0; i < keys.length; i += 32) {
        const infos = await Promise.all(
          keys.slice(i, i + 32).map(async (key) => {
            const opened = await openBlob(key)
            if (!opened) return null
            await opened.fh.close()
            return opened.info
          }),
        )
        for (const info of infos) if (info) out.push(info)
      }
      return out
    },
  }
}

// ───────────────────────────── keys and files ─────────────────────────────

/**
 * Splits a key into path segments, refusing anything that could leave the root or collide with
 * the store's own files, whatever the caller validated before.
 */
function keySegments(key: string, allowTrailingSlash = false): string[] {
  const body = allowTrailingSlash && key.endsWith('/') ? key.slice(0, -1) : key
  if (body === '' && allowTrailingSlash) return []
  const segments = body.split('/')
  for (const s of segments) {
    if (s === '' || s === '.' || s === '..' || /[\\\0~]/.test(s) || s.includes(sep)) {
      throw new TypeError(`Invalid blob key "${key}"`)
    }
  }
  return segments
}

function tempName(file: string, suffix: string): string {
  return `${file}~${randomBytes(6).toString('hex')}.${suffix}`
}

async function openForWrite(dir: string, tmp: string): Promise<FileHandle> {
  // A concurrent delete may prune the directory between mkdir and open; make it again once.
  for (let attempt = 0; ; attempt++) {
    await mkdir(dir, { recursive: true })
    try {
      return await open(tmp, 'wx', 0o644)
    } catch (err) {
      if (attempt < 3 && isMissing(err)) continue
      throw err
    }
  }
}

async function openIfExists(file: string): Promise<FileHandle | null> {
  try {
    return await open(file, 'r')
  } catch (err) {
    if (isMissing(err) || (err as NodeJS.ErrnoException).code === 'EISDIR') return null
    throw err
  }
}

async function writeAll(fh: FileHandle, chunks: Uint8Array[], total: number): Promise<void> {
  let pending = chunks
  let left = total
  while (left > 0) {
    const { bytesWritten } = await fh.writev(pending)
    left -= bytesWritten
    if (left === 0) break
    // A short write: drop what went out and carry on with the rest.
    let skip = bytesWritten
    const rest: Uint8Array[] = []
    for (const c of pending) {
      if (skip >= c.byteLength) {
        skip -= c.byteLength
        continue
      }
      rest.push(skip > 0 ? c.subarray(skip) : c)
      skip = 0
    }
    pending = rest
  }
}

async function writeSidecar(path: string, meta: Sidecar, durable: boolean): Promise<void> {
  const fh = await open(path, 'wx', 0o644)
  try {
    await fh.writeFile(JSON.stringify(meta))
    if (durable) await fh.sync()
  } finally {
    await fh.close()
  }
}

async function readSidecar(path: string): Promise<Sidecar | null> {
  try {
    const meta = JSON.parse(await readFile(path, 'utf8')) as Partial<Sidecar>
    if (meta.v !== 1 || typeof meta.sha256 !== 'string' || typeof meta.contentType !== 'string') return null
    return meta as Sidecar
  } catch {
    return null
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r')
  try {
    await fh.sync()
  } finally {
    await fh.close()
  }
}

async function unlinkIfExists(path: string): Promise<void> {
  try {
    await unlink(path)
  } catch (err) {
    if (!isMissing(err)) throw err
  }
}

async function pruneEmptyDirs(root: string, from: string): Promise<void> {
  let dir = from
  while (dir.startsWith(root + sep) && dir !== root) {
    try {
      await rmdir(dir)
    } catch {
      return
    }
    dir = dirname(dir)
  }
}

const isMissing = (err: unknown) => {
  const code = (err as NodeJS.ErrnoException).code
  return code === 'ENOENT' || code === 'ENOTDIR'
}

const stampOf = (st: BigIntStats): Stamp => ({
  ino: String(st.ino),
  size: String(st.size),
  mtimeNs: String(st.mtimeNs),
})

const sameStamp = (a: Stamp, b: Stamp) => a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs

// ───────────────────────────── reading ─────────────────────────────

/** Reads bytes start..end (inclusive) of an open file in chunks; closes it when `close` is set. */
async function* readRange(fh: FileHandle, start: number, end: number, chunk: number, close: boolean) {
  let position = start
  try {
    while (position <= end) {
      const want = Math.min(chunk, end - position + 1)
      const buf = new Uint8Array(want)
      const { bytesRead } = await fh.read(buf, 0, want, position)
      // The file shrank under us (someone edited the store by hand): end rather than spin.
      if (bytesRead === 0) throw new Error(`Blob ended at byte ${position}, before ${end + 1}`)
      position += bytesRead
      yield bytesRead === want ? buf : buf.subarray(0, bytesRead)
    }
  } finally {
    if (close) await fh.close().catch(() => {})
  }
}

/** A web stream over part of a file; the file is closed when the stream ends, fails or is cancelled. */
function streamRange(fh: FileHandle, start: number, end: number, chunk: number): ReadableStream<Uint8Array> {
  const chunks = readRange(fh, start, end, chunk, true)
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await chunks.next()
        if (done) controller.close()
        else controller.enqueue(value)
      } catch (err) {
        controller.error(err)
      }
    },
    async cancel() {
      await chunks.return(undefined)
      // A generator cancelled before its first read never reaches its finally block.
      await fh.close().catch(() => {})
    },
  })
}
