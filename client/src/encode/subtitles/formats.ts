/** @module The subtitle formats converted, by file extension: small, so pages can import it without the parsers. */

/** The text formats converted; picture-based ones (PGS, VobSub, DVB) cannot be. */
export type SubtitleFormat = 'ass' | 'srt' | 'webvtt'

/** File extensions of sidecar subtitle files, by format. */
export const SIDECAR_EXTENSIONS: Record<string, SubtitleFormat> = {
  srt: 'srt',
  vtt: 'webvtt',
  ass: 'ass',
  ssa: 'ass',
}

/** The format of a subtitle file by its name, or null when it is not one we convert. */
export function subtitleFormatOf(fileName: string): SubtitleFormat | null {
  const ext = /\.([a-z0-9]{2,4})$/i.exec(fileName)?.[1]?.toLowerCase() ?? ''
  return SIDECAR_EXTENSIONS[ext] ?? null
}
