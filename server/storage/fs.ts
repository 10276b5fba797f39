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
import { type BigIntStats, close, type Dirent, fstat, open as openFd, read, stat } from 'node:fs'
import { type FileHandle, mkdir, open, readdir, readFile, rename, rmdir, unlink } from 'node:fs/promises'
import { dirname, join, sep } from 'node:path'
import { keyedMutex } from '../lib/keyed-lock.ts'
import {
  BlobHashMismatchError,
  type BlobInfo,
  type BlobObject,
  type BlobStore,
  type ByteRange,
  type SweepResult,
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
  /** How many blobs' files to keep open for readers. */
  openFiles?: number
  /** How often (ms) a kept-open file is checked against its path, for changes made by hand. */
  revalidateMs?: number
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
  const readChunk = opts.readChunkBytes ?? 1024 * 1024
  const maxOpen = opts.openFiles ?? 256
  const revalidateMs = opts.revalidateMs ?? 2000
  const locks = keyedMutex()
  // Metadata of files already verified, keyed by blob key and checked against a fresh fstat on
  // every use, so a hit can never describe a different file than the one just opened.
  const described = new Map<string, { stamp: Stamp; info: BlobInfo }>()
  // Open files of recently read blobs, shared by concurrent readers (as nginx's open_file_cache):
  // a hot segment costs one pread, not open + fstat + pread + close. Our own puts and deletes
  // retire an entry at once; changes made behind the store's back are noticed within revalidateMs.
  const openFiles = new Map<string, OpenFile>()
  let writes = 0

  const fileOf = (key: string) => join(root, ...keySegments(key))
  const metaOf = (file: string) => `${file}~meta`
  const remember = (key: string, stamp: Stamp, info: BlobInfo) => {
    described.delete(key)
    described.set(key, { stamp, info })
    if (described.size > CACHE_ENTRIES) described.delete(described.keys().next().value!)
  }

  const retire = (f: OpenFile) => {
    if (openFiles.get(f.key) === f) openFiles.delete(f.key)
    f.retired = true
    if (f.readers === 0) void fdClose(f.fd)
  }
  const release = (f: OpenFile) => {
    f.readers--
    if (f.retired && f.readers === 0) void fdClose(f.fd)
  }
  /** Called once a put or delete has changed what `key` names. */
  const invalidate = (key: string) => {
    writes++
    const f = openFiles.get(key)
    if (f) retire(f)
  }

  /** The blob's open file, shared and counted; `release` it when done. Null when there is no blob. */
  async function acquire(key: string): Promise<OpenFile | null> {
    const hit = openFiles.get(key)
    if (hit) {
      hit.readers++
      if (performance.now() - hit.checkedAt < revalidateMs) return hit
      const st = await statIfExists(fileOf(key)).catch((err: unknown) => {
        release(hit)
        throw err
      })
      if (st && sameStamp(stampOf(st), hit.stamp)) {
        hit.checkedAt = performance.now()
        return hit
      }
      release(hit)
      retire(hit)
    }
    const writesBefore = writes
    const opened = await openVerified(key, fileOf(key))
    if (!opened) return null
    const f: OpenFile = { key, ...opened, readers: 1, retired: false, checkedAt: performance.now() }
    // A put or delete that finished meanwhile may have replaced what we opened: serve this one
    // reader from it (it is a whole file), but do not offer it to the next.
    if (writes !== writesBefore) {
      f.retired = true
      return f
    }
    const previous = openFiles.get(key)
    if (previous) retire(previous)
    openFiles.set(key, f)
    if (openFiles.size > maxOpen) retire(openFiles.values().next().value!)
    return f
  }

  /** Opens a blob and its verified description; null when there is no blob. */
  async function openVerified(
    key: string,
    file: string,
  ): Promise<{ fd: number; stamp: Stamp; info: BlobInfo } | null> {
    for (let attempt = 0; ; attempt++) {
      const fd = await openIfExists(file)
      if (fd === null) return null
      try {
        const stamp = stampOf(await fdStat(fd))
        const cached = described.get(key)
        if (cached && sameStamp(cached.stamp, stamp)) return { fd, stamp, info: cached.info }
        const meta = await readSidecar(metaOf(file))
        if (meta && sameStamp(meta, stamp)) {
          const info = { key, size: Number(stamp.size), sha256: meta.sha256, contentType: meta.contentType }
          remember(key, stamp, info)
          return { fd, stamp, info }
        }
        if (attempt === 0) {
          // Most likely a put is between its two renames: let it finish, then look again.
          await fdClose(fd)
          await locks.idle(key)
          continue
        }
        const info = await heal(key, file, fd, stamp, meta?.contentType ?? DEFAULT_TYPE)
        return { fd, stamp, info }
      } catch (err) {
        await fdClose(fd)
        throw err
      }
    }
  }

  /** The blob's description without keeping its file open (for listings, which touch many once). */
  async function describe(key: string): Promise<BlobInfo | null> {
    const opened = await openVerified(key, fileOf(key))
    if (!opened) return null
    await fdClose(opened.fd)
    return opened.info
  }

  /** Rebuilds a sidecar from the data file itself (after a crash, or for files copied in by hand). */
  async function heal(
    key: string,
    file: string,
    fd: number,
    stamp: Stamp,
    contentType: string,
  ): Promise<BlobInfo> {
    const hash = createHash('sha256')
    const size = Number(stamp.size)
    for await (const chunk of readRange(fd, 0, size - 1, readChunk)) hash.update(chunk)
    const info: BlobInfo = { key, size, sha256: hash.digest('hex'), contentType }
    await locks.run(key, async () => {
      const now = await statIfExists(file)
      // Only describe the file if it is still the one that was hashed.
      if (now && sameStamp(stampOf(now), stamp)) {
        const tmp = tempName(file, 'meta.tmp')
        await writeSidecar(tmp, { v: 1, ...stamp, sha256: info.sha256, contentType }, durable)
        await rename(tmp, metaOf(file))
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
        invalidate(key)
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

  /** Every blob key that starts with `prefix`, sorted. */
  async function keysUnder(prefix: string): Promise<string[]> {
    const slash = prefix.lastIndexOf('/')
    const keys: string[] = []
    await walk(prefix.slice(0, slash + 1), prefix, keys)
    return keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  }

  const store: BlobStore = {
    put: writeAtomically,

    async get(key, getOpts = {}): Promise<BlobObject | null> {
      const f = await acquire(key)
      if (!f) return null
      const range: ByteRange | undefined = getOpts.range
      const start = range?.start ?? 0
      const end = range?.end ?? f.info.size - 1
      if (start < 0 || end >= f.info.size || (range && start > end)) {
        release(f)
        throw new RangeError(`Range ${start}-${end} is outside a blob of ${f.info.size} bytes`)
      }
      return { ...f.info, body: streamRange(f, start, end, readChunk, release), ...(range ? { range } : {}) }
    },

    async head(key) {
      const f = await acquire(key)
      if (!f) return null
      release(f)
      return f.info
    },

    async delete(key) {
      const file = fileOf(key)
      await locks.run(key, async () => {
        await unlinkIfExists(file)
        await unlinkIfExists(metaOf(file))
        invalidate(key)
      })
      described.delete(key)
      await pruneEmptyDirs(root, dirname(file))
    },

    async list(prefix) {
      const keys = await keysUnder(prefix)
      const out: BlobInfo[] = []
      // A few at a time: a movie has thousands of segments, and each needs a stat and a sidecar read.
      for (let i = 0; i < keys.length; i += 32) {
        for (const info of await Promise.all(keys.slice(i, i + 32).map(describe))) if (info) out.push(info)
      }
      return out
    },

    async deletePrefix(prefix) {
      // One key at a time through delete(), so each takes its lock and retires its open file.
      for (const key of await keysUnder(prefix)) await store.delete(key)
    },

    async sweepLeftovers({ before, busy }) {
      const swept: SweepResult = { files: 0, bytes: 0 }
      const visit = async (dir: string, dirKey: string): Promise<void> => {
        let entries: Dirent[]
        try {
          entries = await readdir(dir, { withFileTypes: true })
        } catch (err) {
          if (isMissing(err)) return
          throw err
        }
        for (const entry of entries) {
          const file = join(dir, entry.name)
          if (entry.isDirectory()) {
            await visit(file, `${dirKey}${entry.name}/`)
            continue
          }
          const tilde = entry.name.indexOf('~')
          if (tilde <= 0 || !entry.isFile()) continue
          const key = `${dirKey}${entry.name.slice(0, tilde)}`
          const temporary = entry.name.endsWith('.tmp')
          if ((!temporary && !entry.name.endsWith('~meta')) || busy(key)) continue
          // Under the blob's lock: a put renames its data and sidecar into place under it, so a
          // sidecar is judged orphaned only when no rename can come between the look and the unlink.
          await locks.run(key, async () => {
            const st = await statIfExists(file)
            if (!st || Number(st.mtimeMs) >= before) return
            if (!temporary && (await statIfExists(join(dir, entry.name.slice(0, tilde))))) return
            await unlinkIfExists(file)
            swept.files++
            swept.bytes += Number(st.size)
          })
        }
      }
      await visit(root, '')
      return swept
    },
  }
  return store
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

interface OpenFile {
  key: string
  fd: number
  stamp: Stamp
  info: BlobInfo
  /** Streams and heads currently using the fd. */
  readers: number
  /** No longer offered to new readers; closed when the last one is done. */
  retired: boolean
  checkedAt: number
}

// Plain fds and callbacks rather than FileHandle: on the hot path every promise hop and the
// handle's bookkeeping show up in profiles.
const fdStat = (fd: number) =>
  new Promise<BigIntStats>((resolve, reject) =>
    fstat(fd, { bigint: true }, (e, st) => (e ? reject(e) : resolve(st))),
  )

const fdRead = (fd: number, buf: Uint8Array, length: number, position: number) =>
  new Promise<number>((resolve, reject) =>
    read(fd, buf, 0, length, position, (e, n) => (e ? reject(e) : resolve(n))),
  )

const fdClose = (fd: number) => new Promise<void>((resolve) => close(fd, () => resolve()))

function openIfExists(file: string): Promise<number | null> {
  return new Promise((resolve, reject) =>
    openFd(file, 'r', (err, fd) => {
      if (!err) resolve(fd)
      else if (isMissing(err) || err.code === 'EISDIR') resolve(null)
      else reject(err)
    }),
  )
}

function statIfExists(file: string): Promise<BigIntStats | null> {
  return new Promise((resolve, reject) =>
    stat(file, { bigint: true }, (err, st) =>
      err ? (isMissing(err) ? resolve(null) : reject(err)) : resolve(st),
    ),
  )
}

/** Reads bytes start..end (inclusive) of an open file, in chunks of at most `chunk` bytes. */
async function* readRange(fd: number, start: number, end: number, chunk: number) {
  let position = start
  while (position <= end) {
    const want = Math.min(chunk, end - position + 1)
    // Unzeroed: every byte handed on is one read() just wrote.
    const buf = Buffer.allocUnsafe(want)
    const got = await fdRead(fd, buf, want, position)
    // The file shrank under us (someone edited the store by hand): end rather than spin.
    if (got === 0) throw new Error(`Blob ended at byte ${position}, before ${end + 1}`)
    position += got
    yield got === want ? buf : buf.subarray(0, got)
  }
}

/** A web stream over part of an open file; `done` runs once when it ends, fails or is cancelled. */
function streamRange(
  f: OpenFile,
  start: number,
  end: number,
  chunk: number,
  done: (f: OpenFile) => void,
): ReadableStream<Uint8Array> {
  const chunks = readRange(f.fd, start, end, chunk)
  let finished = false
  const finish = () => {
    if (!finished) {
      finished = true
      done(f)
    }
  }
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done: last, value } = await chunks.next()
        if (last) {
          finish()
          controller.close()
        } else controller.enqueue(value)
      } catch (err) {
        finish()
        controller.error(err)
      }
    },
    cancel() {
      finish()
    },
  })
}
