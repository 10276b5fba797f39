/**
 * The preview above the seek bar: the picture at the time under the pointer (or the thumb being
 * dragged, by mouse, touch or keyboard) and that time, from the movie's sprite sheets through
 * dash.js's thumbnail API. Without previews in the manifest, only the time shows.
 * @module
 */
import type { MediaPlayerClass } from 'dashjs'
import { h } from '../ui/dom.ts'
import { formatDuration } from '../ui/format.ts'
import type { Lifetime } from './lifetime.ts'
import type { PlayerView } from './view.ts'
import './tracks.css'

export interface SeekPreview {
  element: HTMLElement
}

/** How long a preview shown by the keyboard stays. */
const KEYBOARD_MS = 900

export function createSeekPreview(ctx: {
  view: Pick<PlayerView, 'seek' | 'video'>
  player: () => MediaPlayerClass | null
  life: Lifetime
}): SeekPreview {
  const { seek, video } = ctx.view
  const row = seek.parentElement ?? seek
  const image = h('div', { class: 'player-preview-image' })
  const time = h('span', { class: 'player-preview-time' })
  const element = h('div', { class: 'player-preview', 'aria-hidden': 'true', hidden: true }, image, time)
  row.append(element)
  let dragging = false
  let request = 0
  let keyboardTimer: ReturnType<typeof setTimeout> | undefined

  function duration(): number {
    return Number.isFinite(video.duration) ? video.duration : 0
  }

  /** Shows the preview for the time at `ratio` (0..1) of the seek bar. */
  function showAt(ratio: number) {
    const length = duration()
    if (!length) return
    const at = Math.min(1, Math.max(0, ratio)) * length
    const mine = ++request
    element.hidden = false
    time.textContent = formatDuration(at)
    element.dataset.time = at.toFixed(2)
    const place = (width: number) => {
      const bar = seek.getBoundingClientRect()
      const host = row.getBoundingClientRect()
      const x = bar.left - host.left + ratio * bar.width
      element.style.left = `${Math.min(Math.max(0, x - width / 2), Math.max(0, host.width - width))}px`
    }
    const dash = ctx.player()
    if (!dash) {
      image.hidden = true
      place(element.offsetWidth)
      return
    }
    dash.provideThumbnail(at, (thumb) => {
      if (mine !== request) return
      if (!thumb?.url) {
        image.hidden = true
        delete element.dataset.tile
        place(element.offsetWidth)
        return
      }
      image.hidden = false
      Object.assign(image.style, {
        width: `${thumb.width}px`,
        height: `${thumb.height}px`,
        backgroundImage: `url("${thumb.url}")`,
        backgroundPosition: `-${thumb.x}px -${thumb.y}px`,
      })
      element.dataset.tile = `${thumb.url}#xywh=${thumb.x},${thumb.y},${thumb.width},${thumb.height}`
      place(thumb.width)
    })
  }

  function hide() {
    request++
    element.hidden = true
  }

  const ratioOf = (e: PointerEvent) => {
    const bar = seek.getBoundingClientRect()
    return bar.width > 0 ? (e.clientX - bar.left) / bar.width : 0
  }

  row.addEventListener('pointermove', (e) => {
    if (e.pointerType === 'mouse' || dragging) showAt(ratioOf(e))
  })
  row.addEventListener('pointerdown', (e) => {
    dragging = true
    showAt(ratioOf(e))
  })
  row.addEventListener('pointerleave', (e) => {
    if (!dragging && e.pointerType === 'mouse') hide()
  })
  const release = () => {
    if (!dragging) return
    dragging = false
    hide()
  }
  ctx.life.listen(window, 'pointerup', release)
  ctx.life.listen(window, 'pointercancel', release)
  // Dragging the thumb (touch included) or stepping with the keys moves the value: follow it.
  seek.addEventListener('input', () => {
    const length = duration()
    if (length) showAt(Number(seek.value) / length)
    if (!dragging) {
      clearTimeout(keyboardTimer)
      keyboardTimer = setTimeout(hide, KEYBOARD_MS)
    }
  })
  seek.addEventListener('change', () => {
    if (!dragging) hide()
  })
  ctx.life.onDispose(() => clearTimeout(keyboardTimer))
  return { element }
}
