/**
 * Bytes and bodies for storage and upload tests: deterministic data, hashes, a stream that counts
 * what was pulled from it, and a gated body that holds an upload half-way until the test lets go.
 * @module
 */
import { createHash } from 'node:crypto'

/** Deterministic bytes that use every byte value, so encoding slips cannot go unnoticed. */
export function bytesOf(length: number, seed = 1): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(length)
  let x = seed
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    out[i] = x >>> 24
  }
  return out
}

/** Byte equality without vitest's element-by-element diffing, which takes seconds on large arrays. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false
  return true
}

/** Lower-case hex SHA-256, as `x-content-sha256` and the stores spell it. */
export const sha256Of = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex')

/** A stream of `total` bytes in `chunk`-sized pieces that records how much was pulled from it. */
export function countingStream(total: number, chunk = 64 * 1024) {
  const state = { pulled: 0, cancelled: false }
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (state.pulled >= total) {
          controller.close()
          return
        }
        const n = Math.min(chunk, total - state.pulled)
        controller.enqueue(bytesOf(n, state.pulled + 7))
        state.pulled += n
      },
      cancel() {
        state.cancelled = true
      },
    },
    // No read-ahead: only what the store asks for is produced.
    { highWaterMark: 0 },
  )
  return { stream, state }
}

export interface GatedBody {
  stream: ReadableStream<Uint8Array>
  /**
   * Resolves once the reader has taken the first chunk and asked for the next: the upload is
   * under way and part of it has arrived. Rejects if `pending` (the upload's own promise, say)
   * settles first, so a request answered without reading its body fails the test instead of
   * hanging it.
   */
  started(pending?: unknown): Promise<void>
  /** Hands out the rest of the data and ends the body. */
  release(): void
  /** Breaks the body off with an error instead of sending the rest. */
  fail(err: Error): void
}

/**
 * A body of `data` that gives its reader the first `head` bytes, then holds the rest until the
 * test calls `release()` (or `fail()`). What a test does between `started()` and `release()`
 * happens while the upload is certainly in flight, however slow or busy the machine.
 * @example
 * const gate = gatedBody(next, 100_000)
 * const putting = store.put(key, gate.stream)
 * await gate.started(putting)
 * expect(await store.head(key)).toEqual(old)   // a reader mid-put
 * gate.release()
 * await putting
 */
export function gatedBody(data: Uint8Array, head: number): GatedBody {
  if (head <= 0 || head >= data.byteLength) throw new RangeError('head must split data in two')
  let signalStarted!: () => void
  const started = new Promise<void>((resolve) => {
    signalStarted = resolve
  })
  let decide!: (outcome: { error?: Error }) => void
  const decided = new Promise<{ error?: Error }>((resolve) => {
    decide = resolve
  })
  let pulls = 0
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        pulls++
        if (pulls === 1) {
          controller.enqueue(data.slice(0, head))
          return
        }
        signalStarted()
        const { error } = await decided
        if (error) {
          controller.error(error)
          return
        }
        controller.enqueue(data.slice(head))
        controller.close()
      },
    },
    // No read-ahead: the second pull means the reader has consumed the first chunk.
    { highWaterMark: 0 },
  )
  return {
    stream,
    started(pending) {
      if (!pending) return started
      // Settling an already settled promise is a no-op, so the upload finishing later (as it
      // should, after release) is not an error.
      return new Promise<void>((resolve, reject) => {
        void started.then(resolve)
        Promise.resolve(pending).then(
          (value) => reject(new Error(`finished before reading its body's second chunk: ${describe(value)}`)),
          (err: unknown) =>
            reject(new Error(`failed before reading its body's second chunk: ${String(err)}`)),
        )
      })
    },
    release: () => decide({}),
    fail: (error) => decide({ error }),
  }
}

const describe = (value: unknown) => (value instanceof Response ? `HTTP ${value.status}` : String(value))
