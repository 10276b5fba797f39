/**
 * ASS positioning in WebVTT terms. ASS places a line by a numpad alignment (1–3 bottom, 4–6
 * middle, 7–9 top; left, centre, right) and optionally at an exact point of its script's canvas;
 * WebVTT says the same with a line (vertical) and a position (horizontal), each with the edge of
 * the cue box that sits there. Bottom-centre, what nearly all dialogue uses, says nothing at all, so
 * the player's own placement (above its controls) applies.
 * @module
 */
import type { CueSettings } from '../../../../server/lib/webvtt.ts'

const percent = (x: number) => `${Math.round(Math.min(100, Math.max(0, x)) * 100) / 100}%`

/** Where an `\anN` line goes on the screen, without an exact point. */
export function alignmentSettings(an: number): CueSettings | undefined {
  const row = Math.floor((an - 1) / 3) // 0 bottom, 1 middle, 2 top
  const column = (an - 1) % 3 // 0 left, 1 centre, 2 right
  const settings: CueSettings = {}
  if (row === 2) settings.line = '0'
  else if (row === 1) settings.line = '50%,center'
  if (column === 0) {
    settings.position = '5%,line-left'
    settings.align = 'left'
  } else if (column === 2) {
    settings.position = '95%,line-right'
    settings.align = 'right'
  }
  return Object.keys(settings).length ? settings : undefined
}

/** Where a line anchored by `\anN` at `\pos(x,y)` of a `width` × `height` script goes. */
export function pointSettings(an: number, x: number, y: number, width: number, height: number): CueSettings {
  const row = Math.floor((an - 1) / 3)
  const column = (an - 1) % 3
  return {
    line: `${percent((y / height) * 100)},${['end', 'center', 'start'][row]}`,
    position: `${percent((x / width) * 100)},${['line-left', 'center', 'line-right'][column]}`,
    align: (['left', 'center', 'right'] as const)[column],
  }
}
