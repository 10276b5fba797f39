/**
 * @module One upload from start to published: create the movie, encode and upload at the same
 * time, publish, and handle pause, Retry and Cancel. Knows nothing about the DOM; the page renders
 * its snapshots.
 */
import { mediaName, parseSegmentName } from '../../../server/lib/dash/names.ts'
import { ApiError, api, call, type Movie } from '../api.ts'
import { EncodeError } from '../encode/errors.ts'
import { encode } from '../encode/lazy.ts'
import type { EncodeProgress, EncodeResume, LadderPlan } from '../encode/types.ts'
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
  /** The browser's encoder failed on this file: Retry encodes it with ffmpeg.wasm. */
  fallback: boolean
  /** The encoder that made the parts on the server ("webcodecs", "ffmpeg.wasm"), once known. */
  backend: string | null
}

export interface SessionOptions {
  onChange: (snapshot: SessionSnapshot) => void
  /** Subtitle files dropped with the video, which the plan's sidecar subtitles name. */
  sidecars?: readonly File[]
  workers?: number
  transport?: Transport
  concurrency?: number
  /** A draft movie made before the page was reloaded: continue it rather than create another. */
  movieId?: string | null
  /** The encoder that made that draft's stored parts: they are kept when the same one runs again. */
  backend?: string | null
  /** 'ffmpeg.wasm': leave the browser's encoder out (it failed on this file before). */
  engine?: 'ffmpeg.wasm' | null
  /**
   * Waits for this file's turn to encode (one file encodes while the one before it finishes
   * uploading); resolves with the function that ends the turn.
   */
  encodeTurn?: () => Promise<() => void>
}

/** Bytes the ladder will take: bitrates times duration plus a little container overhead. */
export function estimateBytes(plan: LadderPlan): number {
  const audio = plan.audio.flatMap((t) => t.renditions).reduce((sum, r) => sum + r.bitrate, 0)
  const bits = plan.renditions.reduce((sum, r) => sum + r.bitrate, 0) + audio
  return Math.round((bits * plan.source.duration * 1.03) / 8)
}

/** What the server already stores for the movie: path → SHA-256 and size. */
async function storedFiles(movieId: string): Promise<Map<string, { sha256: string; size: number }>> {
  const list = await call(api.movies[':id'].files.$get({ param: { id: movieId } }))
  return new Map(list.items.map((f) => [f.path, { sha256: f.sha256, size: f.size }]))
}

/**
 * Segments, and the init segments that describe them (which differ between two runs of the same
 * encoder only by the muxer's creation time): a stored one stays when the same encoder remakes it.
 */
const isMedia = (kind: string) => kind === 'segment' || kind === 'init'

const hashes = (stored: ReadonlyMap<string, { sha256: string }>) =>
  new Map([...stored].map(([path, f]) => [path, f.sha256]))

/**
 * Where an interrupted encode picks up: for every video rendition, the first segment the server
 * does not have, and the sizes of the segments it does.
 */
export function resumePoint(
  plan: LadderPlan,
  stored: ReadonlyMap<string, { size: number }>,
): EncodeResume | undefined {
  const from: Record<string, number> = {}
  for (const r of plan.renditions) {
    let k = 1
    while (stored.has(mediaName(r.id, k))) k++
    from[r.id] = k
  }
  if (Object.values(from).every((k) => k === 1)) return undefined
  const sizes = new Map<string, number>()
  for (const [path, f] of stored) if (parseSegmentName(path)?.kind === 'media') sizes.set(path, f.size)
  return { from, sizes }
}

export class UploadSession {
  private snapshot: SessionSnapshot
  private queue: UploadQueue | null = null
  private encoding: AbortController | null = null
  private running: Promise<void> | null = null

  constructor(
    private readonly file: File,
    private readonly plan: LadderPlan,
    private fields: MovieFields,
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
      fallback: options.engine === 'ffmpeg.wasm',
      backend: options.backend ?? null,
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
        this.queue.retry(hashes(await storedFiles(movie.id)))
      } catch (error) {
        this.update({ phase: 'paused', error: explain(error) })
      }
      return
    }
    if (phase === 'failed') await this.start()
  }

  /** Changes the episode number the draft is made with (before a retry of a refused one). */
  renumber(episode: number): void {
    this.fields = { ...this.fields, episode }
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
    let endTurn: (() => void) | null = null
    try {
      const movie = this.snapshot.movie ?? (await this.draft())
      const id = movie.id
      // Published before the page could note it (a reload right at the end): nothing left to do.
      if (movie.status === 'ready') {
        this.update({ phase: 'done', movie })
        return
      }
      const stored = await storedFiles(id)

      const encodeDone = this.snapshot.encodeDone && this.queue !== null
      if (!encodeDone) {
        this.queue?.abort()
        this.queue = new UploadQueue({
          transport: this.options.transport ?? xhrTransport,
          urlFor: (path) => api.movies[':id'].files[':path{.+}'].$path({ param: { id, path } }),
          stored: hashes(stored),
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
        this.update({ phase: 'encoding', encodeDone: false, encode: null })
        endTurn = (await this.options.encodeTurn?.()) ?? null
        if (this.snapshot.phase === 'cancelled') throw new DOMException('Upload cancelled', 'AbortError')
        this.encoding = new AbortController()
        // Parts made by the same encoder as the stored ones fit with them: a resumed encode starts at
        // the first segment missing, and a stored segment is not sent again.
        const previous = this.snapshot.backend
        const engine = this.snapshot.fallback ? ('ffmpeg.wasm' as const) : undefined
        const sameEncoder = () => previous !== null && this.snapshot.encode?.backend === previous
        const resume = previous === 'webcodecs' && !engine ? resumePoint(this.plan, stored) : undefined
        const files = encode(this.file, this.plan, {
          signal: this.encoding.signal,
          onProgress: (progress) => {
            this.update({
              encode: progress,
              ...(this.snapshot.backend !== progress.backend ? { backend: progress.backend } : {}),
            })
          },
          ...(this.options.workers ? { workers: this.options.workers } : {}),
          ...(this.options.sidecars ? { sidecars: this.options.sidecars } : {}),
          ...(resume ? { resume } : {}),
          ...(engine ? { engine } : {}),
        })
        for await (const file of files) {
          if (file.kind === 'poster' && !this.snapshot.posterUrl) {
            const blob = new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: file.contentType })
            this.update({ posterUrl: URL.createObjectURL(blob) })
          }
          await this.queue.add({ ...file, keepStored: isMedia(file.kind) && sameEncoder() })
        }
        endTurn?.()
        endTurn = null
        this.update({ encodeDone: true, expectedBytes: this.queue.current.queuedBytes })
      }
      await this.queue!.drain()

      this.update({ phase: 'publishing', error: null })
      const published = await call(
        api.movies[':id'].publish.$post({ param: { id }, json: { manifest: 'manifest.mpd' } }),
      )
      this.update({ phase: 'done', movie: published })
    } catch (error) {
      endTurn?.()
      if (this.snapshot.phase === 'cancelled') return
      this.encoding?.abort(error)
      if (!this.snapshot.encodeDone) this.queue?.abort(error)
      // The browser's encoder failed on this file: the next attempt leaves it out.
      const browserFailed =
        error instanceof EncodeError &&
        !this.snapshot.encodeDone &&
        (error.code === 'browser-encoder' || this.snapshot.encode?.backend === 'webcodecs')
      this.update({
        phase: 'failed',
        error: explain(error, browserFailed),
        ...(browserFailed ? { fallback: true } : {}),
      })
    }
  }

  /** The draft movie: the one made before a reload if it is still there, else a new one. */
  private async draft(): Promise<Movie> {
    let movie: Movie | null = null
    if (this.options.movieId) {
      movie = await call(api.movies[':id'].$get({ param: { id: this.options.movieId } })).catch(
        (error: unknown) => {
          // Deleted meanwhile: start over with a new draft.
          if (error instanceof ApiError && error.status === 404) return null
          throw error
        },
      )
    }
    if (!movie) {
      movie = await call(api.movies.$post({ json: this.fields }))
      // Nothing stored belongs to this new draft.
      this.update({ backend: null })
    }
    this.update({ movie })
    return movie
  }
}
