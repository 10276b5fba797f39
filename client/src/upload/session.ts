/**
 * @module One upload from start to published: create the movie, encode and upload at the same
 * time, publish, and handle pause, Retry and Cancel. Knows nothing about the DOM; the page renders
 * its snapshots.
 */
import { api, call, type Movie } from '../api.ts'
import { encode } from '../encode/lazy.ts'
import type { EncodeProgress, LadderPlan } from '../encode/types.ts'
import { type Explanation, explain } from './messages.ts'
import { type QueueStatus, UploadQueue } from './queue.ts'
import { type Transport, xhrTransport } from './transport.ts'

export interface MovieFields {
  name: string
  description: string
  active: boolean
  /** An episode of this series (season and episode: the server proposes them when left out). */
  seriesId?: string
  season?: number
  episode?: number
}

export type Phase = 'creating' | 'encoding' | 'publishing' | 'paused' | 'done' | 'failed' | 'cancelled'

export interface SessionSnapshot {
  phase: Phase
  movie: Movie | null
  encode: EncodeProgress | null
  encodeDone: boolean
  upload: QueueStatus | null
  /** Bytes the whole upload will be: an estimate from the plan until encoding is done, then exact. */
  expectedBytes: number
  /** An object URL of the poster as soon as it is encoded. */
  posterUrl: string | null
  error: Explanation | null
}

export interface SessionOptions {
  onChange: (snapshot: SessionSnapshot) => void
  /** Subtitle files dropped with the video, which the plan's sidecar subtitles name. */
  sidecars?: readonly File[]
  workers?: number
  transport?: Transport
  concurrency?: number
}

/** Bytes the ladder will take: bitrates times duration plus a little container overhead. */
export function estimateBytes(plan: LadderPlan): number {
  const audio = plan.audio.flatMap((t) => t.renditions).reduce((sum, r) => sum + r.bitrate, 0)
  const bits = plan.renditions.reduce((sum, r) => sum + r.bitrate, 0) + audio
  return Math.round((bits * plan.source.duration * 1.03) / 8)
}

/** What the server already stores for the movie: path → SHA-256. */
async function storedFiles(movieId: string): Promise<Map<string, string>> {
  const list = await call(api.movies[':id'].files.$get({ param: { id: movieId } }))
  return new Map(list.items.map((f) => [f.path, f.sha256]))
}

export class UploadSession {
  private snapshot: SessionSnapshot
  private queue: UploadQueue | null = null
  private encoding: AbortController | null = null
  private running: Promise<void> | null = null

  constructor(
    private readonly file: File,
    private readonly plan: LadderPlan,
    private readonly fields: MovieFields,
    private readonly options: SessionOptions,
  ) {
    this.snapshot = {
      phase: 'creating',
      movie: null,
      encode: null,
      encodeDone: false,
      upload: null,
      expectedBytes: estimateBytes(plan),
      posterUrl: null,
      error: null,
    }
  }

  get current(): SessionSnapshot {
    return this.snapshot
  }

  private update(patch: Partial<SessionSnapshot>) {
    this.snapshot = { ...this.snapshot, ...patch }
    this.options.onChange(this.snapshot)
  }

  /** Starts (or, after a failure, restarts) the upload; resolves when it has settled either way. */
  start(): Promise<void> {
    this.running ??= this.run().finally(() => {
      this.running = null
    })
    return this.running
  }

  /**
   * After a pause, resumes the queue with a fresh list of what the server has; after a failure,
   * runs again: finished parts already on the server are skipped by their hash, and encoding output
   * is byte-for-byte the same each time, so only what is missing is sent.
   */
  async retry(): Promise<void> {
    const { phase, movie } = this.snapshot
    if (phase === 'paused' && this.queue && movie) {
      this.update({ phase: this.snapshot.encodeDone ? 'publishing' : 'encoding', error: null })
      try {
        this.queue.retry(await storedFiles(movie.id))
      } catch (error) {
        this.update({ phase: 'paused', error: explain(error) })
      }
      return
    }
    if (phase === 'failed') await this.start()
  }

  /** Stops encoding and uploading and deletes the draft movie from the server. */
  async cancel(): Promise<void> {
    const movie = this.snapshot.movie
    const reason = new DOMException('Upload cancelled', 'AbortError')
    this.encoding?.abort(reason)
    this.queue?.abort(reason)
    this.update({ phase: 'cancelled', error: null })
    if (movie && movie.status !== 'ready') {
      await call(api.movies[':id'].$delete({ param: { id: movie.id } })).catch(() => undefined)
    }
  }

  private async run(): Promise<void> {
    this.update({ phase: 'creating', error: null })
    try {
      let movie = this.snapshot.movie
      if (!movie) {
        movie = await call(api.movies.$post({ json: this.fields }))
        this.update({ movie })
      }
      const id = movie.id
      const stored = await storedFiles(id)

      const encodeDone = this.snapshot.encodeDone && this.queue !== null
      if (!encodeDone) {
        this.queue?.abort()
        this.queue = new UploadQueue({
          transport: this.options.transport ?? xhrTransport,
          urlFor: (path) => api.movies[':id'].files[':path{.+}'].$path({ param: { id, path } }),
          stored,
          concurrency: this.options.concurrency ?? 3,
          onStatus: (upload) => {
            if (this.snapshot.phase === 'cancelled') return
            const paused = upload.state === 'paused' && upload.error
            this.update({
              upload,
              ...(paused ? { phase: 'paused' as const, error: explain(upload.error) } : {}),
            })
          },
        })
        this.update({ phase: 'encoding', encodeDone: false })
        this.encoding = new AbortController()
        const files = encode(this.file, this.plan, {
          signal: this.encoding.signal,
          onProgress: (progress) => this.update({ encode: progress }),
          ...(this.options.workers ? { workers: this.options.workers } : {}),
          ...(this.options.sidecars ? { sidecars: this.options.sidecars } : {}),
        })
        for await (const file of files) {
          if (file.kind === 'poster' && !this.snapshot.posterUrl) {
            const blob = new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: file.contentType })
            this.update({ posterUrl: URL.createObjectURL(blob) })
          }
          await this.queue.add(file)
        }
        this.update({ encodeDone: true, expectedBytes: this.queue.current.queuedBytes })
      }
      await this.queue!.drain()

      this.update({ phase: 'publishing', error: null })
      const published = await call(
        api.movies[':id'].publish.$post({ param: { id }, json: { manifest: 'manifest.mpd' } }),
      )
      this.update({ phase: 'done', movie: published })
    } catch (error) {
      if (this.snapshot.phase === 'cancelled') return
      this.encoding?.abort(error)
      if (!this.snapshot.encodeDone) this.queue?.abort(error)
      this.update({ phase: 'failed', error: explain(error) })
    }
  }
}
