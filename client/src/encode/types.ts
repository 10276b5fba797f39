/** @module Types shared by the encoding engine, its backends, the upload page and tests. */
import type { SubtitleRole } from '../../../server/lib/dash/tracks.ts'
import type { Rational } from './rational.ts'
import type { SubtitleFormat } from './subtitles/formats.ts'

export type { SubtitleRole } from '../../../server/lib/dash/tracks.ts'
export type { SubtitleFormat } from './subtitles/formats.ts'

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
  /** Language (RFC 5646, "ja") of the default audio track when the file names one. */
  audioLanguage: string | null
  /** Every audio track, in the file's order. */
  audioTracks: SourceAudioTrack[]
  /** Every subtitle track, in the file's order, the ones that cannot be converted included. */
  subtitleTracks: SourceSubtitleTrack[]
  /** Bits per second of the video stream (or the whole file when the stream does not say), if known. */
  videoBitrate: number | null
  /** Bytes. */
  size: number
  /** Container as ffmpeg names it, e.g. "mov,mp4,m4a,3gp,3g2,mj2" or "matroska,webm". */
  container: string
  /**
   * The colour tags of the video stream, as ffprobe names them ("bt709", "smpte170m", "bt470bg"…);
   * null where the file says nothing. Absent from probes made before the tags were read.
   */
  colour?: SourceColour
  /**
   * Set when the file ends early (a copy or download cut off, its header intact): `duration` is then
   * what the file really holds, and `declared` the length its header claims (truncation.ts).
   */
  truncated?: { declared: number }
}

/** What a video stream says about its colour: ffprobe's color_space, color_primaries and color_transfer. */
export interface SourceColour {
  matrix: string | null
  primaries: string | null
  transfer: string | null
}

/** An audio track of the source file. */
export interface SourceAudioTrack {
  /** Its number among the file's audio streams (ffmpeg's `0:a:N`). */
  index: number
  codec: string
  channels: number
  /** "stereo", "5.1(side)"… */
  channelLayout: string | null
  /** RFC 5646 ("ja"), from the file's ISO 639 tag; null when it says none or "und". */
  language: string | null
  title: string | null
  default: boolean
}

/** A subtitle track of the source file. */
export interface SourceSubtitleTrack {
  /** Its number among the file's subtitle streams (ffmpeg's `0:s:N`). */
  index: number
  /** ffmpeg's codec name: "ass", "subrip", "mov_text", "webvtt", "hdmv_pgs_subtitle"… */
  codec: string
  /** The text format it converts from, or null: picture-based subtitles (PGS, VobSub, DVB) cannot be converted. */
  format: SubtitleFormat | null
  language: string | null
  title: string | null
  default: boolean
  forced: boolean
  /** Captions for the deaf and hard of hearing (SDH). */
  hearingImpaired: boolean
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
  /**
   * Encoded by x264 in ffmpeg.wasm even where the browser's own H.264 encoder makes the other rungs:
   * at low resolutions x264 needs far fewer bits for the same picture, and costs little CPU there
   * (BENCHMARKS.md, quality per bit). The ffmpeg.wasm backend encodes every rung with x264 anyway.
   */
  x264?: true
}

/** One AAC rendition of an audio track. */
export interface AudioRendition {
  /** Representation id: "a0" (the stereo rendition of the first track), "a0-6ch" (its 5.1 one). */
  id: string
  codec: 'aac'
  bitrate: number
  sampleRate: number
  channels: number
  /** The source audio stream it encodes (ffmpeg's `0:a:N`). */
  source: number
}

/** One audio track of the published movie: an AdaptationSet of its renditions. */
export interface AudioTrackPlan {
  /** "a0", "a1"…, in the order the manifest lists them. */
  id: string
  /** The source audio stream (ffmpeg's `0:a:N`). */
  source: number
  /** RFC 5646 language, or null. */
  language: string | null
  /** For people: "Japanese", "English (commentary)". */
  label: string
  /** The track players start with (Role "main"); the others are "alternate". */
  main: boolean
  /** Stereo first (every device plays it), then 5.1 when the source has surround sound. */
  renditions: AudioRendition[]
}

/** Where a subtitle track comes from: a stream of the source, or a file dropped beside it. */
export type SubtitleSource =
  | { kind: 'embedded'; index: number; format: SubtitleFormat }
  | { kind: 'sidecar'; name: string; format: SubtitleFormat }

/** One subtitle track of the published movie: a WebVTT file in a text AdaptationSet. */
export interface SubtitlePlan {
  /** Representation id: "s0", "s1"… */
  id: string
  source: SubtitleSource
  language: string | null
  label: string
  role: SubtitleRole
}

/** The seek-bar previews: a tile every `step` frames (of the top rendition), packed in sprite sheets. */
export interface ThumbnailPlan {
  /** Frames of the top rendition between two tiles; tile i shows frame i × step. */
  step: number
  /** Seconds between two tiles: step / frame rate. */
  interval: number
  /** Tile size in pixels: about 160 wide, the picture's shape. */
  width: number
  height: number
  /** Tiles per sheet across and down. */
  columns: number
  rows: number
}

/** x264 speed/quality trade-off.

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
  /** Every audio track kept, the main one first; empty for a silent movie. */
  audio: AudioTrackPlan[]
  /** Every subtitle track kept, converted to WebVTT. */
  subtitles: SubtitlePlan[]
  thumbnails: ThumbnailPlan | null
  poster: { time: number; width: number; height: number }
}

/** A finished output file, handed out as soon as it is complete so the upload can start. */
export interface EncodedFile {
  /** Path inside the movie, e.g. "chunk-v1-00003.m4s". */
  path: string
  bytes: Uint8Array
  /**
   * `subtitles`: a WebVTT subtitle track; `sprite`: a JPEG sheet of seek-bar previews;
   * `thumbnails`: the WebVTT thumbnails file that points into the sheets.
   */
  kind: 'manifest' | 'init' | 'segment' | 'poster' | 'subtitles' | 'sprite' | 'thumbnails'
  contentType: string
  /** Representation id for init and media segments. */
  representation?: string
}

/** The id of the one progress row all the audio tracks share. */
export const AUDIO_ROW = 'audio'

/** Progress of one rendition (or the audio tracks). */
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
  /** Subtitle files dropped beside the video, which the plan's sidecar subtitles name. */
  sidecars?: readonly (Blob & { name: string })[]
  /**
   * Changes to the browser encoder's configuration (bitrate mode, content hint…), for measuring
   * alternatives side by side (bench:encode --quality); the WebCodecs backend only.
   */
  videoConfig?: Partial<VideoEncoderConfig>
  /**
   * Picks up an interrupted encode: the segments before `from[id]` of each video rendition are
   * already on the server (segments are GOP-aligned at fixed times, so the encoders start at that
   * keyframe), and `sizes` are the stored segments' byte sizes, for the manifest's bandwidth. A
   * backend that cannot start in the middle encodes everything.
   */
  resume?: EncodeResume
  /** 'ffmpeg.wasm': leave the browser's own encoder out (the retry after it failed). */
  engine?: 'ffmpeg.wasm'
}

export interface EncodeResume {
  /** Representation id → the first segment number to encode (1 encodes everything). */
  from: Readonly<Record<string, number>>
  /** Path → bytes of the media segments already stored. */
  sizes: ReadonlyMap<string, number>
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
