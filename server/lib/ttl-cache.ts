/**
 * A small map whose entries expire after a fixed time and whose oldest entries go first when it is
 * full. In memory, per app: it speeds up one process, it does not share anything between them.
 * @module
 */

export interface TtlCache<V> {
  /** The value if it was set less than `ttlMs` ago. */
  get(key: string): V | undefined
  set(key: string, value: V): void
  delete(key: string): void
  /** Forgets everything. */
  clear(): void
}

/**
 * @example const c = ttlCache<string>({ ttlMs: 1000, maxEntries: 100, now: Date.now }); c.set('a', 'x')
 */
export function ttlCache<V>(opts: { ttlMs: number; maxEntries: number; now: () => number }): TtlCache<V> {
  const entries = new Map<string, { at: number; value: V }>()
  return {
    get(key) {
      const hit = entries.get(key)
      if (!hit) return undefined
      const age = opts.now() - hit.at
      // A clock set back makes the age negative: treat that as stale too.
      return age >= 0 && age < opts.ttlMs ? hit.value : undefined
    },
    set(key, value) {
      // Deleted first so the key moves to the end: the map's order is then the age order.
      entries.delete(key)
      entries.set(key, { at: opts.now(), value })
      if (entries.size > opts.maxEntries) entries.delete(entries.keys().next().value!)
    },
    delete(key) {
      entries.delete(key)
    },
    clear() {
      entries.clear()
    },
  }
}
