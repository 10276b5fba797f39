/**
 * @module The WebCodecs encoder: the browser's own H.264 encoder, fed frames decoded once by the
 * browser's decoder, one `RenditionEncoder` (rendition.ts) per rung muxing fMP4 segments with
 * mediabunny, all plugged into the pipeline (pipeline.ts). It encodes the video ladder at about
 * native speed, where ffmpeg.wasm takes four times as long; the AAC track (which WebCodecs cannot
 * encode in Chromium on Linux) comes from `encodeAudio`, one ffmpeg.wasm worker running beside it.
 *
 * A source this browser cannot decode (HEVC on most Linux and Windows machines, interlaced video,
 * containers mediabunny does not read), or a ladder its encoder refuses, goes to the fallback backend
 * whole, so `encode()` always works where ffmpeg.wasm does.
 */
import {
  ALL_FORMATS,
  BlobSource,
  Input,
  type InputVideoTrack,
  type VideoSample,
  VideoSampleSink,
} from 'mediabunny'
import { avcLevel } from './avc-level.ts'
import { inColour } from './color-range.ts'
import { frameColorSpace, publishedColour } from './color-space.ts'
import { canShareMemory } from './core-loader.ts'
import { EncodeError } from './errors.ts'
import { encodeAudio, ffmpegWasmBackend } from './ffmpeg-backend.ts'
import { ffmpegFrames } from './hybrid.ts'
import { x264Groups } from './ladder.ts'
import { type EncodedTracks, type Engine, type Pipeline, posterFile, runPipeline } from './pipeline.ts'
import { toNumber } from './rational.ts'
import { RenditionEncoder, type RenditionSetup } from './rendition.ts'
import { FrameRotator } from './rotate.ts'
import { TileScaler } from './sprites.ts'
import type {
  EncodeOptions,
  EncodeResume,
  EncoderBackend,
  LadderPlan,
  Rotation,
  VideoRendition,
} from './types.ts'
import { X264Rungs } from './x264-rungs.ts'

/** A source the browser decodes itself, or one that ffmpeg.wasm decodes for the browser's encoders. */
type Ready =
  | {
      kind: 'webcodecs'
      input: Input
      track: InputVideoTrack
      rotation: Rotation
      renditions: RenditionSetup[]
      x264: VideoRendition[]
    }
  | { kind: 'hybrid'; reason: string; renditions: RenditionSetup[]; x264: VideoRendition[] }

// High first (what the ffmpeg.wasm ladder uses), then Main, then Constrained Baseline.
const PROFILES = ['6400', '4d00', '42e0']

/** The `avc1.PPCCLL` codec strings to try for a rendition, best profile first, at the lowest level that fits. */
export function avcCodecs(r: Pick<VideoRendition, 'width' | 'height' | 'frameRate'>): string[] {
  const level = avcLevel(r)
  return PROFILES.map((p) => `avc1.${p}${level.toString(16).padStart(2, '0')}`)
}

/** Whether this browser has WebCodecs video encoding and decoding at all. */
export function hasWebCodecs(): boolean {
  return typeof VideoEncoder !== 'undefined' && typeof VideoDecoder !== 'undefined'
}

/**
 * Opens the source and checks that this browser can encode every rung, and decode the source (or
 * else that ffmpeg.wasm can decode it for the browser's encoders: the hybrid path); otherwise (with
 * everything closed again) says why not, so the caller falls back.
 */
async function prepare(
  file: Blob,
  plan: LadderPlan,
  overrides: Partial<VideoEncoderConfig> = {},
): Promise<Ready | { reason: string }> {
  if (!hasWebCodecs()) return { reason: 'This browser has no WebCodecs video encoder' }
  if (plan.renditions.length === 0) return { reason: 'There is no video rung to encode' }
  // x264 in ffmpeg.wasm takes the rungs the plan gives it, where its worker can wait for the page's
  // frames (shared memory); otherwise the browser's encoder makes them too.
  const x264 = canShareMemory() ? plan.renditions.filter((r) => r.x264) : []
  const renditions: RenditionSetup[] = []
  for (const rendition of plan.renditions) {
    if (x264.includes(rendition)) continue
    const config = await supportedConfig(rendition, overrides)
    if (!config) return { reason: `This browser’s encoder refuses the ${rendition.label} rung` }
    renditions.push({ rendition, config })
  }
  // ffmpeg.wasm decodes for the browser's encoders only where it can pause while they catch up
  // (shared memory); without that, raw frames would pile up in the tab.
  const hybrid = (reason: string): Ready | { reason: string } =>
    canShareMemory() ? { kind: 'hybrid', reason, renditions, x264 } : { reason }
  // Interlaced video needs ffmpeg's deinterlacer.
  if (plan.source.interlaced) return hybrid('Interlaced video is deinterlaced by ffmpeg.wasm')
  const input = new Input({ source: new BlobSource(file), formats: ALL_FORMATS })
  try {
    const track = await input.getPrimaryVideoTrack()
    if (!track || !(await track.canDecode())) {
      input.dispose()
      return hybrid('This browser cannot decode this video, so ffmpeg.wasm decodes it')
    }
    return { kind: 'webcodecs', input, track, rotation: await track.getRotation(), renditions, x264 }
  } catch {
    // A container mediabunny cannot read is ffmpeg's to handle.
    input.dispose()
    return hybrid('The browser cannot read this container, so ffmpeg.wasm reads it')
  }
}

/** The first H.264 encoder configuration this browser accepts for a rendition, best profile first. */
async function supportedConfig(
  rendition: VideoRendition,
  overrides: Partial<VideoEncoderConfig>,
): Promise<VideoEncoderConfig | null> {
  for (const codec of avcCodecs(rendition)) {
    const config: VideoEncoderConfig = {
      codec,
      width: rendition.width,
      height: rendition.height,
      bitrate: rendition.bitrate,
      bitrateMode: 'variable',
      framerate: toNumber(rendition.frameRate),
      latencyMode: 'quality',
      // No content hint: "detail" (which writes the same sizes as "text") needs fewer bits
      // for the same SSIM, but cannot go below 1.4–3.8× a rung's bitrate on anime-like pictures and
      // runs 2.8× slower there (BENCHMARKS.md, quality per bit).
      avc: { format: 'avc' },
      ...overrides,
    }
    const support = await VideoEncoder.isConfigSupported(config).catch(() => null)
    if (support?.supported) return config
  }
  return null
}

/** Creates the WebCodecs backend; sources or ladders it cannot handle go to `fallback` (ffmpeg.wasm). */
export function webCodecsBackend(options: { fallback?: EncoderBackend } = {}): EncoderBackend {
  const fallback = options.fallback ?? ffmpegWasmBackend()
  return {
    name: 'webcodecs',
    // ffprobe reads every container and codec ffmpeg does, and says clearly what is wrong with a file.
    probe: (file, probeOptions) => fallback.probe(file, probeOptions),
    async *encode(file, plan, encodeOptions = {}) {
      if (encodeOptions.engine === 'ffmpeg.wasm') {
        yield* fallback.encode(file, plan, explained(encodeOptions, 'The browser’s encoder failed before'))
        return
      }
      const ready = await prepare(file, plan, encodeOptions.videoConfig)
      if (!('kind' in ready)) {
        yield* fallback.encode(file, plan, explained(encodeOptions, ready.reason))
        return
      }
      yield* runPipeline(plan, encodeOptions, webCodecsEngine(file, plan, ready, encodeOptions.resume))
    },
  }
}

/** The options with progress that says why the fallback encodes. */
function explained(options: EncodeOptions, reason: string): EncodeOptions {
  const { onProgress } = options
  if (!onProgress) return options
  return {
    ...options,
    onProgress: (p) => onProgress({ ...p, encoderDetail: `${reason}: ${p.encoderDetail}` }),
  }
}

/** The WebCodecs engine for a source `prepare` accepted. */
function webCodecsEngine(
  file: Blob & { name?: string },
  plan: LadderPlan,
  ready: Ready,
  resume?: EncodeResume,
): Engine {
  // The audio and the embedded subtitles need ffmpeg.wasm: one worker beside the video encoders.
  const worker = plan.audio.length > 0 || plan.subtitles.some((s) => s.source.kind === 'embedded')
  const hybrid = ready.kind === 'hybrid'
  const low = ready.x264.length > 0 ? ready.x264.map((r) => r.label).join(', ') : null
  const detail = [
    hybrid
      ? `${ready.reason}; WebCodecs H.264 encodes it, several times faster than ffmpeg.wasm alone.`
      : 'WebCodecs H.264, about as fast as a native encoder.',
    low ? `x264 in ffmpeg.wasm encodes ${low} from the same frames: far sharper for the bits there.` : null,
    worker ? 'The audio and subtitles are read and encoded by ffmpeg.wasm.' : null,
  ]
  return {
    info: {
      backend: hybrid ? 'hybrid' : 'webcodecs',
      // The plan already says which rungs x264 makes; the detail says it again while encoding.
      encoder: 'your browser’s video encoder',
      encoderDetail: detail.filter((d) => d !== null).join(' '),
      workers:
        (worker ? Math.max(1, plan.audio.length) : 0) + (hybrid ? 1 : 0) + x264Groups(ready.x264).length,
      // The video encoders wait on the main thread, where no shared memory is needed; the hybrid
      // path's decoder only runs where it can pause.
      pausesForConsumer: true,
    },
    async run(pipeline: Pipeline): Promise<EncodedTracks> {
      try {
        const fullRate = toNumber(plan.renditions[0]!.frameRate)
        // A file that ends early holds less than its index says (truncation.ts): no frozen tail.
        const duration =
          ready.kind === 'webcodecs' && !plan.source.truncated
            ? await ready.track.computeDuration()
            : plan.source.duration
        const sourceFrames = Math.max(1, Math.round(duration * fullRate))
        const from = resume?.from ?? {}
        const renditions = ready.renditions.map(
          (setup) =>
            new RenditionEncoder(setup, pipeline, sourceFrames, fullRate, from[setup.rendition.id] ?? 1),
        )
        const x264 = x264Groups(ready.x264).map(
          (group, i) => new X264Rungs(pipeline, file, group, sourceFrames, from, `x264-${i}`),
        )
        whenAborted(pipeline.signal, () => {
          for (const r of renditions) r.close()
        })
        // The audio counts as a small rung.
        const videoCost = [...renditions, ...x264].reduce((sum, r) => sum + r.unit.spec.cost, 0)
        const [video, audio] = await Promise.all([
          (async () => {
            await Promise.all(renditions.map((r) => r.start()))
            // A resumed encode decodes from the earliest keyframe a rendition still needs.
            const span = {
              start: Math.min(
                sourceFrames,
                ...renditions.map((r) => Math.ceil((r.firstFrame * fullRate) / r.rate - 1e-9)),
                ...x264.map((x) => x.firstFrame),
              ),
              end: sourceFrames,
            }
            const frames =
              ready.kind === 'webcodecs'
                ? await browserFrames(pipeline, ready, span, fullRate)
                : ffmpegFrames(
                    pipeline,
                    file,
                    span,
                    [...renditions, ...x264].map((r) => r.unit),
                  )
            return encodeVideo(pipeline, renditions, x264, frames, span.start)
          })(),
          worker ? encodeAudio(pipeline, file, 0.02 * videoCost * Math.max(1, plan.audio.length)) : [],
        ])
        return { video, audio }
      } finally {
        if (ready.kind === 'webcodecs') ready.input.dispose()
      }
    },
  }
}

function whenAborted(signal: AbortSignal, fn: () => void): void {
  if (signal.aborted) fn()
  else signal.addEventListener('abort', fn, { once: true })
}

/**
 * The source decoded by the browser: the poster goes out first (so it uploads first, and the catalog
 * has a picture while the rest encodes), then frames `span.start` to `span.end` at the top rung's
 * constant frame rate from t = 0, like ffmpeg's fps filter (frame n shows the last source frame that
 * starts at or before n / rate, the first one for times before it), turned upright when the source
 * is rotated.
 */
async function browserFrames(
  pipeline: Pipeline,
  ready: Extract<Ready, { kind: 'webcodecs' }>,
  span: { start: number; end: number },
  fullRate: number,
): Promise<AsyncIterable<VideoFrame>> {
  const { plan, signal } = pipeline
  const { track } = ready
  const sink = new VideoSampleSink(track)
  const firstTimestamp = Math.max(0, await track.getFirstTimestamp())

  const posterSample = await sink.getSample(Math.max(firstTimestamp, plan.poster.time))
  if (posterSample) {
    try {
      const { width, height } = plan.poster
      pipeline.emit(await posterFile(plan, (context) => posterSample.draw(context, 0, 0, width, height)))
    } finally {
      posterSample.close()
    }
  }

  // Tagged with the movie's colour, whatever the decoder calls it, and in TV range like every source
  // (phones record full range): the encoder writes the frame's tags. A rotated source's frames are
  // turned upright at its own size; the encoders scale them to their rungs.
  const colour = frameColorSpace(publishedColour(plan.source))
  const rotator = ready.rotation !== 0 ? new FrameRotator(ready.rotation, colour) : null

  // The seek-bar previews before a resumed encode's start are drawn from frames decoded for them alone.
  const { start, end } = span
  if (start > 0 && plan.thumbnails) await catchUpTiles(pipeline, sink, start, firstTimestamp, fullRate)
  const times = (function* () {
    for (let n = start; n < end; n++) yield Math.max(firstTimestamp, n / fullRate)
  })()
  return (async function* () {
    let held: VideoSample | null = null
    try {
      for await (const sample of sink.samplesAtTimestamps(times)) {
        if (signal.aborted) break
        if (sample) {
          held?.close()
          held = sample
        }
        if (!held) throw new EncodeError('ffmpeg-failed', 'The video has no frame at its start.')
        const frame = held.toVideoFrame()
        yield await (rotator ? rotator.upright(frame) : inColour(frame, colour))
      }
    } finally {
      held?.close()
    }
  })()
}

/**
 * Feeds every rendition's encoder (and x264's, for the rungs it makes) the same frames, the first
 * being source frame `start` (each closed once every encoder has it), and the seek-bar previews.
 * Resolves with the renditions' tracks, largest first, once every segment is out.
 */
async function encodeVideo(
  pipeline: Pipeline,
  renditions: RenditionEncoder[],
  x264: readonly X264Rungs[],
  frames: AsyncIterable<VideoFrame>,
  start: number,
) {
  const { plan, signal } = pipeline
  const units = [...renditions, ...x264].map((r) => r.unit)
  const scaler = new TileScaler()
  let n = start
  for await (const frame of frames) {
    try {
      if (signal.aborted) break
      const tiles = plan.thumbnails
      if (tiles && n % tiles.step === 0) {
        // The seek-bar preview comes from the frame decoded anyway: a scaled copy, nothing more.
        pipeline.tile(n / tiles.step, await scaler.painter(frame, tiles))
      }
      for (const rendition of renditions) {
        const m = rendition.slotOf(n)
        if (m === null) continue
        // Neither an encoder's queue nor the consumer's bytes may grow without bound.
        await rendition.drain()
        await pipeline.room(units)
        if (signal.aborted) break
        rendition.encode(frame, m)
      }
      // The browser's encoders have their copies queued; x264 gets its own while they work.
      for (const x of x264) {
        await pipeline.room(units)
        await x.push(frame, n)
      }
    } finally {
      frame.close()
    }
    n++
  }
  if (signal.aborted) return []
  await Promise.all(renditions.filter((r) => !r.complete).map((r) => r.flush()))
  for (const r of renditions) await r.finish()
  const tracks = renditions.map((r) => r.track())
  for (const x of x264) tracks.push(...(await x.finish()))
  const order = plan.renditions.map((r) => r.id)
  return tracks.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id))
}

/** Draws the seek-bar preview tiles of the frames before `end`, which a resumed encode skips. */
async function catchUpTiles(
  pipeline: Pipeline,
  sink: VideoSampleSink,
  end: number,
  firstTimestamp: number,
  fullRate: number,
): Promise<void> {
  const tiles = pipeline.plan.thumbnails!
  const count = Math.ceil(end / tiles.step)
  const times = Array.from({ length: count }, (_, i) => Math.max(firstTimestamp, (i * tiles.step) / fullRate))
  const scaler = new TileScaler()
  let i = 0
  for await (const sample of sink.samplesAtTimestamps(times)) {
    if (pipeline.signal.aborted) {
      sample?.close()
      break
    }
    if (sample) {
      const frame = sample.toVideoFrame()
      try {
        pipeline.tile(i, await scaler.painter(frame, tiles))
      } finally {
        frame.close()
        sample.close()
      }
    }
    i++
  }
}
