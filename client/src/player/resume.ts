/**
 * Where playback starts: at the beginning, at the second a shared link names (`?t=`, which wins
 * over a saved position: whoever sent the link meant that moment), or, when the viewer stopped in
 * the middle last time, where they stopped, after asking ("Resume from 12:34" / "Start over") in
 * place of the big play button. The player preloads from the saved position, the likely answer.
 * @module
 */
import './watch.css'
import { h } from '../ui/dom.ts'
import { formatDuration } from '../ui/format.ts'
import { icon } from '../ui/icons.ts'
import type { DashSession } from './dash-session.ts'
import type { Playback } from './playback.ts'
import type { PlayerView } from './view.ts'

export interface StartOptions {
  /** Seconds a shared link starts from (`?t=`); set, the saved position is not offered. */
  startAt?: number
  /** Seconds where the viewer stopped last time (0 or absent: nothing to resume). */
  resumeAt?: number
  /** The movie's length, for "12:34 of 24:00". */
  duration?: number | null
  /** Play at once (from the previous episode, or from "Continue watching"), resuming without asking. */
  autoplay?: boolean
}

/** Starts the player's first load (a preload, or playback) as `opts` say, asking first if there is a choice. */
export function startPlayback(
  ctx: { view: PlayerView; session: DashSession; playback: Playback },
  opts: StartOptions,
): void {
  const { view, session, playback } = ctx
  const linked = opts.startAt && opts.startAt > 0 ? opts.startAt : 0
  const at = linked || (opts.resumeAt && opts.resumeAt > 0 ? opts.resumeAt : 0)
  // A play before the preload has built the player starts from the link's second too.
  if (linked) playback.holdPosition(linked)
  void session.attach(at, false)
  if (opts.autoplay) {
    playback.play()
    return
  }
  if (!at || linked) return

  const titleId = `resume-${Math.random().toString(36).slice(2, 8)}`
  const fraction = opts.duration ? Math.min(1, at / opts.duration) : 0
  const prompt = h(
    'div',
    { class: 'player-resume', role: 'group', 'aria-labelledby': titleId },
    h('p', { class: 'player-resume-title', id: titleId }, 'Pick up where you left off?'),
    opts.duration
      ? h(
          'p',
          { class: 'player-resume-where' },
          h('span', null, `${formatDuration(at)} of ${formatDuration(opts.duration)}`),
          h(
            'span',
            { class: 'watch-bar', 'aria-hidden': 'true' },
            h('span', { style: `width: ${(fraction * 100).toFixed(1)}%` }),
          ),
        )
      : null,
    h(
      'div',
      { class: 'player-resume-actions' },
      h(
        'button',
        {
          type: 'button',
          class: 'btn btn-primary',
          'data-resume-at': String(at),
          onclick: () => playback.play(),
        },
        icon('play'),
        `Resume from ${formatDuration(at)}`,
      ),
      h('button', { type: 'button', class: 'btn', onclick: startOver }, icon('retry'), 'Start over'),
    ),
  )

  function startOver() {
    const video = view.video
    if (video.readyState >= HTMLMediaElement.HAVE_METADATA) {
      video.currentTime = 0
    } else {
      // Not loaded far enough to seek: load again from the start.
      session.detach()
    }
    playback.play()
  }

  view.start.hidden = true
  view.root.append(prompt)
  // Any way playback starts (Space, a click on the picture) answers the question.
  view.video.addEventListener('play', () => prompt.remove(), { once: true })
}
