/**
 * @module The encoding pipeline, the skeleton both encoders plug into. It owns everything between an
 * encoder and the consumer's `for await`:
 *
 * - the output channel: encoders `emit` finished files, the consumer pulls them one by one;
 * - the byte budget: bytes handed out but not yet taken by the consumer, kept in a counter that
 *   ffmpeg.wasm workers share (they add to it and block on it with `Atomics.wait`) and that
 *   main-thread encoders wait on (`room()`), so nothing runs ahead of a slow upload;
 * - abort: one signal for the consumer's abort, a failure anywhere, or the consumer walking away;
 * - the stall watchdog: a unit of work that is neither done nor paused for the consumer, and shows
 *   no sign of life for `stallTimeoutMs`, fails the encode instead of hanging the page;
 * - progress: units of work (a rendition's encoder, an ffmpeg.wasm instance) report source seconds
 *   done; the pipeline turns them into per-rendition rows, a weighted fraction, speed and ETA;
 * - subtitles and previews: subtitle tracks (sidecar files, or tracks an encoder copied out of the
 *   source) are converted to WebVTT here, and preview tiles from either encoder are packed into
 *   sprite sheets (sprites.ts);
 * - the manifest: when the encoder's work is done, its tracks, the subtitles and the previews
 *   become the published MPD, handed out last.
 *
 * An encoder is an {@link Engine}: `run(pipeline)` emits files and resolves with the tracks.
 * WebCodecs (webcodecs-backend.ts, one `RenditionEncoder` of rendition.ts per rendition, the AAC
 * track from `encodeAudio`) and ffmpeg.wasm (ffmpeg-backend.ts, parallel instances) are the two.
 *
 * @example
 * yield* runPipeline(plan, options, webCodecsEngine(file, plan, ready))
 */

import { sha256Hex } from '../../../server/lib/crypto.ts'
import { MANIFEST_NAME, POSTER_NAME, subtitleName } from '../../../server/lib/dash/names.ts'
import { timelineSeconds } from '../../../server/lib/dash/timeline.ts'
import type { SubtitleTrack } from '../../../server/lib/dash/tracks.ts'
import { Channel } from './channel.ts'
import { canShareMemory } from './core-loader.ts'
import { EncodeError } from './errors.ts'
import { buildManifest, type Track } from './manifest.ts'
import { toNumber } from './rational.ts'
import { rate, record, type SpeedSample } from './speed.ts'
import { SpriteSheets, type TilePainter } from './sprites.ts'
import { toWebVtt } from './subtitles/index.ts'
import {
  AUDIO_ROW,
  type EncodedFile,
  type EncodeOptions,
  type EncodeProgress,
  type LadderPlan,
  type RenditionProgress,
} from './types.ts'

/** Content-Type of each kind of output file, as uploaded. */
export const CONTENT_TYPES: Record<EncodedFile['kind'], string> = {
  manifest: 'application/dash+xml',
  init: 'video/mp4',
  segment: 'video/iso.segment',
  poster: 'image/jpeg',
  subtitles: 'text/vtt',
  sprite: 'image/jpeg',
  thumbnails: 'text/vtt',
}

const DEFAULT_BUFFER_LIMIT = 64 * 1024 * 1024
const DEFAULT_STALL_MS = 90_000
const REPORT_EVERY_MS = 250

/** What the page is told about the encoder doing the work (see EncodeProgress). */
export type EngineInfo = Pick<
  EncodeProgress,
  'backend' | 'encoder' | 'encoderDetail' | 'workers' | 'pausesForConsumer'
>

/** The tracks an engine produced, for the manifest. */
export interface EncodedTracks {
  /** Largest first, with the plan's ids. */
  video: Track[]
  /** Every audio rendition, in the plan's order. */
  audio: Track[]
}

/** An encoder plugged into the pipeline. */
export interface Engine {
  readonly info: EngineInfo
  /**
   * Produces every file but the manifest through `pipeline.emit`, and resolves with the tracks the
   * manifest lists. Stops (and releases what it holds) when `pipeline.signal` aborts.
   */
  run(pipeline: Pipeline): Promise<EncodedTracks>
}

export interface UnitSpec {
  /** Who does the work, for the stall error: "The browser’s 720p encoder". */
  name: string
  /** Representation ids whose progress rows this work counts toward. */
  tracks: readonly string[]
  /** Seconds of the source it covers. */
  length: number
  /** Its share of all the work, in any unit common to the engine's units. */
  cost: number
  state?: RenditionProgress['state']
}

/** One piece of work with its own progress: a rendition's encoder, an ffmpeg.wasm instance. */
export class WorkUnit {
  state: RenditionProgress['state']
  /** Source seconds done. */
  seconds = 0
  /** Recent (time, seconds done) pairs: speed is measured over the last few seconds. */
  readonly samples: SpeedSample[] = []
  /** When it last showed a sign of life, for the stall watchdog. */
  lastActivity = performance.now()

  constructor(
    readonly spec: UnitSpec,
    private readonly changed: (force: boolean) => void,
  ) {
    this.state = spec.state ?? 'loading'
  }

  /** Anything happened (a log line, a file): it is not stuck. */
  alive(): void {
    this.lastActivity = performance.now()
  }

  /** Source seconds done so far. */
  advance(seconds: number): void {
    this.alive()
    if (seconds <= this.seconds) return
    this.seconds = seconds
    record(this.samples, seconds)
    this.changed(false)
  }

  setState(state: RenditionProgress['state']): void {
    this.alive()
    if (state === this.state) return
    this.state = state
    this.changed(true)
  }

  /** 0..1 */
  get fraction(): number {
    return this.state === 'done'
      ? 1
      : Math.min(1, Math.max(0, this.seconds / Math.max(1e-3, this.spec.length)))
  }

  /** Source seconds per wall-clock second, recently; 0 until it means something or once done. */
  get speed(): number {
    return this.state === 'done' ? 0 : rate(this.samples)
  }
}

/** What an engine gets: where files go, the budget, the abort signal, progress units. */
export interface Pipeline {
  readonly plan: LadderPlan
  /** Aborts when the encode stops for any reason; its reason is why. */
  readonly signal: AbortSignal
  /**
   * The byte counter ffmpeg.wasm workers add to and block on, or null when this page cannot share
   * memory with workers (then they never pause).
   */
  readonly backpressure: { counter: SharedArrayBuffer; limit: number } | null
  /** Registers a unit of work shown in the progress. */
  unit(spec: UnitSpec): WorkUnit
  /**
   * Hands a finished file to the consumer. `countedByWorker`: an ffmpeg.wasm worker has already
   * added its bytes to the shared counter.
   */
  emit(file: Omit<EncodedFile, 'contentType'>, opts?: { countedByWorker?: boolean }): void
  /** Takes out of the shared counter the bytes of a worker's file that nobody will take. */
  discardWorkerBytes(bytes: number): void
  /**
   * Resolves once the consumer holds no more than the budget (at once when aborted); `units` show
   * "waiting" meanwhile. Main-thread encoders await it before each frame.
   */
  room(units: readonly WorkUnit[]): Promise<void>
  /** Stops the encode with this error (for failures outside `run`'s own promise: encoder callbacks). */
  fail(error: unknown): void
  /** Draws seek-bar preview tile `index` (the frame at index × plan.thumbnails.step). */
  tile(index: number, paint: TilePainter): void
  /** The plan's subtitle `k`, as an encoder copied it out of the source: converted and handed out. */
  subtitle(k: number, bytes: Uint8Array): void
}

/**
 * Runs an engine and hands out its files as they come, the manifest last.
 * @throws what the engine throws (EncodeError), or the signal's reason when aborted
 */
export async function* runPipeline(
  plan: LadderPlan,
  options: EncodeOptions,
  engine: Engine,
): AsyncGenerator<EncodedFile> {
  const run = new PipelineRun(plan, options, engine.info)
  run.readSidecars()
  const work = engine.run(run).then(
    (tracks) => run.finish(tracks),
    (error: unknown) => run.fail(error),
  )
  try {
    for (;;) {
      const { value, done } = await run.channel.next()
      if (done) break
      yield value
      // The consumer asked for the next file, so it is done holding on to this one.
      run.taken(value.bytes.byteLength)
    }
  } finally {
    run.stop()
    await work
  }
}

/** The wording of an error where encoded pieces cannot make one ladder. */
export function misfit(error: unknown): EncodeError {
  if (error instanceof EncodeError) return error
  return new EncodeError(
    'ffmpeg-failed',
    `The encoded parts do not fit together: ${(error as Error).message}`,
  )
}

/**
 * A poster JPEG drawn by `draw` at the plan's poster size, with the browser's own encoder (ffmpeg.wasm
 * 0.12.10's MJPEG encoder traps above roughly 960x540).
 */
export async function posterFile(
  plan: LadderPlan,
  draw: (context: OffscreenCanvasRenderingContext2D) => void,
): Promise<Omit<EncodedFile, 'contentType'>> {
  const { width, height } = plan.poster
  const canvas = new OffscreenCanvas(width, height)
  const context = canvas.getContext('2d')
  if (!context) throw new EncodeError('ffmpeg-failed', 'This browser cannot draw the poster image.')
  draw(context)
  const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.85 })
  return { path: POSTER_NAME, bytes: new Uint8Array(await blob.arrayBuffer()), kind: 'poster' }
}

class PipelineRun implements Pipeline {
  readonly channel = new Channel<EncodedFile>()
  readonly signal: AbortSignal
  readonly backpressure: Pipeline['backpressure']
  private readonly controller = new AbortController()
  private readonly units: WorkUnit[] = []
  /** Bytes handed out and not yet taken; shared with the ffmpeg.wasm workers where possible. */
  private readonly held: Int32Array
  private readonly limit: number
  /** Byte size of every media segment by path, for measured bandwidth. */
  private readonly sizes = new Map<string, number>()
  private readonly waiters = new Set<() => void>()
  private readonly started = performance.now()
  private readonly watchdog: ReturnType<typeof setInterval>
  private readonly onAbort = () => this.controller.abort(this.options.signal?.reason)
  private lastReport = 0
  private readonly sprites: SpriteSheets | null
  /** Subtitle tracks converted so far, by the plan's subtitle number. */
  private readonly texts = new Map<number, SubtitleTrack>()
  /** Conversions and reads still running; the manifest waits for them. */
  private readonly pending: Promise<void>[] = []

  constructor(
    readonly plan: LadderPlan,
    readonly options: EncodeOptions,
    private readonly info: EngineInfo,
  ) {
    this.limit = options.maxBufferedBytes ?? DEFAULT_BUFFER_LIMIT
    // A resumed encode's manifest measures the segments already stored too.
    for (const [path, size] of options.resume?.sizes ?? []) this.sizes.set(path, size)
    const shared = canShareMemory() ? new SharedArrayBuffer(4) : null
    this.held = new Int32Array(shared ?? new ArrayBuffer(4))
    this.backpressure = shared ? { counter: shared, limit: this.limit } : null
    this.signal = this.controller.signal
    // However the work stops, the consumer waiting for the next file hears why, and whoever waits
    // for room stops waiting.
    this.signal.addEventListener(
      'abort',
      () => {
        this.channel.close(this.signal.reason)
        this.wake()
      },
      { once: true },
    )
    if (options.signal?.aborted) this.onAbort()
    else options.signal?.addEventListener('abort', this.onAbort, { once: true })
    const stallMs = options.stallTimeoutMs ?? DEFAULT_STALL_MS
    this.watchdog = setInterval(() => this.checkStalls(stallMs), 1000)
    this.sprites = plan.thumbnails
      ? new SpriteSheets(
          plan.thumbnails,
          (file) => this.emit(file),
          (error) => this.fail(error),
        )
      : null
  }

  /** Starts converting the subtitle files dropped beside the video. */
  readSidecars(): void {
    this.plan.subtitles.forEach((sub, k) => {
      if (sub.source.kind !== 'sidecar') return
      const name = sub.source.name
      const file = this.options.sidecars?.find((f) => f.name === name)
      if (!file) {
        this.fail(new EncodeError('ffmpeg-failed', `The subtitle file “${name}” is not there any more.`))
        return
      }
      this.pending.push(file.arrayBuffer().then((buffer) => this.convert(k, new Uint8Array(buffer))))
    })
  }

  tile(index: number, paint: TilePainter): void {
    if (this.signal.aborted) return
    try {
      this.sprites?.draw(index, paint)
    } catch (error) {
      this.fail(error)
    }
  }

  subtitle(k: number, bytes: Uint8Array): void {
    this.pending.push(this.convert(k, bytes))
  }

  /**
   * Converts subtitle `k` to WebVTT and hands it out under its content's name. A track with nothing
   * readable in it is left out of the movie rather than failing it.
   */
  private async convert(k: number, bytes: Uint8Array): Promise<void> {
    const sub = this.plan.subtitles[k]
    if (!sub || this.signal.aborted) return
    let vtt: Uint8Array<ArrayBuffer>
    try {
      vtt = new TextEncoder().encode(toWebVtt(bytes, sub.source.format))
    } catch (error) {
      console.warn(`Subtitle track “${sub.label}” is left out: ${(error as Error).message}`)
      return
    }
    const path = subtitleName(sub.language, await sha256Hex(vtt))
    this.texts.set(k, {
      id: sub.id,
      language: sub.language,
      label: sub.label,
      role: sub.role,
      path,
      bandwidth: (vtt.byteLength * 8) / Math.max(1, this.plan.source.duration),
    })
    this.emit({ path, bytes: vtt, kind: 'subtitles' })
  }

  unit(spec: UnitSpec): WorkUnit {
    const unit = new WorkUnit(spec, (force) => this.report(force))
    this.units.push(unit)
    return unit
  }

  emit(file: Omit<EncodedFile, 'contentType'>, opts: { countedByWorker?: boolean } = {}): void {
    if (this.signal.aborted) return
    if (!(opts.countedByWorker && this.backpressure)) Atomics.add(this.held, 0, file.bytes.byteLength)
    if (file.kind === 'segment') this.sizes.set(file.path, file.bytes.byteLength)
    this.channel.push({ ...file, contentType: CONTENT_TYPES[file.kind] })
  }

  discardWorkerBytes(bytes: number): void {
    if (this.backpressure) this.taken(bytes)
  }

  async room(units: readonly WorkUnit[]): Promise<void> {
    if (!this.over()) return
    const paused = units.filter((u) => u.state !== 'done')
    const before = paused.map((u) => u.state)
    for (const u of paused) u.setState('waiting')
    while (this.over()) await new Promise<void>((resolve) => this.waiters.add(resolve))
    paused.forEach((u, i) => {
      u.setState(before[i]!)
    })
  }

  /** The consumer took `bytes` (or a worker's file was dropped): wake whoever waits for room. */
  taken(bytes: number): void {
    Atomics.sub(this.held, 0, bytes)
    Atomics.notify(this.held, 0)
    if (!this.over()) this.wake()
  }

  /** The engine is done: subtitles and previews finished, the manifest, a last report, the end of the stream. */
  async finish(tracks: EncodedTracks): Promise<void> {
    if (this.signal.aborted) return
    let xml: string
    try {
      await Promise.all(this.pending)
      const top = tracks.video[0]
      const thumbnails = this.plan.thumbnails
      let sprites = null
      if (this.sprites && thumbnails && top) {
        const seconds = timelineSeconds(top)
        const frames = Math.round(seconds * toNumber(this.plan.renditions[0]!.frameRate))
        await this.sprites.finish(Math.ceil(frames / thumbnails.step), seconds)
        sprites = { plan: thumbnails, bandwidth: (this.sprites.bytes * 8) / Math.max(1, seconds) }
      }
      if (this.signal.aborted) return
      const subtitles = [...this.texts.entries()].sort(([a], [b]) => a - b).map(([, t]) => t)
      xml = buildManifest({ plan: this.plan, ...tracks, subtitles, thumbnails: sprites, sizes: this.sizes })
    } catch (error) {
      this.fail(misfit(error))
      return
    }
    this.emit({ path: MANIFEST_NAME, bytes: new TextEncoder().encode(xml), kind: 'manifest' })
    this.report(true)
    this.channel.close()
  }

  fail(error: unknown): void {
    // The first reason wins; an abort's own reason already reached the consumer.
    if (!this.signal.aborted) this.controller.abort(error)
  }

  /** The consumer is gone or everything is done: stop whatever still runs. */
  stop(): void {
    clearInterval(this.watchdog)
    this.options.signal?.removeEventListener('abort', this.onAbort)
    if (!this.signal.aborted) this.controller.abort(new DOMException('Encoding stopped', 'AbortError'))
  }

  private over(): boolean {
    return Atomics.load(this.held, 0) > this.limit && !this.signal.aborted
  }

  private wake(): void {
    const waiting = [...this.waiters]
    this.waiters.clear()
    for (const resolve of waiting) resolve()
  }

  /** An encoder or decoder that stops answering would leave the page waiting forever. */
  private checkStalls(stallMs: number): void {
    const now = performance.now()
    for (const unit of this.units) {
      // Paused for the consumer, queued or finished is not stuck.
      if (unit.state !== 'loading' && unit.state !== 'encoding') continue
      if (now - unit.lastActivity > stallMs) {
        this.fail(
          new EncodeError(
            'stalled',
            `${unit.spec.name} made no progress for ${Math.round(stallMs / 1000)} s.`,
          ),
        )
        return
      }
    }
  }

  private report(force: boolean): void {
    const onProgress = this.options.onProgress
    if (!onProgress || this.signal.aborted) return
    const now = performance.now()
    if (!force && now - this.lastReport < REPORT_EVERY_MS) return
    this.lastReport = now
    const audio = this.plan.audio.flatMap((t) => t.renditions.map((r) => r.id))
    const tracks = [
      ...this.plan.renditions.map((r) => ({
        id: r.id,
        ids: [r.id],
        label: r.label,
        fps: toNumber(r.frameRate),
      })),
      // Every audio track is one row: they are encoded together.
      ...(audio.length > 0 ? [{ id: AUDIO_ROW, ids: audio, label: 'Audio', fps: 0 }] : []),
    ]
    const rows: RenditionProgress[] = []
    for (const track of tracks) {
      // A rendition may be encoded in several slices at once: their work and speeds add up.
      const parts = this.units.filter((u) => u.spec.tracks.some((id) => track.ids.includes(id)))
      if (parts.length === 0) continue
      const total = parts.reduce((sum, u) => sum + u.spec.length, 0)
      const done = parts.reduce((sum, u) => sum + u.fraction * u.spec.length, 0)
      const speed = parts.reduce((sum, u) => sum + u.speed, 0)
      const states = parts.map((u) => u.state)
      rows.push({
        id: track.id,
        label: track.label,
        seconds: done,
        fraction: total > 0 ? done / total : 0,
        fps: speed * track.fps,
        eta: latest(parts.map(remaining)),
        state: states.every((s) => s === 'done')
          ? 'done'
          : (['encoding', 'waiting', 'loading', 'queued'] as const).find((s) => states.includes(s))!,
      })
    }
    const cost = this.units.reduce((sum, u) => sum + u.spec.cost, 0)
    onProgress({
      ...this.info,
      renditions: rows,
      fraction: cost > 0 ? this.units.reduce((sum, u) => sum + u.fraction * u.spec.cost, 0) / cost : 0,
      eta: latest(rows.map((r) => r.eta)),
      elapsed: (now - this.started) / 1000,
      bufferedBytes: Math.max(0, Atomics.load(this.held, 0)),
    })
  }
}

/** Seconds a unit has left at its recent speed: 0 when done, null until it has a speed. */
function remaining(unit: WorkUnit): number | null {
  if (unit.state === 'done') return 0
  const speed = unit.speed
  return speed > 0 ? (unit.spec.length - unit.seconds) / speed : null
}

/** When the last of several things finishes: null if any of them cannot say. */
function latest(etas: readonly (number | null)[]): number | null {
  let out = 0
  for (const eta of etas) {
    if (eta === null) return null
    out = Math.max(out, eta)
  }
  return out
}
