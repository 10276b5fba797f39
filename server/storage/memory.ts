/**
 * In-memory BlobStore for tests and throwaway runs. Same contract as the disk and R2 adapters.
 * @module
 */
import { sha256Hex } from '../lib/crypto.ts'
import { BlobHashMismatchError, type BlobInfo, type BlobStore } from './blob-store.ts'
import { collectBody } from './body.ts'

interface Entry extends BlobInfo {
  bytes: Uint8Array
}

// Kept here too for callers that imported it from the memory adapter before it moved to body.ts.
export { collectBody }

export function memoryBlobStore(): BlobStore {
  const blobs = new Map<string, Entry>()
  const info = ({ bytes: _b, ...rest }: Entry): BlobInfo => rest
  return {
    async put(key, body, opts = {}) {
      const bytes = await collectBody(body, opts.maxBytes, opts.size)
      const sha256 = await sha256Hex(bytes)
      if (opts.sha256 && opts.sha256.toLowerCase() !== sha256)
        throw new BlobHashMismatchError(opts.sha256, sha256)
      const entry: Entry = {
        key,
        size: bytes.byteLength,
        sha256,
        contentType: opts.contentType ?? 'application/octet-stream',
        bytes: bytes.slice(),
      }
      blobs.set(key, entry)
      return info(entry)
    },
    async get(key, opts = {}) {
      const entry = blobs.get(key)
      if (!entry) return null
      const { range } = opts
      const bytes = range ? entry.bytes.subarray(range.start, range.end + 1) : entry.bytes
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(bytes.slice())
          controller.close()
        },
      })
      return { ...info(entry), body, ...(range ? { range } : {}) }
    },
    async head(key) {
      const entry = blobs.get(key)
      return entry ? info(entry) : null
    },
    async delete(key) {
      blobs.delete(key)
    },
    async list(prefix) {
      return [...blobs.values()]
        .filter((e) => e.key.startsWith(prefix))
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
        .map(info)
    },
    async deletePrefix(prefix) {
      for (const key of [...blobs.keys()]) if (key.startsWith(prefix)) blobs.delete(key)
    },
  }
}
