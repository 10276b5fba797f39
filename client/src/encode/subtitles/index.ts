/**
 * Subtitles to WebVTT, in the browser: SubRip, ASS/SSA and WebVTT files (sidecars dropped with the
 * video, or tracks ffmpeg.wasm copied out of the source: ASS and SSA as .ass, SubRip as .srt,
 * mov_text transcoded to .srt, WebVTT as .vtt) become one WebVTT file each, written by the shared
 * writer in server/lib/webvtt.ts.
 *
 * Why our own converter rather than ffmpeg's `-c:s webvtt`: ffmpeg keeps italics but drops every
 * position (`\an8` signs end up at the bottom over the dialogue), and SubRip's `{\an8}` too.
 * ass-compiler does the parsing of ASS; the mapping to WebVTT is here, with unit tests against
 * expected cue lists (tests/encode/subtitles.test.ts).
 * @module
 */
import { type Cue, parseWebVtt, writeWebVtt } from '../../../../server/lib/webvtt.ts'
import { parseAss } from './ass.ts'
import { decodeSubtitleText } from './decode.ts'
import type { SubtitleFormat } from './formats.ts'
import { parseSrt } from './srt.ts'

export { decodeSubtitleText } from './decode.ts'
export { SIDECAR_EXTENSIONS, type SubtitleFormat, subtitleFormatOf } from './formats.ts'

/**
 * The cues of a subtitle file in `format`.
 * @throws Error (WebVttError for WebVTT) when the file holds no cue at all
 */
export function subtitleCues(bytes: Uint8Array, format: SubtitleFormat): Cue[] {
  const text = decodeSubtitleText(bytes)
  const cues = format === 'ass' ? parseAss(text) : format === 'srt' ? parseSrt(text) : parseWebVtt(text).cues
  if (cues.length === 0) throw new Error('The subtitle file has no cue that could be read.')
  return cues
}

/**
 * A subtitle file as WebVTT.
 * @example toWebVtt(bytes, 'srt') // 'WEBVTT\n\n00:00:01.000 --> 00:00:02.500\n<i>Hi</i>\n'
 */
export function toWebVtt(bytes: Uint8Array, format: SubtitleFormat): string {
  return writeWebVtt(subtitleCues(bytes, format))
}
