/**
 * The control bar's behaviour: the play button's icon, the seek bar with what is buffered and the
 * time, full screen, and hiding the controls (and the pointer) when nobody is using them.
 * @module
 */
import { formatDuration, spokenDuration } from '../ui/format.ts'
import { icon } from '../ui/icons.ts'
import type { Lifetime } from './lifetime.ts'
import type { PlayerView } from './view.ts'

/** Seconds an arrow key seeks. */
export const SEEK_STEP = 5
const IDLE_MS = 2500

export interface Controls {
  /** Seeks `delta` seconds from now, within the video. */
  seekBy(delta: number): void
  toggleFullscreen(): void
  /** Shows the controls, and hides them again after a while of no use. */
  wake(): void
}

export function createControls(ctx: {
  view: PlayerView
  togglePlay: () => void
  /** Whether the quality menu is open (the controls stay while it is). */
  menuOpen: () => boolean
  life: Lifetime
}): Controls {
  const { view } = ctx
  const { video, root, seek, time, playButton, fullscreenButton } = view
  let scrubbing = false
  let idleTimer: ReturnType<typeof setTimeout> | undefined

  function bufferedEnd(): number {
    const t = video.currentTime
    for (let i = 0; i < video.buffered.length; i++) {
      if (video.buffered.start(i) <= t + 0.5 && video.buffered.end(i) >= t) return video.buffered.end(i)
    }
    return t
  }

  function renderTime() {
    const duration = Number.isFinite(video.duration) ? video.duration : 0
    const t = scrubbing ? Number(seek.value) : video.currentTime
    seek.max = String(duration)
    if (!scrubbing) seek.value = String(t)
    const pct = (x: number) => `${duration ? Math.min(100, (x / duration) * 100) : 0}%`
    seek.style.setProperty('--fill', pct(t))
    seek.style.setProperty('--buffered', pct(bufferedEnd()))
    time.textContent = `${formatDuration(t)} / ${formatDuration(Math.round(duration))}`
    seek.setAttribute('aria-valuetext', `${spokenDuration(t)} of ${spokenDuration(duration)}`)
  }

  function seekBy(delta: number) {
    const duration = Number.isFinite(video.duration) ? video.duration : 0
    if (!duration) return
    video.currentTime = Math.min(Math.max(0, video.currentTime + delta), Math.max(0, duration - 0.1))
    view.flash(`${delta > 0 ? '+' : '−'}${Math.abs(delta)} s`)
    renderTime()
  }

  function renderPlayButton() {
    const paused = video.paused || video.ended
    playButton.replaceChildren(icon(paused ? 'play' : 'pause'))
    playButton.setAttribute('aria-label', paused ? 'Play' : 'Pause')
  }

  function toggleFullscreen() {
    if (document.fullscreenElement) void document.exitFullscreen()
    else if (root.requestFullscreen) void root.requestFullscreen().catch(() => undefined)
    else (video as HTMLVideoElement & { webkitEnterFullscreen?: () => void }).webkitEnterFullscreen?.()
  }

  function wake() {
    root.removeAttribute('data-idle')
    clearTimeout(idleTimer)
    idleTimer = setTimeout(() => {
      const busy = ctx.menuOpen() || view.controls.contains(document.activeElement) || video.paused
      if (!busy) root.setAttribute('data-idle', '')
    }, IDLE_MS)
  }

  playButton.addEventListener('click', ctx.togglePlay)
  for (const type of ['play', 'pause', 'ended']) video.addEventListener(type, renderPlayButton)
  for (const type of ['playing', 'pause']) video.addEventListener(type, wake)
  root.addEventListener('pointermove', wake)
  root.addEventListener('focusin', wake)
  ctx.life.onDispose(() => clearTimeout(idleTimer))

  seek.addEventListener('input', () => {
    scrubbing = true
    renderTime()
  })
  seek.addEventListener('change', () => {
    scrubbing = false
    video.currentTime = Number(seek.value)
    renderTime()
  })
  seek.addEventListener('keydown', (e) => {
    // Native range steps are a fraction of a second: use the player's steps instead.
    const steps: Record<string, number> = {
      ArrowLeft: -SEEK_STEP,
      ArrowRight: SEEK_STEP,
      PageDown: -30,
      PageUp: 30,
    }
    const step = steps[e.key]
    if (step !== undefined) {
      e.preventDefault()
      e.stopPropagation()
      seekBy(step)
    }
  })
  for (const type of ['timeupdate', 'progress', 'durationchange']) video.addEventListener(type, renderTime)
  renderTime()

  video.addEventListener('dblclick', toggleFullscreen)
  fullscreenButton.addEventListener('click', toggleFullscreen)
  ctx.life.listen(document, 'fullscreenchange', () => {
    const on = document.fullscreenElement === root
    fullscreenButton.replaceChildren(icon(on ? 'exitFullscreen' : 'fullscreen'))
    fullscreenButton.setAttribute('aria-label', on ? 'Exit full screen' : 'Full screen')
  })

  return { seekBy, toggleFullscreen, wake }
}
