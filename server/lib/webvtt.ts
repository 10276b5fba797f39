/**
 * WebVTT (W3C WebVTT: The Web Video Text Tracks Format) as both sides use it: the browser writes
 * every subtitle track it converts with {@link writeWebVtt}, and the server reads what it is sent
 * with {@link parseWebVtt} before it lists the file in a manifest. Times are whole milliseconds.
 * @module
 */

/** Cue settings a converter can say (WebVTT 4.4): where the cue box goes. */
export interface CueSettings {
  /** "0" (top line), "-1" (bottom line), or a percentage of the height, "10%". */
  line?: string
  /** Percentage of the width the box is anchored at, "50%". */
  position?: string
  align?: 'start' | 'center' | 'end' | 'left' | 'right'
  /** Box width as a percentage, "80%". */
  size?: string
}

export interface Cue {
  /** Milliseconds from the start of the movie. */
  start: number
  end: number
  /**
   * The cue payload: text with `&`, `<`, `>` escaped and only WebVTT's own tags (`<i>`, `<b>`,
   * `<u>`), lines separated by "\n", never an empty line.
   */
  text: string
  settings?: CueSettings
}

export class WebVttError extends Error {
  override readonly name = 'WebVttError'
}

/**
 * "hh:mm:ss.ttt".
 * @example formatTimestamp(3_723_004) // '01:02:03.004'
 */
export function formatTimestamp(ms: number): string {
  const t = Math.max(0, Math.round(ms))
  const pad = (n: number, w = 2) => String(n).padStart(w, '0')
  return `${pad(Math.floor(t / 3_600_000))}:${pad(Math.floor(t / 60_000) % 60)}:${pad(Math.floor(t / 1000) % 60)}.${pad(t % 1000, 3)}`
}

/** Escapes text for a cue payload. */
export function escapeCueText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/**
 * A WebVTT file of the cues, in start order (cues starting together keep their order): overlapping
 * cues stay separate cues, which players show together.
 * @example writeWebVtt([{ start: 500, end: 2250, text: '<i>Hello</i>' }])
 * // 'WEBVTT\n\n00:00:00.500 --> 00:00:02.250\n<i>Hello</i>\n'
 */
export function writeWebVtt(cues: readonly Cue[]): string {
  const blocks = [...cues]
    .filter((c) => c.end > c.start && c.text.trim() !== '')
    .sort((a, b) => a.start - b.start)
    .map((c) => {
      const s = c.settings ?? {}
      const settings = [
        s.line !== undefined ? `line:${s.line}` : null,
        s.position !== undefined ? `position:${s.position}` : null,
        s.size !== undefined ? `size:${s.size}` : null,
        s.align !== undefined ? `align:${s.align}` : null,
      ].filter((x) => x !== null)
      const text = c.text
        .split('\n')
        .map((line) => line.replace(/-->/g, '--&gt;'))
        .filter((line) => line.trim() !== '')
        .join('\n')
      return `${formatTimestamp(c.start)} --> ${formatTimestamp(c.end)}${settings.length ? ` ${settings.join(' ')}` : ''}\n${text}`
    })
  return `WEBVTT\n\n${blocks.join('\n\n')}${blocks.length ? '\n' : ''}`
}

const TIMESTAMP = /^(?:(\d{1,9}):)?([0-5]\d):([0-5]\d)\.(\d{3})$/

/** Milliseconds of a WebVTT timestamp, or null. */
export function parseTimestamp(text: string): number | null {
  const m = TIMESTAMP.exec(text.trim())
  if (!m) return null
  return Number(m[1] ?? 0) * 3_600_000 + Number(m[2]) * 60_000 + Number(m[3]) * 1000 + Number(m[4])
}

function parseSettings(text: string): CueSettings | undefined {
  const out: CueSettings = {}
  for (const part of text.split(/[ \t]+/)) {
    const [key, value] = part.split(':', 2)
    if (!value) continue
    if (key === 'line' && /^-?\d+(\.\d+)?%?(,(start|center|end))?$/.test(value)) out.line = value
    else if (key === 'position' && /^\d+(\.\d+)?%(,[a-z-]+)?$/.test(value)) out.position = value
    else if (key === 'size' && /^\d+(\.\d+)?%$/.test(value)) out.size = value
    else if (key === 'align' && ['start', 'center', 'end', 'left', 'right'].includes(value))
      out.align = value as CueSettings['align']
  }
  return Object.keys(out).length ? out : undefined
}

/**
 * The cues of a WebVTT file. NOTE, STYLE and REGION blocks and cue identifiers are skipped;
 * cue payloads are kept as written.
 * @throws WebVttError when the file does not start with "WEBVTT" or a cue's timing line is malformed
 * @example parseWebVtt('WEBVTT\n\n00:01.000 --> 00:02.500 line:0\nHi').cues // [{ start: 1000, end: 2500, text: 'Hi', settings: { line: '0' } }]
 */
export function parseWebVtt(input: string): { cues: Cue[] } {
  const text = input.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n')
  if (!/^WEBVTT(?:[ \t][^\n]*)?(?:\n|$)/.test(text)) {
    throw new WebVttError('A WebVTT file starts with "WEBVTT" on its first line.')
  }
  const blocks = text.split(/\n{2,}/).slice(1)
  const cues: Cue[] = []
  for (const block of blocks) {
    const lines = block.split('\n').filter((l, i) => i > 0 || l.trim() !== '')
    if (lines.length === 0) continue
    const head = lines[0]!
    if (/^(NOTE|STYLE|REGION)(\s|$)/.test(head)) continue
    const timingAt = head.includes('-->') ? 0 : lines[1]?.includes('-->') ? 1 : -1
    if (timingAt === -1) throw new WebVttError(`This block has no cue timing: "${head.slice(0, 60)}".`)
    const timing = lines[timingAt]!
    const m = /^(\S+)[ \t]+-->[ \t]+(\S+)(.*)$/.exec(timing.trim())
    const start = m ? parseTimestamp(m[1]!) : null
    const end = m ? parseTimestamp(m[2]!) : null
    if (start === null || end === null)
      throw new WebVttError(`Malformed cue timing: "${timing.slice(0, 60)}".`)
    if (end < start) throw new WebVttError(`A cue ends before it starts: "${timing.slice(0, 60)}".`)
    const settings = parseSettings(m![3]!.trim())
    cues.push({
      start,
      end,
      text: lines.slice(timingAt + 1).join('\n'),
      ...(settings ? { settings } : {}),
    })
  }
  return { cues }
}
