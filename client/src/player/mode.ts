/**
 * How this browser plays a movie: dash.js over Media Source Extensions (or ManagedMediaSource,
 * which iOS 17.1+ and iPadOS have instead, and dash.js uses on its own when it is there), or the
 * browser's own HLS (`video.src = hlsUrl`) where neither exists but the browser plays HLS (iPhones
 * before iOS 17.1, some TV browsers).
 * @module
 */

export type PlayerMode = 'dash' | 'native-hls'

/** `?player=native-hls` (or `dash`) forces a mode: for tests, and for viewers whose device lies. */
export const MODE_PARAM = 'player'

declare global {
  interface Window {
    ManagedMediaSource?: unknown
  }
}

/** Whether this browser has Media Source Extensions in either form. */
export function hasMediaSource(
  win: { MediaSource?: unknown; ManagedMediaSource?: unknown } = window as never,
): boolean {
  return typeof win.ManagedMediaSource === 'function' || typeof win.MediaSource === 'function'
}

/** Whether the media element plays HLS itself. */
export function playsHlsNatively(video: Pick<HTMLVideoElement, 'canPlayType'>): boolean {
  return video.canPlayType('application/vnd.apple.mpegurl') !== ''
}

/**
 * The mode to play in, or null when this browser can play neither (no MSE, no native HLS, or no
 * HLS for this movie).
 * @example chooseMode({ video, hlsUrl: movie.hlsUrl, forced: params.get('player') })
 */
export function chooseMode(input: {
  video: Pick<HTMLVideoElement, 'canPlayType'>
  hlsUrl: string | null
  forced?: string | null
  mediaSource?: boolean
}): PlayerMode | null {
  if (input.forced === 'native-hls' && input.hlsUrl) return 'native-hls'
  if (input.forced === 'dash') return 'dash'
  if (input.mediaSource ?? hasMediaSource()) return 'dash'
  if (input.hlsUrl && playsHlsNatively(input.video)) return 'native-hls'
  return null
}
