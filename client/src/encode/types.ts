/** @module Types shared by the encoding engine, its backends, the upload page and tests. */
import type { Rational } from './rational.ts'

/** Clockwise degrees a player must rotate the stored picture to show it upright. */
export type Rotation = 0 | 90 | 180 | 270

/** What `probe()` learns about a file before anything is encoded. */
export interface ProbeResult {
  /** Seconds. */
  duration: number
  /** Picture size as stored in the stream, before `rotation` and `sampleAspectRatio` are applied. */
  width: number
  height: number
  rotation: Rotation
  /** Shape of one stored pixel (1:1 for nearly everything except DVD/DV-style anamorphic video). */
  sampleAspectRatio: Rational
  /** Average frames per second (phones record variable frame rate; this is the mean). */
  fps: number
  /** Interlaced (TV, DVD, camcorder) material gets deinterlaced before scaling. */
  interlaced: boolean
  /** ffmpeg codec names, e.g. "h264", "hevc", "aac". */
  videoCodec: string
  audioCodec: string | null
  hasAudio: boolean
  audioChannels: number
  /** ISO 639 language tag of the audio track when the file names one. */
  audioLanguage: string | null
  /** Bits per second of the video stream (or the whole file when the stream does not say), if known. */
  videoBitrate: number | null
  /** Bytes. */
  size: number
  /** Container as ffmpeg names it, e.g. "mov,mp4,m4a,3gp,3g2,mj2" or "matroska,webm". */
  container: string
}

/** x264 speed/quality trade-off. Slower presets compress better and cost much more CPU in wasm. */
export type X264Preset = 'ultrafast' | 'superfast' | 'veryfast' | 'faster' | 'fast' | 'medium'

/** One H.264 rung of the ladder. */
export interface VideoRendition {
  /** Representation id in the manifest and in file names: "v0" is the largest. */
  id: string
  /** What a person sees in a quality menu, e.g. "720p". */
  label: string
  width: number
  height: number
  frameRate: Rational
  /** Frames per GOP; every GOP is exactly one segment, so keyframes line up across renditions. */
  gop: number
  /** Target, peak and VBV buffer, in bits per second (buffer in bits). */
  bitrate: number
  maxrate: number
  bufsize: number
}

export interface AudioRendition {
  id: string
  codec: 'aac'
  bitrate: number
  sampleRate: number
  channels: number
  language: string | null
}

/** The whole encoding decision for one source: what `encode()` will produce. */
export interface LadderPlan {
  source: ProbeResult
  /** Display aspect ratio every rendition is tagged with (setdar), so players agree on the shape. */
  displayAspect: Rational
  /** Exact segment length in seconds: gop / frameRate of every rendition. */
  segmentDuration: number
  /** Ticks per second of every video track, a common multiple of all the renditions' frame rates. */
  videoTimescale: number
  preset: X264Preset
  /** Largest first. */
  renditions: VideoRendition[]
  audio: AudioRendition | null
  poster: { time: number; width: number; height: number }
}

/** A finished output file, handed out as soon as it is complete so the upload can start. */
export interface EncodedFile {
  /** Path inside the movie, e.g. "chunk-v1-00003.m4s". */
  path: string
  bytes: Uint8Array
  kind: 'manifest' | 'init' | 'segment' | 'poster'
  contentType: string
  /** Representation id for init and media segments. */
  representation?: string
}

/** Progress of one rendition (or the audio track). */
export interface RenditionProgress {
  id: string
  label: string
  /** Seconds of the source done. */
  seconds: number
  /** 0..1 */
  fraction: number
  /** Output frames per second over the last stretch; 0 for audio. */
  fps: number
  /** Seconds left, or null until there is enough to estimate from. */
  eta: number | null
  state: 'queued' | 'loading' | 'encoding' | 'waiting' | 'done'
}

export interface EncodeProgress {
  /** Which encoder is doing the work: "webcodecs" (the browser's own) or "ffmpeg.wasm". */
  backend: string
  /** Who encodes, in words for people: "your browser’s video encoder", "2 parallel ffmpeg.wasm encoders". */
  encoder: string
  /** A sentence more about that encoder: what else runs beside it, or why it was chosen. */
  encoderDetail: string
  /** ffmpeg.wasm instances at work (the WebCodecs backend runs one for the audio track). */
  workers: number
  /**
   * Whether the encoders pause while the consumer holds `maxBufferedBytes`; ffmpeg.wasm workers can
   * only pause on a cross-origin isolated page.
   */
  pausesForConsumer: boolean
  renditions: RenditionProgress[]
  /** 0..1 across all the work, weighted by its cost. */
  fraction: number
  eta: number | null
  elapsed: number
  /** Encoded bytes not yet taken by the consumer (bounded when the page is cross-origin isolated). */
  bufferedBytes: number
}

export interface EncodeOptions {
  onProgress?: (progress: EncodeProgress) => void
  signal?: AbortSignal
  /** Parallel encoder instances; defaults to about one per core. */
  workers?: number
  /**
   * How to share the work between instances: by rendition, by time slice, or whichever is estimated
   * to finish first (the default).
   */
  split?: 'auto' | 'renditions' | 'time'
  /** Which ffmpeg.wasm core to run. */
  core?: CoreVariant
  /** Threads per instance for the multi-threaded core (ignored by the single-thread core). */
  threads?: number
  /**
   * Encoded bytes allowed to wait for the consumer before the encoders pause (needs
   * cross-origin isolation; without it nothing pauses and the consumer must keep up).
   */
  maxBufferedBytes?: number
  /** A worker that reports nothing for this long is considered stuck and the encode fails. */
  stallTimeoutMs?: number
}

export type CoreVariant = 'core' | 'core-mt'

/**
 * An encoder implementation: WebCodecs (the browser's own H.264 encoder, the default where it can
 * decode the source) or ffmpeg.wasm (everything else). The page never knows which one runs, except
 * through `EncodeProgress.backend`.
 */
export interface EncoderBackend {
  readonly name: string
  probe(file: Blob & { name?: string }, options?: { signal?: AbortSignal }): Promise<ProbeResult>
  encode(
    file: Blob & { name?: string },
    plan: LadderPlan,
    options?: EncodeOptions,
  ): AsyncIterable<EncodedFile>
}
