/**
 * In-process locks keyed by a string (a blob key). They order work inside one process; they are
 * not distributed locks (for those, see services/leases.ts).
 * @module
 */

/**
 * One critical section at a time per key; `idle` waits until nothing holds the key.
 * @example const m = keyedMutex(); await m.run('movies/x/a.m4s', () => rename(tmp, file))
 */
export function keyedMutex() {
  const tails = new Map<string, Promise<void>>()
  return {
    async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
      const before = tails.get(key) ?? Promise.resolve()
      let release!: () => void
      const mine = new Promise<void>((r) => {
        release = r
      })
      const tail = before.then(() => mine)
      tails.set(key, tail)
      await before
      try {
        return await fn()
      } finally {
        release()
        if (tails.get(key) === tail) tails.delete(key)
      }
    },
    async idle(key: string): Promise<void> {
      await tails.get(key)
    },
  }
}

export type KeyedMutex = ReturnType<typeof keyedMutex>
