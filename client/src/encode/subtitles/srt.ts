/**
 * SubRip (.srt) to WebVTT cues: numbered blocks with "hh:mm:ss,mmm --> hh:mm:ss,mmm" timings.
 * Its HTML-ish tags become WebVTT's (`<i>`, `<b>`, `<u>` kept, `<font>` and anything else reduced to
 * its text), and the `{\an8}`-style position tags many SRT files borrow from ASS place the cue.
 * @module
 */
import { type Cue, type CueSettings, escapeCueText } from '../../../../server/lib/webvtt.ts'
import { alignmentSettings } from './position.ts'

const TIMING =
  /^\s*(?:(\d{1,9}):)?(\d{1,2}):(\d{1,2})[,.](\d{1,3})\s*-->\s*(?:(\d{1,9}):)?(\d{1,2}):(\d{1,2})[,.](\d{1,3})/

function ms(h: string | undefined, m: string, s: string, frac: string): number {
  return Number(h ?? 0) * 3_600_000 + Number(m) * 60_000 + Number(s) * 1000 + Number(frac.padEnd(3, '0'))
}

const KEPT = new Set(['i', 'b', 'u'])

/** A line of SRT text as WebVTT cue text: known tags kept (lower case), the rest reduced to text. */
function cueText(line: string): string {
  let out = ''
  let at = 0
  for (const m of line.matchAll(/<(\/?)([a-zA-Z]+)\b[^>]*>|\{\\[^}]*\}/g)) {
    out += escapeCueText(line.slice(at, m.index))
    at = m.index + m[0].length
    const name = m[2]?.toLowerCase()
    if (name && KEPT.has(name)) out += `<${m[1]}${name}>`
  }
  out += escapeCueText(line.slice(at))
  return out
}

/** Closes tags left open at the end of a cue and drops closing tags that close nothing. */
function balance(text: string): string {
  const open: string[] = []
  const out = text.replace(/<(\/?)([ibu])>/g, (whole, close: string, name: string) => {
    if (!close) {
      open.push(name)
      return whole
    }
    const i = open.lastIndexOf(name)
    if (i === -1) return ''
    open.splice(i, 1)
    return whole
  })
  return (
    out +
    open
      .reverse()
      .map((n) => `</${n}>`)
      .join('')
  )
}

/**
 * @example parseSrt('1\r\n00:00:01,000 --> 00:00:02,500\r\n<i>Hi</i>\r\n') // [{ start: 1000, end: 2500, text: '<i>Hi</i>' }]
 */
export function parseSrt(input: string): Cue[] {
  const text = input.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n')
  const cues: Cue[] = []
  for (const block of text.split(/\n[ \t]*\n/)) {
    const lines = block.split('\n').filter((l, i, all) => i > 0 || l.trim() !== '' || all.length === 1)
    const timingAt = lines.findIndex((l) => TIMING.test(l))
    if (timingAt === -1 || timingAt > 1) continue
    const m = TIMING.exec(lines[timingAt]!)!
    const start = ms(m[1], m[2]!, m[3]!, m[4]!)
    const end = ms(m[5], m[6]!, m[7]!, m[8]!)
    const payload = lines.slice(timingAt + 1)
    const an = /\{\\an([1-9])\}/.exec(payload.join('\n'))?.[1]
    const body = balance(
      payload
        .map((l) => cueText(l).trim())
        .filter((l) => l.replace(/<[^>]*>/g, '').trim() !== '')
        .join('\n'),
    )
    if (!body || end <= start) continue
    const settings: CueSettings | undefined = an ? alignmentSettings(Number(an)) : undefined
    cues.push({ start, end, text: body, ...(settings ? { settings } : {}) })
  }
  return cues
}
