/**
 * In-process locks keyed by a string (a blob key, a movie id). They order work inside one
 * process; they are not distributed locks.
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

interface RwState {
  readers: number
  writer: boolean
  queue: { exclusive: boolean; grant: () => void }[]
}

/**
 * Many shared holders or one exclusive holder per key. A waiting exclusive holder goes before
 * shared holders that arrive after it, so a steady stream of shared work cannot starve it.
 * @example await locks.shared(movieId, () => storeOneFile()); await locks.exclusive(movieId, () => publish())
 */
export function keyedRwLock() {
  const states = new Map<string, RwState>()

  const acquire = (key: string, exclusive: boolean): Promise<void> => {
    let s = states.get(key)
    if (!s) {
      s = { readers: 0, writer: false, queue: [] }
      states.set(key, s)
    }
    const free = exclusive
      ? !s.writer && s.readers === 0 && s.queue.length === 0
      : !s.writer && s.queue.length === 0
    if (free) {
      if (exclusive) s.writer = true
      else s.readers++
      return Promise.resolve()
    }
    const state = s
    return new Promise((resolve) => {
      state.queue.push({
        exclusive,
        grant: () => {
          if (exclusive) state.writer = true
          else state.readers++
          resolve()
        },
      })
    })
  }

  const release = (key: string, exclusive: boolean) => {
    const s = states.get(key)!
    if (exclusive) s.writer = false
    else s.readers--
    while (s.queue.length > 0 && !s.writer) {
      const next = s.queue[0]!
      if (next.exclusive && s.readers > 0) break
      s.queue.shift()
      next.grant()
      if (next.exclusive) break
    }
    if (!s.writer && s.readers === 0 && s.queue.length === 0) states.delete(key)
  }

  const hold =
    (exclusive: boolean) =>
    async <T>(key: string, fn: () => Promise<T>): Promise<T> => {
      await acquire(key, exclusive)
      try {
        return await fn()
      } finally {
        release(key, exclusive)
      }
    }

  return { shared: hold(false), exclusive: hold(true) }
}

export type KeyedRwLock = ReturnType<typeof keyedRwLock>
