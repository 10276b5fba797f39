/**
 * Reading an upload body once, in order, with its limits checked as the bytes arrive. Shared by
 * every adapter so that "too large" and "not the length it declared" mean the same everywhere.
 * @module
 */
import { BlobLengthMismatchError, BlobTooLargeError, type PutOptions } from './blob-store.ts'

/**
 * Yields the body's chunks, throwing as soon as it passes `maxBytes` or its declared `size`, and
 * at the end if it fell short of `size`. Stopping early (a throw, or the consumer breaking off)
 * cancels the source so an HTTP upload stops being read.
 * @example for await (const chunk of meteredChunks(req.body, { maxBytes: 1e6 })) write(chunk)
 */
export async function* meteredChunks(
  body: ReadableStream<Uint8Array> | Uint8Array,
  opts: Pick<PutOptions, 'maxBytes' | 'size'> = {},
): AsyncGenerator<Uint8Array> {
  const maxBytes = opts.maxBytes ?? Number.POSITIVE_INFINITY
  const { size } = opts
  // A body that declares more than the limit is refused before a single byte is read.
  if (size !== undefined && size > maxBytes) throw new BlobTooLargeError(maxBytes)
  if (body instanceof Uint8Array) {
    if (body.byteLength > maxBytes) throw new BlobTooLargeError(maxBytes)
    if (size !== undefined && body.byteLength !== size)
      throw new BlobLengthMismatchError(size, body.byteLength)
    yield body
    return
  }
  const reader = body.getReader()
  let total = 0
  let finished = false
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      total += value.byteLength
      if (total > maxBytes) throw new BlobTooLargeError(maxBytes)
      if (size !== undefined && total > size) throw new BlobLengthMismatchError(size, total)
      if (value.byteLength > 0) yield value
    }
    finished = true
  } finally {
    if (!finished) await reader.cancel().catch(() => {})
    reader.releaseLock()
  }
  if (size !== undefined && total !== size) throw new BlobLengthMismatchError(size, total)
}

/** Reads a whole body into one array, with the same limits as every adapter's `put`. */
export async function collectBody(
  body: ReadableStream<Uint8Array> | Uint8Array,
  maxBytes = Number.POSITIVE_INFINITY,
  size?: number,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  let total = 0
  for await (const chunk of meteredChunks(body, { maxBytes, ...(size !== undefined ? { size } : {}) })) {
    chunks.push(chunk)
    total += chunk.byteLength
  }
  if (chunks.length === 1) return chunks[0]!
  const out = new Uint8Array(total)
  let at = 0
  for (const chunk of chunks) {
    out.set(chunk, at)
    at += chunk.byteLength
  }
  return out
}
