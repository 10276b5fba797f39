/**
 * Saves where a signed-in viewer is in the movie (`PUT /api/me/progress/:movieId`): every 10 s at
 * most while playing, and at once on pause, on a seek, at the end, and when the page is hidden or
 * going away. `fetch` with `keepalive` outlives the page, so the last position survives closing
 * the tab (sendBeacon cannot: it always POSTs). Nothing is saved before playback has started, so
 * opening a movie and leaving never overwrites where the viewer stopped last time.
 * @module
 */
import { type ApiError, problemError, unreachable } from '../api.ts'
import { failureToast } from '../ui/toast.ts'
import type { Lifetime } from './lifetime.ts'

/** At most one save in this many milliseconds while playing. */
export const SAVE_EVERY_MS = 10_000
/** A burst of seeks (arrow keys held down) is one save, this long after the last. */
const SEEK_SETTLE_MS = 400
/** One failed save is a blip; this many in a row are worth telling the viewer (once). */
const WARN_AFTER_FAILURES = 2

export interface ProgressSaver {
  /** Saves now (if playback has started and the position changed). */
  save(): void
}

export function createProgressSaver(ctx: {
  video: HTMLVideoElement
  /** `PUT` target, e.g. `/api/me/progress/<movieId>`. */
  url: string
  life: Lifetime
}): ProgressSaver {
  const { video } = ctx
  let started = false
  let stopped = false
  let lastPosition = -1
  let lastAt = 0
  let seekTimer: ReturnType<typeof setTimeout> | undefined
  let failures = 0

  function save() {
    const duration = video.duration
    if (!started || stopped || !Number.isFinite(duration) || duration <= 0) return
    const position = Math.round(Math.min(video.currentTime, duration) * 10) / 10
    if (Math.abs(position - lastPosition) < 0.5) return
    lastPosition = position
    lastAt = Date.now()
    fetch(ctx.url, {
      method: 'PUT',
      keepalive: true,
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ position, duration: Math.round(duration * 1000) / 1000 }),
    }).then(
      async (res) => {
        // Signed out (or the movie went away) meanwhile: stop trying for this page.
        if (res.status === 401 || res.status === 403 || res.status === 404) stopped = true
        else if (!res.ok) failed(problemError(res.status, res.headers, await res.text(), res.statusText))
        else failures = 0
      },
      // Offline: the next save (or the one when the page goes) tries again.
      () => failed(unreachable()),
    )
  }

  /** The next save tries again; the viewer hears of it once, when it keeps failing. */
  function failed(err: ApiError) {
    lastPosition = -1
    if (++failures !== WARN_AFTER_FAILURES || document.visibilityState === 'hidden') return
    failureToast(`Your place in this movie is not being saved: ${err.message}`, save)
  }

  video.addEventListener('playing', () => {
    started = true
  })
  video.addEventListener('timeupdate', () => {
    if (!video.paused && Date.now() - lastAt >= SAVE_EVERY_MS) save()
  })
  video.addEventListener('pause', save)
  video.addEventListener('ended', save)
  video.addEventListener('seeked', () => {
    clearTimeout(seekTimer)
    seekTimer = setTimeout(save, SEEK_SETTLE_MS)
  })
  ctx.life.listen(document, 'visibilitychange', () => {
    if (document.visibilityState === 'hidden') save()
  })
  ctx.life.listen(window, 'pagehide', save)
  ctx.life.onDispose(() => {
    clearTimeout(seekTimer)
    save()
  })
  return { save }
}
