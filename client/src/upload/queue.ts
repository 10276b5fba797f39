/**
 * @module The upload queue: a few files in flight at once, transient failures retried with
 * exponential backoff, a pause (not a crash) when the server refuses or the network stays down,
 * and resume that skips every file the server already holds with the same SHA-256.
 */
import { ApiError, sha256Hex } from '../api.ts'
import type { Transport } from './transport.ts'

export interface QueueItem {
  path: string
  bytes: Uint8Array
  contentType: string
  /**
   * A file the server stores under this path is kept whatever its hash: a resumed encode's
   * segment, which the stored one (made by the same encoder, same times) replaces exactly.
   */
  keepStored?: boolean
}

export type QueueState = 'idle' | 'running' | 'retrying' | 'offline' | 'paused' | 'aborted'

export interface QueueStatus {
  state: QueueState
  /** Bytes handed to the queue so far. */
  queuedBytes: number
  /** Bytes the server has (sent and confirmed, in flight, or already stored there). */
  doneBytes: number
  /** Files uploaded or found already stored, and files handed to the queue. */
  doneFiles: number
  totalFiles: number
  /** Of `doneFiles`, those the server already had (resumed uploads). */
  skippedFiles: number
  /** Recent upload speed. */
  bytesPerSecond: number
  /** The next attempt, while waiting to retry. */
  retry: { path: string; attempt: number; at: number } | null
  /** Why the queue is paused. */
  error: ApiError | null
}

export interface NetworkWatch {
  online(): boolean
  waitOnline(signal: AbortSignal): Promise<void>
}

export interface QueueOptions {
  transport: Transport
  /** The PUT URL of a file. */
  urlFor: (path: string) => string
  /** What the server already stores: path → SHA-256. */
  stored?: ReadonlyMap<string, string>
  concurrency?: number
  /** Attempts per file for transient failures before the queue pauses and asks the person. */
  maxAttempts?: number
  baseDelayMs?: number
  maxDelayMs?: number
  /** `add()` waits while more than this many bytes are queued and not yet uploaded. */
  maxQueuedBytes?: number
  onStatus?: (status: QueueStatus) => void
  network?: NetworkWatch
}

/** The browser's idea of connectivity: navigator.onLine and the `online` event. */
export const browserNetwork: NetworkWatch = {
  online: () => globalThis.navigator?.onLine !== false,
  waitOnline: (signal) =>
    new Promise<void>((resolve, reject) => {
      const done = () => {
        globalThis.removeEventListener('online', done)
        signal.removeEventListener('abort', fail)
        resolve()
      }
      const fail = () => {
        globalThis.removeEventListener('online', done)
        reject(signal.reason)
      }
      globalThis.addEventListener('online', done, { once: true })
      signal.addEventListener('abort', fail, { once: true })
    }),
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason)
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal.reason)
    }
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

interface Waiter {
  resolve: () => void
  reject: (e: unknown) => void
}

/**
 * Uploads files as they are added. `add()` resolves once there is room for more, so a producer
 * that awaits it never holds more than `maxQueuedBytes` in memory; `drain()` resolves when every
 * file is on the server.
 *
 * @example
 * const queue = new UploadQueue({ transport: xhrTransport, urlFor: (p) => `/api/movies/${id}/files/${p}` })
 * for await (const file of encode(source, plan)) await queue.add(file)
 * await queue.drain()
 */
export class UploadQueue {
  private readonly opts: Required<Omit<QueueOptions, 'stored' | 'onStatus'>> & Pick<QueueOptions, 'onStatus'>
  private stored: ReadonlyMap<string, string>
  private pending: QueueItem[] = []
  private active = 0
  private readonly inFlight = new Map<string, number>()
  private readonly controller = new AbortController()
  private roomWaiters: Waiter[] = []
  private drainWaiters: Waiter[] = []
  private samples: { t: number; bytes: number }[] = []
  private confirmedBytes = 0
  private paused = false
  private offlineWaits = 0
  private retryWaits = 0
  private status: QueueStatus = {
    state: 'idle',
    queuedBytes: 0,
    doneBytes: 0,
    doneFiles: 0,
    totalFiles: 0,
    skippedFiles: 0,
    bytesPerSecond: 0,
    retry: null,
    error: null,
  }

  constructor(options: QueueOptions) {
    this.opts = {
      concurrency: 3,
      maxAttempts: 5,
      baseDelayMs: 1000,
      maxDelayMs: 30_000,
      maxQueuedBytes: 32 * 1024 * 1024,
      network: browserNetwork,
      ...options,
    }
    this.stored = options.stored ?? new Map()
  }

  get current(): QueueStatus {
    return { ...this.status }
  }

  /** Queues a file; resolves when the queue can take more. Rejects once the queue is aborted. */
  async add(item: QueueItem): Promise<void> {
    this.throwIfAborted()
    this.pending.push(item)
    this.status.totalFiles++
    this.status.queuedBytes += item.bytes.byteLength
    this.pump()
    while (
      this.backlogBytes() > this.opts.maxQueuedBytes ||
      this.pending.length > this.opts.concurrency * 4
    ) {
      await new Promise<void>((resolve, reject) => this.roomWaiters.push({ resolve, reject }))
    }
  }

  /** Resolves when everything added so far is on the server; stays pending while paused. */
  async drain(): Promise<void> {
    this.throwIfAborted()
    if (this.isSettled()) return
    await new Promise<void>((resolve, reject) => this.drainWaiters.push({ resolve, reject }))
  }

  /** Resumes a paused queue, first taking in a fresh listing of what the server already stores. */
  retry(stored?: ReadonlyMap<string, string>): void {
    if (stored) this.stored = stored
    if (!this.paused || this.controller.signal.aborted) return
    this.paused = false
    this.status.error = null
    this.emit()
    this.pump()
  }

  /** Stops everything; in-flight requests are cancelled and every waiter rejects with `reason`. */
  abort(reason: unknown = new DOMException('Upload cancelled', 'AbortError')): void {
    if (this.controller.signal.aborted) return
    this.controller.abort(reason)
    this.emit()
    for (const w of [...this.roomWaiters, ...this.drainWaiters]) w.reject(reason)
    this.roomWaiters = []
    this.drainWaiters = []
  }

  private throwIfAborted() {
    if (this.controller.signal.aborted) throw this.controller.signal.reason
  }

  private backlogBytes(): number {
    let bytes = 0
    for (const item of this.pending) bytes += item.bytes.byteLength
    return bytes
  }

  private isSettled(): boolean {
    return this.pending.length === 0 && this.active === 0
  }

  private state(): QueueState {
    if (this.controller.signal.aborted) return 'aborted'
    if (this.paused) return 'paused'
    if (this.offlineWaits > 0) return 'offline'
    if (this.retryWaits > 0) return 'retrying'
    return this.active > 0 ? 'running' : 'idle'
  }

  private emit() {
    let inFlight = 0
    for (const sent of this.inFlight.values()) inFlight += sent
    const now = performance.now()
    const done = this.confirmedBytes + inFlight
    this.samples.push({ t: now, bytes: done })
    while (this.samples.length > 2 && now - this.samples[0]!.t > 8000) this.samples.shift()
    const first = this.samples[0]!
    const span = (now - first.t) / 1000
    this.status = {
      ...this.status,
      state: this.state(),
      doneBytes: done,
      bytesPerSecond: span > 0.5 ? Math.max(0, (done - first.bytes) / span) : this.status.bytesPerSecond,
    }
    this.opts.onStatus?.({ ...this.status })
  }

  private wake() {
    const room = this.roomWaiters
    this.roomWaiters = []
    for (const w of room) w.resolve()
    if (this.isSettled()) {
      const drained = this.drainWaiters
      this.drainWaiters = []
      for (const w of drained) w.resolve()
      this.emit()
    }
  }

  private pump() {
    if (this.paused || this.controller.signal.aborted) return
    while (this.active < this.opts.concurrency && this.pending.length > 0) {
      const item = this.pending.shift()!
      this.active++
      this.emit()
      this.upload(item).then(
        () => {
          this.active--
          this.wake()
          this.pump()
        },
        (error: unknown) => {
          this.active--
          if (this.controller.signal.aborted) return
          // Back to the front: after Retry it goes first, and nothing is lost.
          this.pending.unshift(item)
          this.status.error = error instanceof ApiError ? error : new ApiError(0, String(error))
          this.paused = true
          this.emit()
          this.wake()
        },
      )
    }
    this.wake()
  }

  private async upload(item: QueueItem): Promise<void> {
    const signal = this.controller.signal
    const sha256 = await sha256Hex(item.bytes)
    const known = this.stored.get(item.path)
    if (known === sha256 || (item.keepStored && known !== undefined)) {
      this.confirmedBytes += item.bytes.byteLength
      this.status.doneFiles++
      this.status.skippedFiles++
      this.emit()
      return
    }
    for (let attempt = 1; ; attempt++) {
      if (!this.opts.network.online()) {
        this.offlineWaits++
        this.emit()
        try {
          await this.opts.network.waitOnline(signal)
        } finally {
          this.offlineWaits--
        }
        this.emit()
      }
      try {
        this.inFlight.set(item.path, 0)
        await this.opts.transport({
          url: this.opts.urlFor(item.path),
          bytes: item.bytes,
          sha256,
          contentType: item.contentType,
          signal,
          onProgress: (sent) => {
            this.inFlight.set(item.path, Math.min(sent, item.bytes.byteLength))
            this.emit()
          },
        })
        this.inFlight.delete(item.path)
        this.confirmedBytes += item.bytes.byteLength
        this.status.doneFiles++
        if (this.status.retry?.path === item.path) this.status.retry = null
        this.emit()
        return
      } catch (error) {
        this.inFlight.delete(item.path)
        if (signal.aborted) throw signal.reason
        const failure = error instanceof ApiError ? error : new ApiError(0, String(error))
        // Offline is not a failed attempt: wait for the network and try again.
        if (failure.status === 0 && !this.opts.network.online()) continue
        if (!failure.transient || attempt >= this.opts.maxAttempts) throw failure
        const backoff = Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** (attempt - 1))
        // Jitter, so parallel uploads that failed together do not all come back together.
        const delay = Math.max((failure.retryAfter ?? 0) * 1000, backoff * (0.5 + Math.random() / 2))
        this.status.retry = { path: item.path, attempt: attempt + 1, at: Date.now() + delay }
        this.retryWaits++
        this.emit()
        try {
          await sleep(delay, signal)
        } finally {
          this.retryWaits--
        }
        this.status.retry = null
        this.emit()
      }
    }
  }
}
