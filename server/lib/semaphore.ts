/**
 * A counting semaphore with a bounded queue: at most `concurrency` tasks run at once, at most
 * `queue` more wait, and anything beyond is refused at once rather than piling up.
 * @module
 */

export interface Semaphore {
  /**
   * Runs `fn` when a slot is free; `full()` is thrown (without running `fn`) when every slot is
   * taken and the queue is full too.
   */
  run<T>(fn: () => Promise<T>, full: () => Error): Promise<T>
}

/**
 * @example
 * const hashing = semaphore(2, 16)
 * await hashing.run(() => scrypt(…), () => new Error('busy'))
 */
export function semaphore(concurrency: number, queue: number): Semaphore {
  let running = 0
  const waiting: (() => void)[] = []
  const release = () => {
    const next = waiting.shift()
    if (next) next()
    else running--
  }
  return {
    async run(fn, full) {
      if (running < concurrency) running++
      else if (waiting.length < queue) await new Promise<void>((resolve) => waiting.push(resolve))
      else throw full()
      // A slot handed over by release() keeps `running` as it was: one task leaves, one enters.
      try {
        return await fn()
      } finally {
        release()
      }
    },
  }
}
