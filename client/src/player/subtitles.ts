/**
 * Subtitles drawn by the player, not the browser: the active cues of the text track dash.js loads
 * (kept "hidden", so the browser does not draw it), laid out over the picture itself, not the
 * letterbox: a size relative to the picture's height, a dark outline, inside a safe area, and
 * lifted above the control bar while it shows. Cue settings from the WebVTT file place signs on
 * top, at a line or position, as the converter wrote them.
 * @module
 */
import { h } from '../ui/dom.ts'
import type { Lifetime } from './lifetime.ts'
import './tracks.css'

export interface SubtitleRenderer {
  /** The overlay, to sit over the video and under the controls. */
  element: HTMLElement
  /** Draws the text track dash.js made for AdaptationSet `key` (its TextTrack's label), or nothing. */
  show(key: string | null): void
}

/** Height of the text in fractions of the picture's height: about 20 lines of dialogue fit. */
const TEXT_SIZE = 0.052
const MIN_TEXT_PX = 13

export function createSubtitleRenderer(ctx: {
  video: HTMLVideoElement
  root: HTMLElement
  life: Lifetime
}): SubtitleRenderer {
  const { video } = ctx
  const top = h('div', { class: 'player-cues-top' })
  const bottom = h('div', { class: 'player-cues-bottom' })
  const placed = h('div', { class: 'player-cues-placed' })
  const area = h('div', { class: 'player-cue-area' }, top, placed, bottom)
  const element = h('div', { class: 'player-subtitles', 'aria-live': 'off', 'data-cues': '' }, area)
  let key: string | null = null
  let track: TextTrack | null = null

  function trackFor(k: string): TextTrack | null {
    return [...video.textTracks].find((t) => t.label === k) ?? null
  }

  /**
   * dash.js loads cues into the tracks and keeps them current (in every mode but "disabled"), and
   * marks the one it plays "showing", which would have the browser draw it too: every track stays
   * "hidden", which still updates its active cues.
   */
  function hideNative() {
    for (const t of video.textTracks) if (t.mode === 'showing') t.mode = 'hidden'
  }

  function attach() {
    hideNative()
    const next = key === null ? null : trackFor(key)
    if (next === track) return render()
    track?.removeEventListener('cuechange', render)
    track = next
    if (track) {
      if (track.mode === 'disabled') track.mode = 'hidden'
      track.addEventListener('cuechange', render)
    }
    render()
  }

  /** Fits the overlay to the picture inside the letterbox. */
  function fitToPicture() {
    const box = ctx.root.getBoundingClientRect()
    const vw = video.videoWidth || 16
    const vh = video.videoHeight || 9
    const scale = Math.min(box.width / vw, box.height / vh)
    const width = vw * scale
    const height = vh * scale
    Object.assign(element.style, {
      left: `${(box.width - width) / 2}px`,
      top: `${(box.height - height) / 2}px`,
      width: `${width}px`,
      height: `${height}px`,
      fontSize: `${Math.max(MIN_TEXT_PX, height * TEXT_SIZE)}px`,
    })
  }

  function cueBox(cue: VTTCue): HTMLElement {
    const text = h('span', { class: 'player-cue-text' })
    text.append(cue.getCueAsHTML())
    const box = h('div', { class: 'player-cue' }, text)
    const align = cue.align === 'start' ? 'left' : cue.align === 'end' ? 'right' : cue.align
    box.style.textAlign = align
    if (typeof cue.position === 'number') {
      // Anchored at a point of the width, by the box's left edge, centre or right edge.
      const anchor =
        cue.positionAlign === 'auto'
          ? align === 'left'
            ? 'line-left'
            : align === 'right'
              ? 'line-right'
              : 'center'
          : cue.positionAlign
      const shift = anchor === 'line-left' ? '0' : anchor === 'line-right' ? '-100%' : '-50%'
      box.style.left = `${cue.position}%`
      box.style.setProperty('--cue-x', shift)
      box.setAttribute('data-positioned', '')
    } else if (align === 'left' || align === 'right') {
      box.style.alignSelf = align === 'left' ? 'flex-start' : 'flex-end'
    }
    return box
  }

  function render() {
    const cues = track ? ([...(track.activeCues ?? [])] as VTTCue[]) : []
    top.replaceChildren()
    bottom.replaceChildren()
    placed.replaceChildren()
    for (const cue of cues) {
      const box = cueBox(cue)
      if (!cue.snapToLines && typeof cue.line === 'number') {
        // At a percentage of the height, by the box's top, middle or bottom.
        box.style.top = `${cue.line}%`
        box.style.setProperty(
          '--cue-y',
          cue.lineAlign === 'end' ? '-100%' : cue.lineAlign === 'center' ? '-50%' : '0',
        )
        if (typeof cue.position !== 'number') {
          box.style.left = '50%'
          box.style.setProperty('--cue-x', '-50%')
        }
        placed.append(box)
      } else if (typeof cue.line === 'number' && cue.line >= 0) top.append(box)
      else bottom.prepend(box) // later cues above earlier ones, as WebVTT stacks them
    }
    element.dataset.cues = cues.map((c) => c.text).join('\n')
  }

  const resize = new ResizeObserver(fitToPicture)
  resize.observe(ctx.root)
  ctx.life.onDispose(() => resize.disconnect())
  video.addEventListener('resize', fitToPicture)
  video.textTracks.addEventListener('addtrack', attach)
  video.textTracks.addEventListener('change', hideNative)
  ctx.life.onDispose(() => {
    video.textTracks.removeEventListener('addtrack', attach)
    video.textTracks.removeEventListener('change', hideNative)
  })
  fitToPicture()

  return {
    element,
    show(next) {
      key = next
      attach()
    },
  }
}
