/**
 * Playing on another screen: AirPlay (Safari: `x-webkit-airplay`, the target picker, and the HLS
 * playlist as the source the Apple TV fetches itself) and the Remote Playback API (Chrome on
 * Android: cast devices). The button shows only while the browser says a device is there.
 * @module
 */
import type { Lifetime } from './lifetime.ts'

interface AirPlayVideo extends HTMLVideoElement {
  webkitShowPlaybackTargetPicker?: () => void
}

declare global {
  interface Window {
    WebKitPlaybackTargetAvailabilityEvent?: unknown
  }
}

export function createRemotePlayback(ctx: {
  video: HTMLVideoElement
  button: HTMLButtonElement
  /** The HLS playlist, the alternative source AirPlay hands to the receiver while MSE plays here. */
  hlsUrl: string | null
  life: Lifetime
}): void {
  const video = ctx.video as AirPlayVideo
  const { button } = ctx
  video.setAttribute('x-webkit-airplay', 'allow')
  if (ctx.hlsUrl && window.WebKitPlaybackTargetAvailabilityEvent) {
    // WebKit plays MSE/ManagedMediaSource here and offers AirPlay only with an alternative source
    // the receiver can fetch on its own: the same movie as HLS. Only where AirPlay exists: a
    // <source> child is also a candidate for the element's own resource selection whenever it has
    // no src (before dash.js attaches, or while it reattaches), and a browser that plays HLS
    // natively (Chromium now does) then loads the playlist itself beside dash.js.
    const alternative = document.createElement('source')
    alternative.type = 'application/x-mpegURL'
    alternative.src = ctx.hlsUrl
    video.append(alternative)
  } else {
    // Without it, ManagedMediaSource needs remote playback off to be allowed at all.
    video.disableRemotePlayback = 'ManagedMediaSource' in window
  }

  if (window.WebKitPlaybackTargetAvailabilityEvent && video.webkitShowPlaybackTargetPicker) {
    ctx.life.listen(video, 'webkitplaybacktargetavailabilitychanged', (e: Event) => {
      button.hidden = (e as Event & { availability?: string }).availability !== 'available'
    })
    button.setAttribute('aria-label', 'AirPlay')
    button.addEventListener('click', () => video.webkitShowPlaybackTargetPicker?.())
    return
  }
  const remote = video.remote
  if (!remote || video.disableRemotePlayback) return
  remote
    .watchAvailability((available) => {
      button.hidden = !available
    })
    .catch(() => {
      // Availability cannot be watched (power saving, or not supported): the button stays hidden.
    })
  button.addEventListener('click', () => void remote.prompt().catch(() => {}))
  ctx.life.onDispose(() => void remote.cancelWatchAvailability().catch(() => {}))
}
