/** @module Turning ffprobe's JSON into a ProbeResult, or into an error a person understands. */
import { canonicalLanguage } from '../../../server/lib/languages.ts'
import { MediaProbeError } from './errors.ts'
import { parse as parseRational, toNumber } from './rational.ts'
import type {
  ProbeResult,
  Rotation,
  SourceAudioTrack,
  SourceColour,
  SourceSubtitleTrack,
  SubtitleFormat,
} from './types.ts'

interface FfprobeStream {
  codec_type?: string
  codec_name?: string
  width?: number
  height?: number
  sample_aspect_ratio?: string
  avg_frame_rate?: string
  r_frame_rate?: string
  field_order?: string
  color_space?: string
  color_primaries?: string
  color_transfer?: string
  duration?: string
  bit_rate?: string
  channels?: number
  channel_layout?: string
  disposition?: {
    attached_pic?: number
    default?: number
    forced?: number
    hearing_impaired?: number
    comment?: number
  }
  tags?: Record<string, string>
  side_data_list?: { side_data_type?: string; rotation?: number }[]
}

interface FfprobeOutput {
  streams?: FfprobeStream[]
  format?: { format_name?: string; duration?: string; bit_rate?: string; size?: string }
}

/** Containers that hold a single picture: ffprobe reads them happily, but they are not videos. */
const IMAGE_FORMATS = /^(image2|[a-z0-9]+_pipe|apng|ico|tiff?)$/

/** Clockwise display rotation from ffprobe's display matrix (counter-clockwise) or the legacy tag. */
function rotationOf(stream: FfprobeStream): Rotation {
  const matrix = stream.side_data_list?.find((d) => typeof d.rotation === 'number')?.rotation
  const degrees = matrix !== undefined ? -matrix : Number(stream.tags?.rotate ?? 0)
  const r = (((Math.round(degrees / 90) * 90) % 360) + 360) % 360
  return r as Rotation
}

/** A colour tag that says something: ffprobe prints "unknown" (or "unspecified") for the others. */
function named(value: string | undefined): string | null {
  return value && !['unknown', 'unspecified', 'reserved'].includes(value) ? value : null
}

function colourOf(stream: FfprobeStream): SourceColour {
  return {
    matrix: named(stream.color_space),
    primaries: named(stream.color_primaries),
    transfer: named(stream.color_transfer),
  }
}

function positive(text: string | undefined): number | null {
  const n = Number(text)
  return Number.isFinite(n) && n > 0 ? n : null
}

/**
 * Builds a ProbeResult from `ffprobe -print_format json -show_format -show_streams` output.
 * Throws MediaProbeError for images, audio-only files and files with no usable picture or duration.
 */
export function parseProbe(json: string, size: number): ProbeResult {
  let data: FfprobeOutput
  try {
    data = JSON.parse(json) as FfprobeOutput
  } catch {
    throw new MediaProbeError('not-video', 'This file could not be read as a video.')
  }
  const format = data.format
  const streams = data.streams ?? []
  if (!format) throw new MediaProbeError('not-video', 'This file could not be read as a video.')
  const formatName = format.format_name ?? ''
  if (IMAGE_FORMATS.test(formatName)) {
    throw new MediaProbeError('not-video', 'This is a picture, not a video. Choose a video file.')
  }
  // Album art in music files shows up as a one-frame "video" stream; it is not a picture to encode.
  const video = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic)
  const audioStreams = streams.filter((s) => s.codec_type === 'audio')
  const audioTracks = audioStreams.map(audioTrack)
  // The track players would start with: the one the file marks default, else the first.
  const main = audioTracks.find((t) => t.default) ?? audioTracks[0]
  const audio = main ? audioStreams[main.index] : undefined
  if (!video) {
    throw new MediaProbeError(
      'no-video-stream',
      audio
        ? 'This file has sound but no picture. Choose a video file.'
        : 'This file has no video stream. Choose a video file.',
    )
  }
  const width = video.width ?? 0
  const height = video.height ?? 0
  if (!(width > 0 && height > 0)) {
    throw new MediaProbeError(
      'corrupt',
      'The video stream in this file has no picture size; the file may be damaged.',
    )
  }
  const duration = positive(format.duration) ?? positive(video.duration)
  if (!duration) {
    throw new MediaProbeError('corrupt', 'The length of this video cannot be read; the file may be damaged.')
  }
  const rate = parseRational(video.avg_frame_rate) ?? parseRational(video.r_frame_rate)
  const audioBitrate = positive(audio?.bit_rate) ?? 0
  const formatBitrate = positive(format.bit_rate)
  return {
    duration,
    width,
    height,
    rotation: rotationOf(video),
    sampleAspectRatio: parseRational(video.sample_aspect_ratio) ?? { num: 1, den: 1 },
    fps: rate ? toNumber(rate) : 30,
    interlaced: ['tt', 'bb', 'tb', 'bt'].includes(video.field_order ?? ''),
    colour: colourOf(video),
    videoCodec: video.codec_name ?? 'unknown',
    audioCodec: audio?.codec_name ?? null,
    hasAudio: audio !== undefined,
    audioChannels: audio?.channels ?? 0,
    audioLanguage: main?.language ?? null,
    audioTracks,
    subtitleTracks: streams.filter((s) => s.codec_type === 'subtitle').map(subtitleTrack),
    videoBitrate:
      positive(video.bit_rate) ?? (formatBitrate ? Math.max(0, formatBitrate - audioBitrate) || null : null),
    size,
    container: formatName,
  }
}

/** Subtitle codecs whose text converts to WebVTT, and the format ffmpeg.wasm copies them out as. */
const TEXT_SUBTITLES: Record<string, SubtitleFormat> = {
  ass: 'ass',
  ssa: 'ass',
  subrip: 'srt',
  srt: 'srt',
  text: 'srt',
  mov_text: 'srt',
  webvtt: 'webvtt',
}

function tag(stream: FfprobeStream, name: string): string | null {
  // Matroska tags come upper or lower case depending on the muxer.
  const entry = Object.entries(stream.tags ?? {}).find(([k]) => k.toLowerCase() === name)
  const value = entry?.[1]?.trim()
  return value ? value : null
}

function audioTrack(stream: FfprobeStream, index: number): SourceAudioTrack {
  return {
    index,
    codec: stream.codec_name ?? 'unknown',
    channels: stream.channels ?? 2,
    channelLayout: stream.channel_layout ?? null,
    language: canonicalLanguage(tag(stream, 'language')),
    title: tag(stream, 'title'),
    default: stream.disposition?.default === 1,
  }
}

function subtitleTrack(stream: FfprobeStream, index: number): SourceSubtitleTrack {
  const codec = stream.codec_name ?? 'unknown'
  return {
    index,
    codec,
    format: TEXT_SUBTITLES[codec] ?? null,
    language: canonicalLanguage(tag(stream, 'language')),
    title: tag(stream, 'title'),
    default: stream.disposition?.default === 1,
    forced: stream.disposition?.forced === 1,
    hearingImpaired: stream.disposition?.hearing_impaired === 1,
  }
}

/**
 * Whether the first bytes look like a video container (MP4/MOV, Matroska/WebM, AVI, MPEG-TS/PS, FLV,
 * ASF/WMV, Ogg). Tells a damaged video ("may be damaged") from something that never was one.
 */
export function looksLikeVideoContainer(head: Uint8Array): boolean {
  const ascii = (from: number, to: number) => String.fromCharCode(...head.subarray(from, to))
  if (head.length < 12) return false
  if (['ftyp', 'moov', 'mdat', 'free', 'wide', 'skip'].includes(ascii(4, 8))) return true
  if (head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) return true
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12).startsWith('AVI')) return true
  if (head[0] === 0x47 && (head.length < 189 || head[188] === 0x47)) return true
  if (head[0] === 0 && head[1] === 0 && head[2] === 1 && head[3] === 0xba) return true
  if (ascii(0, 3) === 'FLV' || ascii(0, 4) === 'OggS') return true
  return head[0] === 0x30 && head[1] === 0x26 && head[2] === 0xb2 && head[3] === 0x75
}

/** The error for a file ffprobe could not open, worded by whether it looked like a video at all. */
export function unreadableError(head: Uint8Array, ffprobeLog: string): MediaProbeError {
  const detail = ffprobeLog.trim() || undefined
  if (looksLikeVideoContainer(head)) {
    return new MediaProbeError(
      'corrupt',
      'This looks like a video file, but it cannot be read; it may be damaged or incomplete.',
      detail,
    )
  }
  return new MediaProbeError('not-video', 'This file is not a video (or not one we can read).', detail)
}
