/**
 * What a player holds on things that outlive it (listeners on document and window, timers,
 * observers), released together when the player is destroyed.
 * @module
 */

export interface Lifetime {
  /** Adds a listener that `dispose()` removes. */
  listen<E extends Event = Event>(target: EventTarget, type: string, fn: (event: E) => void): void
  /** Runs `fn` on `dispose()`. */
  onDispose(fn: () => void): void
  dispose(): void
}

export function createLifetime(): Lifetime {
  const cleanups: (() => void)[] = []
  return {
    listen(target, type, fn) {
      target.addEventListener(type, fn as EventListener)
      cleanups.push(() => target.removeEventListener(type, fn as EventListener))
    },
    onDispose(fn) {
      cleanups.push(fn)
    },
    dispose() {
      for (const fn of cleanups.splice(0)) fn()
    },
  }
}
