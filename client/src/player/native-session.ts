/**
 * The browser's own HLS: the media element loads the multivariant playlist itself and chooses
 * renditions, audio and subtitle tracks as the platform decides. Same shape as the dash.js session,
 * so playback, errors and retry work alike; there is never a dash.js instance (`player` is null).
 * @module
 */
import type { DashSession } from './dash-session.ts'
import { type PlayerProblem, undecodable } from './errors.ts'

export function createNativeSession(
  video: HTMLVideoElement,
  hlsUrl: string,
  on: { loaded(): void; error(problem: PlayerProblem): void },
): DashSession {
  let generation = 0
  video.addEventListener('error', () => {
    if (!video.getAttribute('src')) return
    const code = video.error?.code
    // MEDIA_ERR_SRC_NOT_SUPPORTED: the built-in player refused the stream's codecs.
    if (code === MediaError.MEDIA_ERR_SRC_NOT_SUPPORTED) {
      on.error(undecodable())
      return
    }
    on.error({
      title: 'The video stopped loading',
      detail: `The built-in HLS player reported error ${code ?? 'unknown'}.`,
      network: code === MediaError.MEDIA_ERR_NETWORK,
    })
  })
  const session: DashSession = {
    async attach(at, autoplay) {
      const mine = ++generation
      video.src = hlsUrl
      if (at > 0) {
        const seek = () => {
          if (mine === generation) video.currentTime = at
        }
        video.addEventListener('loadedmetadata', seek, { once: true })
      }
      video.addEventListener(
        'loadedmetadata',
        () => {
          if (mine !== generation) return
          // A built-in player that cannot decode the picture may play the sound over a black box,
          // reporting nothing but a picture without size: the viewer hears why instead.
          if (video.videoWidth === 0) {
            session.detach()
            on.error(undecodable())
          } else on.loaded()
        },
        { once: true },
      )
      if (autoplay) await video.play().catch(() => {})
    },
    detach() {
      generation++
      video.removeAttribute('src')
      video.load()
    },
    saveThroughput() {},
    get player() {
      return null
    },
  }
  return session
}
