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
import { EncodeError } from './errors.ts'
import { encodeAudio, ffmpegWasmBackend } from './ffmpeg-backend.ts'
import { type EncodedTracks, type Engine, type Pipeline, posterFile, runPipeline } from './pipeline.ts'
import { toNumber } from './rational.ts'
import { RenditionEncoder, type RenditionSetup } from './rendition.ts'
import type { EncodeOptions, EncodeResume, EncoderBackend, LadderPlan, VideoRendition } from './types.ts'

interface Ready {
  input: Input
  track: InputVideoTrack
  rotation: number
  renditions: RenditionSetup[]
}

// H.264 levels by largest frame (macroblocks) and macroblocks per second (ITU-T H.264 table A-1).
const LEVELS: { level: number; frame: number; rate: number }[] = [
  { level: 0x1e, frame: 1620, rate: 40_500 },
  { level: 0x1f, frame: 3600, rate: 108_000 },
  { level: 0x20, frame: 5120, rate: 216_000 },
  { level: 0x28, frame: 8192, rate: 245_760 },
  { level: 0x2a, frame: 8704, rate: 522_240 },
  { level: 0x32, frame: 22_080, rate: 589_824 },
  { level: 0x33, frame: 36_864, rate: 983_040 },
  { level: 0x34, frame: 36_864, rate: 2_073_600 },
]
// High first (what the ffmpeg.wasm ladder uses), then Main, then Constrained Baseline.
const PROFILES = ['6400', '4d00', '42e0']

/** The `avc1.PPCCLL` codec strings to try for a rendition, best profile first, at the lowest level that fits. */
export function avcCodecs(r: Pick<VideoRendition, 'width' | 'height' | 'frameRate'>): string[] {
  const mbs = Math.ceil(r.width / 16) * Math.ceil(r.height / 16)
  const rate = mbs * toNumber(r.frameRate)
  const level = (LEVELS.find((l) => mbs <= l.frame && rate <= l.rate) ?? LEVELS[LEVELS.length - 1]!).level
  return PROFILES.map((p) => `avc1.${p}${level.toString(16).padStart(2, '0')}`)
}

/** Whether this browser has WebCodecs video encoding and decoding at all. */
export function hasWebCodecs(): boolean {
  return typeof VideoEncoder !== 'undefined' && typeof VideoDecoder !== 'undefined'
}

/**
 * Opens the source and checks that this browser can decode it and encode every rung; otherwise
 * (with everything closed again) says why not, so the caller falls back.
 */
async function prepare(file: Blob, plan: LadderPlan): Promise<Ready | { reason: string }> {
  if (!hasWebCodecs()) return { reason: 'This browser has no WebCodecs video encoder' }
  if (plan.source.interlaced) return { reason: 'Interlaced video needs ffmpeg’s deinterlacer' }
  if (plan.renditions.length === 0) return { reason: 'There is no video rung to encode' }
  const input = new Input({ source: new BlobSource(file), formats: ALL_FORMATS })
  try {
    const track = await input.getPrimaryVideoTrack()
    if (!track || !(await track.canDecode())) {
      input.dispose()
      return { reason: 'This browser cannot decode this video with WebCodecs' }
    }
    const renditions: RenditionSetup[] = []
    for (const rendition of plan.renditions) {
      const config = await supportedConfig(rendition)
      if (!config) {
        input.dispose()
        return { reason: `This browser’s encoder refuses the ${rendition.label} rung` }
      }
      renditions.push({ rendition, config })
    }
    return { input, track, rotation: await track.getRotation(), renditions }
  } catch {
    // A container mediabunny cannot read is ffmpeg's to handle.
    input.dispose()
    return { reason: 'The browser cannot read this container' }
  }
}

/** The first H.264 encoder configuration this browser accepts for a rendition, best profile first. */
async function supportedConfig(rendition: VideoRendition): Promise<VideoEncoderConfig | null> {
  for (const codec of avcCodecs(rendition)) {
    const config: VideoEncoderConfig = {
      codec,
      width: rendition.width,
      height: rendition.height,
      bitrate: rendition.bitrate,
      bitrateMode: 'variable',
      framerate: toNumber(rendition.frameRate),
      latencyMode: 'quality',
      avc: { format: 'avc' },
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
      const ready = await prepare(file, plan)
      if ('reason' in ready) {
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
  return {
    info: {
      backend: 'webcodecs',
      encoder: 'your browser’s video encoder',
      encoderDetail: worker
        ? 'WebCodecs H.264, about as fast as a native encoder; the audio and subtitles are read and encoded by ffmpeg.wasm.'
        : 'WebCodecs H.264, about as fast as a native encoder.',
      workers: worker ? Math.max(1, plan.audio.length) : 0,
      // The video encoders wait on the main thread, where no shared memory is needed.
      pausesForConsumer: true,
    },
    async run(pipeline: Pipeline): Promise<EncodedTracks> {
      try {
        const fullRate = toNumber(plan.renditions[0]!.frameRate)
        const sourceFrames = Math.max(1, Math.round((await ready.track.computeDuration()) * fullRate))
        const from = resume?.from ?? {}
        const renditions = ready.renditions.map(
          (setup) =>
            new RenditionEncoder(setup, pipeline, sourceFrames, fullRate, from[setup.rendition.id] ?? 1),
        )
        whenAborted(pipeline.signal, () => {
          for (const r of renditions) r.close()
        })
        // The audio counts as a small rung.
        const videoCost = renditions.reduce((sum, r) => sum + r.unit.spec.cost, 0)
        const [video, audio] = await Promise.all([
          encodeVideo(pipeline, ready, renditions, sourceFrames, fullRate),
          worker ? encodeAudio(pipeline, file, 0.02 * videoCost * Math.max(1, plan.audio.length)) : [],
        ])
        return { video, audio }
      } finally {
        ready.input.dispose()
      }
    },
  }
}

function whenAborted(signal: AbortSignal, fn: () => void): void {
  if (signal.aborted) fn()
  else signal.addEventListener('abort', fn, { once: true })
}

/**
 * Decodes the source once and feeds every rendition's encoder the same frames, the poster first.
 * Resolves with the renditions' tracks once every segment is out.
 */
async function encodeVideo(
  pipeline: Pipeline,
  ready: Ready,
  renditions: RenditionEncoder[],
  sourceFrames: number,
  fullRate: number,
) {
  const { plan, signal } = pipeline
  const { track } = ready
  await Promise.all(renditions.map((r) => r.start()))
  const sink = new VideoSampleSink(track)
  const firstTimestamp = Math.max(0, await track.getFirstTimestamp())

  // The poster first, so it uploads first (and the catalog has a picture while the rest encodes).
  const posterSample = await sink.getSample(Math.max(firstTimestamp, plan.poster.time))
  if (posterSample) {
    try {
      const { width, height } = plan.poster
      pipeline.emit(await posterFile(plan, (context) => posterSample.draw(context, 0, 0, width, height)))
    } finally {
      posterSample.close()
    }
  }

  // A rotated source is turned upright once per frame on a canvas at the top rung's size; the
  // encoders scale everything else themselves.
  const top = plan.renditions[0]!
  const upright = ready.rotation !== 0 ? new OffscreenCanvas(top.width, top.height) : null
  const uprightContext = upright?.getContext('2d') ?? null

  // A resumed encode decodes from the earliest keyframe a rendition still needs; the seek-bar
  // previews before it are drawn from frames decoded for them alone.
  const start = Math.min(
    sourceFrames,
    ...renditions.map((r) => Math.ceil((r.firstFrame * fullRate) / r.rate - 1e-9)),
  )
  if (start > 0 && plan.thumbnails) await catchUpTiles(pipeline, sink, start, firstTimestamp, fullRate)

  // Constant frame rate from t = 0, like ffmpeg's fps filter: frame n shows the last source frame
  // that starts at or before n / rate (the first one for times before it).
  const times = (function* () {
    for (let n = start; n < sourceFrames; n++) yield Math.max(firstTimestamp, n / fullRate)
  })()
  const units = renditions.map((r) => r.unit)
  let n = start
  let held: VideoSample | null = null
  for await (const sample of sink.samplesAtTimestamps(times)) {
    if (signal.aborted) break
    if (sample) {
      held?.close()
      held = sample
    }
    if (!held) throw new EncodeError('ffmpeg-failed', 'The video has no frame at its start.')
    let frame: VideoFrame
    if (uprightContext && upright) {
      held.draw(uprightContext, 0, 0, top.width, top.height)
      frame = new VideoFrame(upright, { timestamp: 0 })
    } else frame = held.toVideoFrame()
    const tiles = plan.thumbnails
    if (tiles && n % tiles.step === 0) {
      // The seek-bar preview comes from the frame decoded anyway: a scaled copy, nothing more.
      const source = frame
      pipeline.tile(n / tiles.step, (context, x, y, width, height) =>
        context.drawImage(source, x, y, width, height),
      )
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
    frame.close()
    n++
  }
  held?.close()
  if (signal.aborted) return []
  await Promise.all(renditions.filter((r) => !r.complete).map((r) => r.flush()))
  for (const r of renditions) await r.finish()
  return renditions.map((r) => r.track())
}

/** Draws the seek-bar preview tiles of the frames before `end`, which a resumed encode skips. */
async function catchUpTiles(
  pipeline: Pipeline,
  sink: VideoSampleSink,
  end: number,
  firstTimestamp: number,
  fullRate: number,
): Promise<void> {
  const step = pipeline.plan.thumbnails!.step
  const count = Math.ceil(end / step)
  const times = Array.from({ length: count }, (_, i) => Math.max(firstTimestamp, (i * step) / fullRate))
  let i = 0
  for await (const sample of sink.samplesAtTimestamps(times)) {
    if (pipeline.signal.aborted) {
      sample?.close()
      break
    }
    if (sample) {
      pipeline.tile(i, (context, x, y, width, height) => sample.draw(context, x, y, width, height))
      sample.close()
    }
    i++
  }
}
