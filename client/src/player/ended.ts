/**
 * The end of playback, however it comes about. The media element fires `ended` when playback runs
 * into the end of the stream, but not always:
 * - dash.js checks every 200 ms whether the position has passed the stream's end and, when it sees
 *   that before the element's own end handling, seeks to the end and pauses. Chromium then fires
 *   `pause` and leaves `ended` true without an `ended` event (seen in the e2e suite on a loaded
 *   machine, about one play in twenty).
 * - A viewer who drags the seek bar to the very end while paused gets no `ended` event either.
 * Either way the episode is over for the viewer, and what follows an end (the state the controls
 * show, "Up next") should follow.
 * @module
 */

/**
 * How far before the end a seek must go to count as leaving it. dash.js itself moves the position
 * around the end (its end check seeks to the stream's end, which may be a few milliseconds short of
 * the element's duration; a seek to the very end may land half a second short), and none of that is
 * the viewer going back into the episode.
 */
const LEAVE_END_SECONDS = 1

/**
 * Calls `fn` once each time playback reaches the end: on `ended`, or on a `pause` or `seeked` that
 * leaves the element ended. Playing again or seeking back into the episode arms it for the next end.
 */
export function onPlaybackEnd(video: HTMLVideoElement, fn: () => void): void {
  let signalled = false
  const check = () => {
    if (signalled || !video.ended) return
    signalled = true
    fn()
  }
  const leftEnd = () =>
    !video.ended &&
    !(Number.isFinite(video.duration) && video.duration - video.currentTime < LEAVE_END_SECONDS)
  video.addEventListener('play', () => {
    if (!video.ended) signalled = false
  })
  video.addEventListener('seeking', () => {
    if (leftEnd()) signalled = false
  })
  video.addEventListener('emptied', () => {
    signalled = false
  })
  for (const type of ['ended', 'pause', 'seeked']) video.addEventListener(type, check)
}
