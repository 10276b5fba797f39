/**
 * @module The WebCodecs encoder backend: the browser's own H.264 encoder, fed frames decoded once by
 * the browser's decoder and muxed into fMP4 segments by mediabunny. It encodes the video ladder at
 * about native speed, where ffmpeg.wasm takes four times as long; the AAC track (which WebCodecs
 * cannot encode in Chromium on Linux) comes from one ffmpeg.wasm worker running beside it.
 *
 * A source this browser cannot decode (HEVC on most Linux and Windows machines, interlaced video,
 * containers mediabunny does not read), or a ladder its encoder refuses, goes to the fallback backend
 * whole, so `encode()` always works where ffmpeg.wasm does.
 */
import {
  ALL_FORMATS,
  BlobSource,
  EncodedPacket,
  EncodedVideoPacketSource,
  Input,
  type InputVideoTrack,
  Mp4OutputFormat,
  NullTarget,
  Output,
  type VideoSample,
  VideoSampleSink,
} from 'mediabunny'
import { Channel } from './channel.ts'
import { EncodeError } from './errors.ts'
import { CONTENT_TYPES, encodeWithFfmpeg, ffmpegWasmBackend, manifestFile } from './ffmpeg-backend.ts'
import { firstDecodeTime } from './fmp4.ts'
import type { EncodeJob } from './jobs.ts'
import { buildManifest, initName, type MergeInput, mediaName, parseFfmpegManifest } from './mpd.ts'
import { format, reduce, toNumber } from './rational.ts'
import { rate, record, type SpeedSample } from './speed.ts'
import type {
  EncodedFile,
  EncodeOptions,
  EncodeProgress,
  EncoderBackend,
  LadderPlan,
  RenditionProgress,
  VideoRendition,
} from './types.ts'

/** What the browser needs to encode one rendition. */
interface RenditionSetup {
  rendition: VideoRendition
  config: VideoEncoderConfig
}

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

/** The codec string a stream's own avcC record declares (profile, constraints, level). */
function codecFromDescription(description: AllowSharedBufferSource | undefined, fallback: string): string {
  if (!description) return fallback
  const bytes = ArrayBuffer.isView(description)
    ? new Uint8Array(description.buffer, description.byteOffset, description.byteLength)
    : new Uint8Array(description)
  if (bytes.length < 4 || bytes[0] !== 1) return fallback
  const hex = (b: number) => b.toString(16).padStart(2, '0')
  return `avc1.${hex(bytes[1]!)}${hex(bytes[2]!)}${hex(bytes[3]!)}`
}

/** Whether this browser has WebCodecs video encoding and decoding at all. */
export function hasWebCodecs(): boolean {
  return typeof VideoEncoder !== 'undefined' && typeof VideoDecoder !== 'undefined'
}

/**
 * Opens the source and checks that this browser can decode it and encode every rung; null (with
 * everything closed again) when it cannot, so the caller falls back.
 */
async function prepare(file: Blob, plan: LadderPlan): Promise<Ready | null> {
  if (!hasWebCodecs() || plan.source.interlaced || plan.renditions.length === 0) return null
  const input = new Input({ source: new BlobSource(file), formats: ALL_FORMATS })
  try {
    const track = await input.getPrimaryVideoTrack()
    if (!track || !(await track.canDecode())) {
      input.dispose()
      return null
    }
    const renditions: RenditionSetup[] = []
    for (const rendition of plan.renditions) {
      let found: VideoEncoderConfig | null = null
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
        if (support?.supported) {
          found = config
          break
        }
      }
      if (!found) {
        input.dispose()
        return null
      }
      renditions.push({ rendition, config: found })
    }
    return { input, track, rotation: await track.getRotation(), renditions }
  } catch {
    // A container mediabunny cannot read is ffmpeg's to handle.
    input.dispose()
    return null
  }
}

/** Creates the WebCodecs backend; sources or ladders it cannot handle go to `fallback` (ffmpeg.wasm). */
export function webCodecsBackend(options: { fallback?: EncoderBackend } = {}): EncoderBackend {
  const fallback = options.fallback ?? ffmpegWasmBackend()
  return {
    name: 'webcodecs',
    // ffprobe reads every container and codec ffmpeg does, and says clearly what is wrong with a file.
    probe: (file, probeOptions) => fallback.probe(file, probeOptions),
    async *encode(file, plan, encodeOptions = {}) {
      const ready = await prepare(file, plan)
      if (!ready) {
        yield* fallback.encode(file, plan, encodeOptions)
        return
      }
      yield* encodeWithWebCodecs(file, plan, ready, encodeOptions)
    },
  }
}

/** One rendition's encoder, muxer and the files they have produced so far. */
interface Lane {
  setup: RenditionSetup
  encoder: VideoEncoder
  source: EncodedVideoPacketSource
  output: Output
  /** Muxer back-pressure: every packet handed over, in order. */
  added: Promise<void>
  codecs: string | null
  /** Frames that came out of the encoder. */
  encoded: number
  /** Frames this rendition will have in all. */
  frames: number
  /** Output frame rate. */
  rate: number
  /** The current fragment's boxes (moof, mdat) until it is complete. */
  fragment: Uint8Array[]
  init: Uint8Array[]
  segments: { number: number; start: number }[]
  /** Frames encoded, recently: for fps and ETA. */
  samples: SpeedSample[]
}

const AUDIO_JOB_ID = 'audio'

async function* encodeWithWebCodecs(
  file: Blob & { name?: string },
  plan: LadderPlan,
  ready: Ready,
  options: EncodeOptions,
): AsyncGenerator<EncodedFile> {
  const { input, track } = ready
  const limit = options.maxBufferedBytes ?? 64 * 1024 * 1024
  const controller = new AbortController()
  const onAbort = () => controller.abort(options.signal?.reason)
  options.signal?.addEventListener('abort', onAbort, { once: true })
  // However the work stops, the consumer waiting for the next file hears why.
  controller.signal.addEventListener('abort', () => channel.close(controller.signal.reason), { once: true })
  const started = performance.now()
  const channel = new Channel<EncodedFile>()
  const sizes = new Map<string, number>()
  let buffered = 0
  let drained = null as (() => void) | null
  let waiting = false
  let failure: unknown = null
  /** When a frame last came out of an encoder (or the audio moved on), for the stall watchdog. */
  let lastActivity = performance.now()

  const fullRate = toNumber(plan.renditions[0]!.frameRate)
  const videoEnd = await track.computeDuration()
  const firstTimestamp = Math.max(0, await track.getFirstTimestamp())
  const totalFrames = Math.max(1, Math.round(videoEnd * fullRate))
  const timescale = plan.videoTimescale

  // ─── audio: one ffmpeg.wasm worker, at the same time ───
  let audioFraction = plan.audio ? 0 : 1
  let audioEta: number | null = null
  let audioRep: MergeInput | null = null
  const audioRun = plan.audio ? runAudio() : Promise.resolve()

  async function runAudio() {
    const audio = plan.audio!
    const job: EncodeJob = { id: AUDIO_JOB_ID, renditions: [], audio, poster: false, cost: 1, range: null }
    const files = encodeWithFfmpeg(
      file,
      { ...plan, renditions: [] },
      {
        core: 'core',
        signal: controller.signal,
        ...(options.stallTimeoutMs ? { stallTimeoutMs: options.stallTimeoutMs } : {}),
        onProgress: (p) => {
          audioFraction = p.fraction
          lastActivity = performance.now()
          audioEta = p.eta
          report()
        },
      },
      {
        jobs: [job],
        finish: (manifests) => {
          const rep = parseFfmpegManifest(manifests.get(AUDIO_JOB_ID) ?? '').representations[0]
          if (!rep) throw new EncodeError('ffmpeg-failed', 'The audio encoder wrote no track.')
          audioRep = { ...rep, id: audio.id }
          return null
        },
      },
    )
    for await (const out of files) push(out)
    audioFraction = 1
  }

  // ─── video: decode once, every rendition's encoder scales the same frames ───
  const lanes: Lane[] = ready.renditions.map((setup) => makeLane(setup))

  function makeLane(setup: RenditionSetup): Lane {
    const rate = toNumber(setup.rendition.frameRate)
    const source = new EncodedVideoPacketSource('avc')
    const lane: Lane = {
      setup,
      encoder: null as unknown as VideoEncoder,
      source,
      output: null as unknown as Output,
      added: Promise.resolve(),
      codecs: null,
      encoded: 0,
      frames: Math.max(1, Math.ceil((totalFrames * rate) / fullRate - 1e-9)),
      rate,
      fragment: [],
      init: [],
      segments: [],
      samples: [],
    }
    const id = setup.rendition.id
    lane.output = new Output({
      format: new Mp4OutputFormat({
        fastStart: 'fragmented',
        // Every forced keyframe starts a segment: a hair under one GOP so rounding cannot skip one.
        minimumFragmentDuration: plan.segmentDuration - 0.5 / rate,
        onFtyp: (data) => lane.init.push(data.slice()),
        onMoov: (data) => {
          lane.init.push(data.slice())
          push({
            path: initName(id),
            bytes: concat(lane.init),
            kind: 'init',
            contentType: CONTENT_TYPES.init,
            representation: id,
          })
        },
        onMoof: (data) => {
          lane.fragment = [data.slice()]
        },
        onMdat: (data) => {
          lane.fragment.push(data.slice())
          const bytes = concat(lane.fragment)
          lane.fragment = []
          const number = lane.segments.length + 1
          const start = firstDecodeTime(bytes)
          if (start === null) {
            fail(new EncodeError('ffmpeg-failed', `Segment ${number} of ${id} has no decode time.`))
            return
          }
          lane.segments.push({ number, start })
          const path = mediaName(id, number)
          sizes.set(path, bytes.byteLength)
          push({ path, bytes, kind: 'segment', contentType: CONTENT_TYPES.segment, representation: id })
        },
      }),
      target: new NullTarget(),
    })
    // The muxer snaps times to 1/frameRate and takes its denominator as the track's timescale: asking
    // for the plan's timescale makes every rendition's ticks the same as the ffmpeg.wasm ladder's.
    lane.output.addVideoTrack(source, { frameRate: timescale })
    lane.encoder = new VideoEncoder({
      output: (chunk, meta) => {
        if (lane.codecs === null) {
          lane.codecs = codecFromDescription(meta?.decoderConfig?.description, setup.config.codec)
        }
        const packet = EncodedPacket.fromEncodedChunk(chunk)
        // Every rung shows the source's display aspect exactly (written as the track's pixel aspect),
        // as ffmpeg's setdar does for the ffmpeg.wasm ladder.
        const described = meta?.decoderConfig
          ? {
              ...meta,
              decoderConfig: {
                ...meta.decoderConfig,
                displayAspectWidth: plan.displayAspect.num,
                displayAspectHeight: plan.displayAspect.den,
              },
            }
          : meta
        lane.added = lane.added.then(() => source.add(packet, described)).catch(fail)
        lane.encoded++
        lastActivity = performance.now()
        record(lane.samples, lane.encoded)
      },
      error: (error) =>
        fail(new EncodeError('ffmpeg-failed', `The browser's H.264 encoder failed: ${error.message}`)),
    })
    lane.encoder.configure(setup.config)
    return lane
  }

  function fail(error: unknown) {
    if (failure || aborted()) return
    failure = error
    channel.close(error)
    controller.abort(error)
    drained?.()
  }

  function push(out: EncodedFile) {
    buffered += out.bytes.byteLength
    channel.push(out)
  }

  let lastReport = 0
  function report(force = false) {
    if (!options.onProgress) return
    const now = performance.now()
    if (!force && now - lastReport < 250) return
    lastReport = now
    const rows: RenditionProgress[] = lanes.map((lane) => {
      const fps = rate(lane.samples)
      const done = lane.encoded >= lane.frames && lane.segments.length > 0 && lane.fragment.length === 0
      return {
        id: lane.setup.rendition.id,
        label: lane.setup.rendition.label,
        seconds: lane.encoded / lane.rate,
        fraction: Math.min(1, lane.encoded / lane.frames),
        fps,
        eta: done ? 0 : fps > 0 ? (lane.frames - lane.encoded) / fps : null,
        state: done ? 'done' : waiting ? 'waiting' : lane.encoded > 0 ? 'encoding' : 'loading',
      }
    })
    if (plan.audio) {
      rows.push({
        id: plan.audio.id,
        label: 'Audio',
        seconds: audioFraction * plan.source.duration,
        fraction: audioFraction,
        fps: 0,
        eta: audioFraction >= 1 ? 0 : audioEta,
        state: audioFraction >= 1 ? 'done' : 'encoding',
      })
    }
    // Work is weighted by pixels; the audio counts as a small rung.
    const weights = lanes.map((l) => l.setup.rendition.width * l.setup.rendition.height * l.rate)
    const audioWeight = plan.audio ? 0.02 * weights.reduce((a, b) => a + b, 0) : 0
    const total = weights.reduce((a, b) => a + b, 0) + audioWeight
    const fraction =
      (rows.slice(0, lanes.length).reduce((sum, r, i) => sum + r.fraction * weights[i]!, 0) +
        audioFraction * audioWeight) /
      total
    let eta: number | null = 0
    for (const r of rows) eta = eta === null || r.eta === null ? null : Math.max(eta, r.eta)
    const progress: EncodeProgress = {
      backend: 'webcodecs',
      renditions: rows,
      fraction,
      eta,
      elapsed: (now - started) / 1000,
      bufferedBytes: buffered,
    }
    options.onProgress(progress)
  }

  const aborted = () => controller.signal.aborted

  /** Resolves on the encoder's next dequeue, or at once when the work stops. */
  const dequeued = (lane: Lane) =>
    new Promise<void>((resolve) => {
      lane.encoder.addEventListener('dequeue', () => resolve(), { once: true })
      controller.signal.addEventListener('abort', () => resolve(), { once: true })
    })

  /** Waits while the consumer holds too many bytes or an encoder has a long queue. */
  async function pace(lane: Lane) {
    while (lane.encoder.encodeQueueSize > 4 && !aborted()) await dequeued(lane)
    if (buffered > limit && !aborted()) {
      waiting = true
      report(true)
      while (buffered > limit && !aborted()) await new Promise<void>((resolve) => (drained = resolve))
      waiting = false
    }
  }

  async function runVideo() {
    await Promise.all(lanes.map((l) => l.output.start()))
    const sink = new VideoSampleSink(track)
    // The poster first, so it uploads first (and the catalog has a picture while the rest encodes).
    const posterSample = await sink.getSample(Math.max(firstTimestamp, plan.poster.time))
    if (posterSample) {
      const canvas = new OffscreenCanvas(plan.poster.width, plan.poster.height)
      const context = canvas.getContext('2d')
      if (context) {
        posterSample.draw(context, 0, 0, plan.poster.width, plan.poster.height)
        const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.85 })
        push({
          path: 'poster.jpg',
          bytes: new Uint8Array(await blob.arrayBuffer()),
          kind: 'poster',
          contentType: CONTENT_TYPES.poster,
        })
      }
      posterSample.close()
    }

    // A rotated source is turned upright once per frame on a canvas at the top rung's size; the
    // encoders scale everything else themselves.
    const top = plan.renditions[0]!
    const upright = ready.rotation !== 0 ? new OffscreenCanvas(top.width, top.height) : null
    const uprightContext = upright?.getContext('2d') ?? null

    // Constant frame rate from t = 0, like ffmpeg's fps filter: frame n shows the last source frame
    // that starts at or before n / rate (the first one for times before it).
    const times = (function* () {
      for (let n = 0; n < totalFrames; n++) yield Math.max(firstTimestamp, n / fullRate)
    })()
    let n = 0
    let held: VideoSample | null = null
    for await (const sample of sink.samplesAtTimestamps(times)) {
      if (aborted()) break
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
      for (const lane of lanes) {
        // A lower frame rate takes the frames that start its own frame slots.
        const m = Math.floor((n * lane.rate) / fullRate + 1e-9)
        if (n > 0 && m === Math.floor(((n - 1) * lane.rate) / fullRate + 1e-9)) continue
        if (m >= lane.frames) continue
        await pace(lane)
        if (aborted()) break
        const out = new VideoFrame(frame, {
          timestamp: Math.round((m / lane.rate) * 1e6),
          duration: Math.round(1e6 / lane.rate),
        })
        lane.encoder.encode(out, { keyFrame: m % lane.setup.rendition.gop === 0 })
        out.close()
      }
      frame.close()
      n++
      report()
    }
    held?.close()
    if (aborted()) return
    await Promise.all(lanes.map((l) => l.encoder.flush()))
    for (const lane of lanes) {
      await lane.added
      lane.source.close()
      await lane.output.finalize()
    }
  }

  // An encoder or decoder that stops answering would leave the page waiting forever: give up
  // after a while without a single frame out, unless the consumer is the one holding things up.
  const stallMs = options.stallTimeoutMs ?? 90_000
  const watchdog = setInterval(() => {
    if (waiting || buffered > limit) lastActivity = performance.now()
    else if (performance.now() - lastActivity > stallMs) {
      fail(
        new EncodeError(
          'stalled',
          `The browser's video encoder made no progress for ${Math.round(stallMs / 1000)} s.`,
        ),
      )
    }
  }, 1000)

  const all = Promise.all([runVideo(), audioRun]).then(() => {
    if (failure || aborted()) return
    const video = lanes.map((lane) => videoRepresentation(lane))
    const audio = audioRep as MergeInput | null
    if (plan.audio && !audio) throw new EncodeError('ffmpeg-failed', 'The audio track is missing.')
    channel.push(manifestFile(buildManifest({ plan, video, audio, sizes })))
    report(true)
    channel.close()
  })
  all.catch(fail)

  function videoRepresentation(lane: Lane): MergeInput {
    const r = lane.setup.rendition
    const end = Math.round((lane.frames / lane.rate) * timescale)
    const expected = Math.ceil(lane.frames / r.gop)
    if (lane.segments.length !== expected) {
      throw new EncodeError(
        'ffmpeg-failed',
        `${r.label} came out in ${lane.segments.length} segments instead of ${expected}.`,
      )
    }
    return {
      id: r.id,
      localId: r.id,
      contentType: 'video',
      codecs: lane.codecs ?? lane.setup.config.codec,
      bandwidth: r.maxrate,
      width: r.width,
      height: r.height,
      sar: format(reduce(plan.displayAspect.num * r.height, plan.displayAspect.den * r.width), ':'),
      timescale,
      segments: lane.segments.map((s, i) => ({
        number: s.number,
        start: s.start,
        duration: (lane.segments[i + 1]?.start ?? end) - s.start,
      })),
    }
  }

  try {
    for (;;) {
      const { value, done } = await channel.next()
      if (done) break
      yield value
      // The consumer asked for the next file, so it is done holding on to this one.
      buffered -= value.bytes.byteLength
      if (buffered <= limit && drained) {
        const resume = drained
        drained = null
        resume()
      }
    }
  } finally {
    clearInterval(watchdog)
    if (!aborted()) controller.abort(new DOMException('Encoding stopped', 'AbortError'))
    options.signal?.removeEventListener('abort', onAbort)
    drained?.()
    for (const lane of lanes) if (lane.encoder.state !== 'closed') lane.encoder.close()
    await Promise.allSettled([all, audioRun])
    input.dispose()
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let offset = 0
  for (const p of parts) {
    out.set(p, offset)
    offset += p.byteLength
  }
  return out
}
