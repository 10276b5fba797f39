/**
 * The end of an episode: "Up next" over the player, counting down 10 s to the next episode
 * (Play now, Cancel), or, when the viewer turned autoplay off, just offering it. The count is
 * announced to screen readers when it starts and when it is cancelled, not every second.
 * @module
 */
import './watch.css'
import { errorMessage } from '../api.ts'
import { h } from '../ui/dom.ts'
import { icon } from '../ui/icons.ts'
import { failureToast } from '../ui/toast.ts'
import { onPlaybackEnd } from './ended.ts'
import type { Lifetime } from './lifetime.ts'
import type { PlayerView } from './view.ts'

export const COUNTDOWN_SECONDS = 10

export interface UpNextOptions {
  /** e.g. "S1 · E4" */
  code: string
  name: string
  /** The next episode's page; opened when the count ends or on Play now. */
  href: string
  /** Whether to count down: the viewer's preference (asked early, so it is known at the end). */
  autoplay: () => Promise<boolean>
  /** Changes that preference; absent for anonymous viewers (no switch then). */
  setAutoplay?: (on: boolean) => Promise<void>
  /** Opens `href` (tests and the page may replace plain navigation). */
  go?: (href: string) => void
}

export function createUpNext(ctx: { view: PlayerView; life: Lifetime }, opts: UpNextOptions): void {
  const { view } = ctx
  const { video } = view
  const go = opts.go ?? ((href: string) => location.assign(href))
  let overlay: HTMLElement | null = null
  let timer: ReturnType<typeof setInterval> | undefined

  function stop() {
    clearInterval(timer)
    timer = undefined
  }

  function close() {
    stop()
    overlay?.remove()
    overlay = null
  }

  /**
   * At the end, or within half a second of it: a player may nudge the position near the end of
   * the stream (dash.js jumping a gap in the last segment), which clears `ended` without anyone
   * going back into the episode.
   */
  const atEnd = () =>
    video.ended || (Number.isFinite(video.duration) && video.duration - video.currentTime < 0.5)

  async function show() {
    if (overlay) return
    const countdown = await opts.autoplay().catch(() => true)
    if (overlay || !atEnd()) return
    const titleId = `upnext-${Math.random().toString(36).slice(2, 8)}`
    const seconds = h('span', { class: 'upnext-seconds' }, String(COUNTDOWN_SECONDS))
    // A timer is not live (aria-live off): readers can find it, but hear the start and the
    // cancel from `spoken` below rather than every tick.
    const clock = countdown
      ? h('p', { class: 'upnext-timer', role: 'timer' }, 'Playing in ', seconds, ' s')
      : null
    const spoken = h('p', { class: 'visually-hidden', 'aria-live': 'polite' })
    const playNow = h(
      'button',
      { type: 'button', class: 'btn btn-primary upnext-play', onclick: () => go(opts.href) },
      h('span', { class: 'upnext-fill', 'aria-hidden': 'true' }),
      icon('next'),
      h('span', null, countdown ? 'Play now' : 'Play next episode'),
    )
    const cancel = h(
      'button',
      {
        type: 'button',
        class: 'btn upnext-cancel',
        onclick: () => {
          spoken.textContent = countdown ? 'Autoplay cancelled.' : ''
          close()
          view.playButton.focus()
        },
      },
      countdown ? 'Cancel' : 'Close',
    )
    const toggle = opts.setAutoplay
      ? h('input', {
          type: 'checkbox',
          role: 'switch',
          checked: countdown,
          onchange: () => {
            const on = toggle!.checked
            // Turning it off stops this count too; turning it on applies from the next episode.
            if (!on && timer) {
              stop()
              clock?.remove()
              playNow.classList.remove('is-counting')
              spoken.textContent = 'Autoplay is off.'
            }
            const save = () =>
              opts.setAutoplay!(on).then(
                () => {
                  toggle!.checked = on
                },
                (err: unknown) => {
                  toggle!.checked = !on
                  failureToast(`Your autoplay choice was not saved: ${errorMessage(err)}`, () => void save())
                },
              )
            void save()
          },
        })
      : null
    overlay = h(
      'section',
      { class: 'player-upnext', 'aria-labelledby': titleId },
      h(
        'div',
        { class: 'upnext-card' },
        h('p', { class: 'upnext-eyebrow', id: titleId }, 'Up next · ', h('span', null, opts.code)),
        h('p', { class: 'upnext-name' }, opts.name),
        clock,
        h('div', { class: 'upnext-actions' }, playNow, cancel),
        toggle
          ? h('label', { class: 'switch upnext-switch' }, toggle, h('span', null, 'Autoplay next episode'))
          : null,
        spoken,
      ),
    )
    view.root.append(overlay)
    playNow.focus({ preventScroll: true })
    if (!countdown) return

    spoken.textContent = `Next episode, ${opts.code}, ${opts.name}, plays in ${COUNTDOWN_SECONDS} seconds.`
    playNow.classList.add('is-counting')
    const deadline = Date.now() + COUNTDOWN_SECONDS * 1000
    timer = setInterval(() => {
      const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000))
      seconds.textContent = String(left)
      if (left === 0) {
        stop()
        go(opts.href)
      }
    }, 250)
  }

  onPlaybackEnd(video, () => void show())
  // Going back into the episode (a seek, Replay) puts the question away.
  video.addEventListener('seeking', () => !atEnd() && close())
  video.addEventListener('play', close)
  ctx.life.onDispose(close)
}
