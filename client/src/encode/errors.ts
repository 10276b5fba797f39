/** @module Errors the encoding engine throws, each with a code the page can turn into advice. */

export type ProbeErrorCode = 'empty' | 'not-video' | 'no-video-stream' | 'corrupt' | 'unsupported'

/** The file cannot be encoded at all: not a video, no picture, damaged, or a codec we cannot decode. */
export class MediaProbeError extends Error {
  override readonly name = 'MediaProbeError'
  constructor(
    readonly code: ProbeErrorCode,
    message: string,
    /** What ffprobe said, for people who want the details. */
    readonly detail?: string,
  ) {
    super(message)
  }
}

/** `browser-encoder`: the browser's own (WebCodecs) encoder failed, and ffmpeg.wasm may do better. */
export type EncodeErrorCode =
  | 'ffmpeg-failed'
  | 'browser-encoder'
  | 'out-of-memory'
  | 'stalled'
  | 'worker-crashed'
  | 'wasm-trap'

/** Encoding started but did not finish. `log` holds the last lines ffmpeg printed. */
export class EncodeError extends Error {
  override readonly name = 'EncodeError'
  constructor(
    readonly code: EncodeErrorCode,
    message: string,
    readonly log: readonly string[] = [],
  ) {
    super(message)
  }
}
