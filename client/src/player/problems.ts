/**
 * Errors as the viewer meets them: a message with a Retry in place of the picture, for dash.js
 * failures, media element failures and a stall while offline; a retry of its own once the
 * network is back after a network failure.
 * @module
 */
import { describeMediaError, OFFLINE, type PlayerProblem } from './errors.ts'
import type { Lifetime } from './lifetime.ts'
import type { Playback } from './playback.ts'
import type { PlayerView } from './view.ts'

export interface Problems {
  show(problem: PlayerProblem): void
  /** A stall: while offline with nothing buffered it is an error the viewer should see. */
  stalled(): void
  /** The problem shown now, if any. */
  readonly current: PlayerProblem | null
}

export function createProblems(ctx: { view: PlayerView; playback: Playback; life: Lifetime }): Problems {
  const { view, playback } = ctx
  const { video, root, error } = view
  let problem: PlayerProblem | null = null

  function show(p: PlayerProblem) {
    problem = p
    playback.holdPosition()
    error.title.textContent = p.title
    error.detail.textContent = p.detail
    error.box.hidden = false
    view.start.hidden = true
    view.setWaiting(false)
    view.setState('error')
    error.retry.focus({ preventScroll: true })
  }

  function retry() {
    problem = null
    error.box.hidden = true
    playback.restart()
  }

  error.retry.addEventListener('click', retry)
  video.addEventListener('error', () => {
    // dash.js reports its own errors; this catches decode failures it does not.
    if (!problem && video.error) show(describeMediaError(video.error))
  })
  ctx.life.listen(window, 'offline', () => {
    if (root.hasAttribute('data-waiting') && !video.paused && !problem) show(OFFLINE)
    else view.flash('Offline: playing what is buffered')
  })
  ctx.life.listen(window, 'online', () => {
    if (problem?.network) retry()
  })

  return {
    show,
    stalled() {
      // dash.js may keep retrying quietly; a viewer who is offline with nothing buffered should know.
      if (!navigator.onLine && !problem) show(OFFLINE)
    },
    get current() {
      return problem
    },
  }
}
