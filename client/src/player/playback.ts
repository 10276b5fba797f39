/**
 * What the viewer wants (playing or not) and where playback stands, kept across a rebuild of the
 * dash.js instance; and the player's state attributes, driven by the media element's events.
 * @module
 */
import type { DashSession } from './dash-session.ts'
import { onPlaybackEnd } from './ended.ts'
import type { PlayerView } from './view.ts'

export interface Playback {
  play(): void
  /** Play or pause; does nothing while an error is shown. */
  toggle(): void
  /** Keeps the current position (or `at`) to resume from (an error is about to stop playback, a link starts later). */
  holdPosition(at?: number): void
  /** Rebuilds the dash.js instance where playback stood, playing on if the viewer was playing. */
  restart(): void
}

export function createPlayback(ctx: {
  view: PlayerView
  session: DashSession
  /** Whether an error is shown now. */
  failed: () => boolean
  /** A stall: the error handling decides whether it is one a viewer should hear about. */
  stalled: () => void
}): Playback {
  const { view, session } = ctx
  const { video, start } = view
  let wantPlay = false
  let resumeAt = 0

  function play() {
    wantPlay = true
    start.hidden = true
    if (!session.player) void session.attach(resumeAt, true)
    video.play().catch((err: DOMException) => {
      // Aborted by a pause or a source change: nothing to tell. Refused by autoplay policy: show the button.
      if (err.name === 'NotAllowedError') start.hidden = false
    })
  }

  function toggle() {
    if (ctx.failed()) return
    if (video.paused || video.ended) play()
    else video.pause()
  }

  start.addEventListener('click', play)
  video.addEventListener('click', toggle)
  video.addEventListener('play', () => {
    wantPlay = true
    start.hidden = true
  })
  video.addEventListener('playing', () => {
    view.poster.hidden = true
    view.setWaiting(false)
    view.setState('playing')
  })
  video.addEventListener('pause', () => {
    if (!ctx.failed()) view.setState('paused')
  })
  onPlaybackEnd(video, () => {
    wantPlay = false
    view.setState('ended')
  })
  video.addEventListener('waiting', () => {
    view.setWaiting(true)
    ctx.stalled()
  })
  video.addEventListener('seeking', () => view.setWaiting(true))
  video.addEventListener('seeked', () => view.setWaiting(false))
  video.addEventListener('canplay', () => view.setWaiting(false))

  return {
    play,
    toggle,
    holdPosition(at) {
      resumeAt = at ?? (video.currentTime || resumeAt)
    },
    restart() {
      const at = Number.isFinite(video.currentTime) && video.currentTime > 0 ? video.currentTime : resumeAt
      session.detach()
      start.hidden = wantPlay
      view.setState(wantPlay ? 'paused' : 'idle')
      view.setWaiting(wantPlay)
      void session.attach(at, wantPlay)
    },
  }
}
