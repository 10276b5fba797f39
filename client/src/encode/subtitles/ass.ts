/**
 * ASS/SSA to WebVTT cues. The script is read by ass-compiler (the parser behind the ASS.js
 * renderer: styles, override tags, `\r` resets and karaoke already resolved into text fragments
 * with their effective tags); what WebVTT cannot say is reduced to text:
 *
 * - italics, bold and underline (from the style or `\i1`, `\b1`, `\u1`) become `<i>`, `<b>`, `<u>`;
 *   fonts, colours, borders, rotation, fades and movement are dropped;
 * - `\N` is a line break, `\n` one too where the script wraps only there (WrapStyle 2) and a space
 *   otherwise, `\h` a no-break space; karaoke `\k` timings vanish and the syllables join;
 * - `\anN` and `\pos(x,y)` become WebVTT line/position settings (see position.ts);
 * - drawings (`\p1`) and comments are not text and are left out; overlapping events stay separate
 *   cues, and exact duplicates (one line drawn twice for an outline effect) become one;
 * - times are the script's own centiseconds, exactly, in milliseconds.
 * @module
 */
import { compile, type Dialogue } from 'ass-compiler'
import { type Cue, escapeCueText } from '../../../../server/lib/webvtt.ts'
import { alignmentSettings, pointSettings } from './position.ts'

type Format = { i: boolean; b: boolean; u: boolean }

/** One line of cue text from runs of text with their formatting; tags close at the line's end. */
function renderLine(runs: { text: string; format: Format }[]): string {
  let out = ''
  for (const { text, format } of runs) {
    if (text === '') continue
    let piece = escapeCueText(text)
    if (format.u) piece = `<u>${piece}</u>`
    if (format.b) piece = `<b>${piece}</b>`
    if (format.i) piece = `<i>${piece}</i>`
    out += piece
  }
  // Neighbouring runs with the same formatting read as one.
  return out.replace(/<\/([ibu])><\1>/g, '').trim()
}

function textOf(dialogue: Dialogue, styles: ReturnType<typeof compile>['styles'], wrapStyle: number): string {
  const lines: { text: string; format: Format }[][] = [[]]
  for (const slice of dialogue.slices) {
    const base = styles[slice.style]?.tag ?? styles.Default?.tag
    for (const fragment of slice.fragments) {
      if (fragment.drawing || (fragment.tag.p ?? 0) > 0) continue
      const tag = fragment.tag
      const bold = tag.b ?? base?.b ?? 0
      const format: Format = {
        i: (tag.i ?? base?.i ?? 0) === 1,
        // \b1, or a font weight such as \b700.
        b: bold === 1 || bold >= 600,
        u: (tag.u ?? base?.u ?? 0) === 1,
      }
      const text = fragment.text
        .replace(/\\h/g, '\u00a0')
        // ass-compiler hands `\n` over either as written or as a line feed.
        .replace(/\\n|\n/g, wrapStyle === 2 ? '\\N' : ' ')
        // Override blocks ass-compiler leaves in the text (unknown tags) are no text.
        .replace(/\{[^}]*\}/g, '')
      const parts = text.split('\\N')
      parts.forEach((part, k) => {
        if (k > 0) lines.push([])
        lines[lines.length - 1]!.push({ text: part, format })
      })
    }
  }
  return lines
    .map(renderLine)
    .filter((line) => line.replace(/<[^>]*>/g, '').trim() !== '')
    .join('\n')
}

/**
 * @example parseAss(script) // [{ start: 500, end: 2250, text: '<i>Hello</i> there,\nsecond line' }, …]
 */
export function parseAss(script: string): Cue[] {
  const compiled = compile(script.replace(/^\uFEFF/, ''), {})
  const width = compiled.width || 384
  const height = compiled.height || 288
  // The script's own WrapStyle (0 when it says none; ass-compiler assumes 2).
  const wrapStyle = Number(compiled.info.WrapStyle ?? 0)
  const seen = new Set<string>()
  const cues: Cue[] = []
  for (const dialogue of compiled.dialogues) {
    const text = textOf(dialogue, compiled.styles, wrapStyle)
    if (!text) continue
    const start = Math.round(dialogue.start * 1000)
    const end = Math.round(dialogue.end * 1000)
    if (end <= start) continue
    const an = dialogue.alignment || 2
    const settings = dialogue.pos
      ? pointSettings(an, dialogue.pos.x, dialogue.pos.y, width, height)
      : alignmentSettings(an)
    const key = `${start} ${end} ${text} ${JSON.stringify(settings ?? null)}`
    if (seen.has(key)) continue
    seen.add(key)
    cues.push({ start, end, text, ...(settings ? { settings } : {}) })
  }
  return cues
}
