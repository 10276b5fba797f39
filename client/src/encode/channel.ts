/** @module The queue between encoders, which push finished files, and the consumer's for-await. */

/** An unbounded async queue: pushes from worker events, pulls from the consumer's for-await. */
export class Channel<T> {
  private items: T[] = []
  private waiting: ((r: IteratorResult<T>) => void) | null = null
  private failWaiting: ((e: unknown) => void) | null = null
  private closed = false
  private error: unknown = null

  push(item: T): void {
    if (this.closed) return
    if (this.waiting) {
      const resolve = this.waiting
      this.waiting = null
      this.failWaiting = null
      resolve({ value: item, done: false })
    } else this.items.push(item)
  }

  close(error: unknown = null): void {
    if (this.closed) return
    this.closed = true
    this.error = error
    if (error && this.failWaiting) this.failWaiting(error)
    else this.waiting?.({ value: undefined as never, done: true })
    this.waiting = null
    this.failWaiting = null
  }

  next(): Promise<IteratorResult<T>> {
    const item = this.items.shift()
    if (item !== undefined) return Promise.resolve({ value: item, done: false })
    if (this.closed) {
      return this.error
        ? Promise.reject(this.error)
        : Promise.resolve({ value: undefined as never, done: true })
    }
    return new Promise((resolve, reject) => {
      this.waiting = resolve
      this.failWaiting = reject
    })
  }
}
