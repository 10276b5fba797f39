/**
 * @module One rendition encoded by the browser: a WebCodecs `VideoEncoder` at the rendition's size
 * and frame rate, mediabunny's fragmented-MP4 muxer behind it, and its output cut into DASH
 * segments at the forced keyframes, each handed to the pipeline the moment its fragment is complete.
 */
import { EncodedPacket, EncodedVideoPacketSource, Mp4OutputFormat, NullTarget, Output } from 'mediabunny'
import { initName, mediaName } from '../../../server/lib/dash/names.ts'
import { EncodeError } from './errors.ts'
import { firstDecodeTime } from './fmp4.ts'
import type { Track } from './manifest.ts'
import type { Pipeline, WorkUnit } from './pipeline.ts'
import { format, reduce, toNumber } from './rational.ts'
import type { VideoRendition } from './types.ts'

/** What the browser needs to encode one rendition. */
export interface RenditionSetup {
  rendition: VideoRendition
  config: VideoEncoderConfig
}

/** Frames an encoder may hold before the decoder waits for it. */
const MAX_ENCODE_QUEUE = 4

/** The codec string a stream's own avcC record declares (profile, constraints, level). */
function codecFromDescription(description: AllowSharedBufferSource | undefined, fallback: string): string {
  if (!description) return fallback
  const bytes = ArrayBuffer.isView(description)
    ? new Uint8Array(description.buffer, description.byteOffset, description.byteLength)
    : new Uint8Array(description)
  // level_idc 9 (level 1b in High profile) is a codec string Chromium calls ambiguous (avc-level.ts).
  if (bytes.length < 4 || bytes[0] !== 1 || bytes[3] === 9) return fallback
  const hex = (b: number) => b.toString(16).padStart(2, '0')
  return `avc1.${hex(bytes[1]!)}${hex(bytes[2]!)}${hex(bytes[3]!)}`
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

/** What {@link forgetFragments} reaches into: mediabunny 1.61's fragmented MP4 muxer. */
interface FragmentedMuxer {
  finalizedChunks?: unknown[]
  trackDatas?: { finalizedChunks?: unknown[] }[]
}

/**
 * Drops the muxer's record of every fragment written so far. mediabunny keeps each fragment's
 * sample records (about 150 bytes a frame) for the `mfra` index it appends at the end, which the
 * null target throws away: 6 MB per rung for 24 minutes, 100 MB over a 2-hour ladder, growing
 * with the length for nothing (bench/encode-memory.ts). A mediabunny that names them otherwise is
 * left alone: only memory is at stake.
 */
function forgetFragments(output: Output): void {
  const muxer = (output as unknown as { _muxer?: FragmentedMuxer })._muxer
  if (muxer?.finalizedChunks) muxer.finalizedChunks.length = 0
  for (const track of muxer?.trackDatas ?? []) if (track.finalizedChunks) track.finalizedChunks.length = 0
}

/** One rendition's encoder and muxer, fed the frames of the source at the ladder's top frame rate. */
export class RenditionEncoder {
  /** Its progress row. */
  readonly unit: WorkUnit
  /** Output frames per second. */
  readonly rate: number
  /** Frames this rendition will have in all. */
  readonly frames: number
  private readonly encoder: VideoEncoder
  private readonly source = new EncodedVideoPacketSource('avc')
  private readonly output: Output
  /** Muxer back-pressure: every packet handed over, in order. */
  private added: Promise<void> = Promise.resolve()
  private codecs: string | null = null
  /** Frames that came out of the encoder. */
  private encoded = 0
  /** The current fragment's boxes (moof, mdat) until it is complete. */
  private fragment: Uint8Array[] = []
  private readonly init: Uint8Array[] = []
  private readonly segments: { number: number; start: number }[] = []
  /** Its first frame: a resumed encode starts at the keyframe of the first segment not stored. */
  readonly firstFrame: number
  /** Every segment is already stored (a resumed encode): nothing to encode. */
  readonly complete: boolean

  /**
   * @param sourceFrames frames of the source at `fullRate`, the top rendition's frame rate
   * @param firstSegment the first segment to encode; those before it are on the server
   */
  constructor(
    private readonly setup: RenditionSetup,
    private readonly pipeline: Pipeline,
    sourceFrames: number,
    private readonly fullRate: number,
    private readonly firstSegment = 1,
  ) {
    const { rendition } = setup
    const { plan } = pipeline
    this.rate = toNumber(rendition.frameRate)
    this.frames = Math.max(1, Math.ceil((sourceFrames * this.rate) / fullRate - 1e-9))
    this.firstFrame = Math.min(this.frames, (firstSegment - 1) * rendition.gop)
    this.complete = this.firstFrame >= this.frames
    this.encoded = this.firstFrame
    this.unit = pipeline.unit({
      name: `The browser’s ${rendition.label} video encoder`,
      tracks: [rendition.id],
      length: this.frames / this.rate,
      // Work is weighted by pixels per second.
      cost: rendition.width * rendition.height * this.rate,
    })
    if (this.firstFrame > 0) this.unit.advance(this.firstFrame / this.rate)
    const id = rendition.id
    this.output = new Output({
      format: new Mp4OutputFormat({
        fastStart: 'fragmented',
        // Every forced keyframe starts a segment: a hair under one GOP so rounding cannot skip one.
        minimumFragmentDuration: plan.segmentDuration - 0.5 / this.rate,
        onFtyp: (data) => this.init.push(data.slice()),
        onMoov: (data) => {
          this.init.push(data.slice())
          pipeline.emit({ path: initName(id), bytes: concat(this.init), kind: 'init', representation: id })
        },
        onMoof: (data) => {
          this.fragment = [data.slice()]
        },
        onMdat: (data) => {
          this.fragment.push(data.slice())
          const bytes = concat(this.fragment)
          this.fragment = []
          const number = this.firstSegment + this.segments.length
          const start = firstDecodeTime(bytes)
          if (start === null) {
            pipeline.fail(new EncodeError('ffmpeg-failed', `Segment ${number} of ${id} has no decode time.`))
            return
          }
          this.segments.push({ number, start })
          pipeline.emit({ path: mediaName(id, number), bytes, kind: 'segment', representation: id })
          forgetFragments(this.output)
        },
      }),
      target: new NullTarget(),
    })
    // The muxer snaps times to 1/frameRate and takes its denominator as the track's timescale: asking
    // for the plan's timescale makes every rendition's ticks the same as the ffmpeg.wasm ladder's.
    this.output.addVideoTrack(this.source, { frameRate: plan.videoTimescale })
    this.encoder = new VideoEncoder({
      output: (chunk, meta) => this.packet(chunk, meta),
      error: (error) =>
        pipeline.fail(
          new EncodeError('browser-encoder', `The browser's H.264 encoder failed: ${error.message}`),
        ),
    })
    this.encoder.configure(setup.config)
  }

  async start(): Promise<void> {
    if (this.complete) this.unit.setState('done')
    else await this.output.start()
  }

  /**
   * The frame of this rendition that source frame `n` (at the top frame rate) starts, or null when it
   * starts none: a lower frame rate takes the frames that start its own frame slots.
   */
  slotOf(n: number): number | null {
    const m = Math.floor((n * this.rate) / this.fullRate + 1e-9)
    if (n > 0 && m === Math.floor(((n - 1) * this.rate) / this.fullRate + 1e-9)) return null
    return m >= this.firstFrame && m < this.frames ? m : null
  }

  /** Resolves once the encoder's queue is short enough to take another frame (at once when aborted). */
  async drain(): Promise<void> {
    const { signal } = this.pipeline
    while (this.encoder.encodeQueueSize > MAX_ENCODE_QUEUE && !signal.aborted) {
      await new Promise<void>((resolve) => {
        this.encoder.addEventListener('dequeue', () => resolve(), { once: true })
        signal.addEventListener('abort', () => resolve(), { once: true })
      })
    }
  }

  /** Encodes `frame` as this rendition's frame `m`; every GOP starts with a keyframe. */
  encode(frame: VideoFrame, m: number): void {
    // The encoder shrinks the frame to the rung's size itself. Shrinking it on a canvas first (with
    // `imageSmoothingQuality: 'high'`) measured worse, by up to 6 dB PSNR through the RGB round trip,
    // and 8× slower (BENCHMARKS.md, quality per bit).
    const out = new VideoFrame(frame, {
      timestamp: Math.round((m / this.rate) * 1e6),
      duration: Math.round(1e6 / this.rate),
    })
    this.encoder.encode(out, { keyFrame: m % this.setup.rendition.gop === 0 })
    out.close()
  }

  /** Waits for the encoder to give back every frame it was given. */
  flush(): Promise<void> {
    return this.encoder.flush()
  }

  /** Hands the last packets to the muxer and writes the last segment. */
  async finish(): Promise<void> {
    if (this.complete) return
    await this.added
    this.source.close()
    await this.output.finalize()
    this.unit.setState('done')
  }

  /** Stops the encoder, whatever it was doing. */
  close(): void {
    if (this.encoder.state !== 'closed') this.encoder.close()
  }

  /**
   * The rendition's track for the manifest: one segment per GOP, each lasting until the next starts.
   * @throws EncodeError when the muxer cut a different number of segments
   */
  track(): Track {
    const { plan } = this.pipeline
    const r = this.setup.rendition
    const timescale = plan.videoTimescale
    const end = Math.round((this.frames / this.rate) * timescale)
    const expected = Math.ceil(this.frames / r.gop)
    // The segments a resumed encode skipped start where their GOPs do.
    const stored = Array.from({ length: Math.min(expected, this.firstSegment - 1) }, (_, i) => ({
      number: i + 1,
      start: Math.round(((i * r.gop) / this.rate) * timescale),
    }))
    const segments = [...stored, ...this.segments]
    if (segments.length !== expected) {
      throw new EncodeError(
        'ffmpeg-failed',
        `${r.label} came out in ${segments.length} segments instead of ${expected}.`,
      )
    }
    return {
      id: r.id,
      contentType: 'video',
      codecs: this.codecs ?? this.setup.config.codec,
      bandwidth: r.maxrate,
      declarePeak: true,
      width: r.width,
      height: r.height,
      sar: format(reduce(plan.displayAspect.num * r.height, plan.displayAspect.den * r.width), ':'),
      timescale,
      segments: segments.map((s, i) => ({
        number: s.number,
        start: s.start,
        duration: (segments[i + 1]?.start ?? end) - s.start,
      })),
    }
  }

  private packet(chunk: EncodedVideoChunk, meta: EncodedVideoChunkMetadata | undefined): void {
    if (this.codecs === null) {
      this.codecs = codecFromDescription(meta?.decoderConfig?.description, this.setup.config.codec)
    }
    const { plan } = this.pipeline
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
    this.added = this.added
      .then(() => this.source.add(packet, described))
      .catch((error: unknown) => this.pipeline.fail(error))
    this.encoded++
    if (this.unit.state === 'loading') this.unit.setState('encoding')
    this.unit.advance(this.encoded / this.rate)
  }
}
