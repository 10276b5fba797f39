/** Turns dash.js and media element errors into sentences a viewer can act on. @module */

export interface PlayerProblem {
  title: string
  detail: string
  /** Network trouble: retrying on its own once the browser is back online makes sense. */
  network: boolean
}

// dash.js error codes (MediaPlayer.errors); numbers, because the typings expose them as a const enum.
const MANIFEST_LOAD_CODES = new Set([11, 25])
const MANIFEST_PARSE_CODES = new Set([10, 31, 32, 34])
const SEGMENT_CODES = new Set([17, 18, 26, 27, 28])
/** No MediaSource at all (23), or a SourceBuffer refused for the stream's type (35). */
const CAPABILITY_CODES = new Set([23, 35])
/** "No streams to play": every adaptation set was dropped, or there were none. */
const NO_STREAMS_CODE = 32

/**
 * The browser refuses the movie's format: Media Source Extensions or the media element say they
 * cannot play its codecs (`codecs`, when known, are named for whoever reports the problem). Nothing
 * on this device will play it, so the words point to another browser or device.
 */
export function undecodable(codecs: readonly string[] = []): PlayerProblem {
  const named = codecs.length > 0 ? ` (${[...new Set(codecs)].join(', ')})` : ''
  return {
    title: 'This video cannot be decoded on this device',
    detail: `This browser cannot play its format${named}. Try another browser (a current Chrome, Edge, Firefox or Safari) or another device.`,
    network: false,
  }
}

/** Asks the server why the manifest failed: gone (404), forbidden, or unreachable. */
export async function probeManifest(url: string): Promise<number> {
  try {
    // GET, not HEAD: only reading the file proves it is there (a manifest is a few kilobytes).
    const res = await fetch(url, { cache: 'no-store' })
    return res.status
  } catch {
    return 0
  }
}

/**
 * @param refused codecs of video or audio the browser refused while dash.js read the manifest: a
 *   "no streams" error after such a refusal is the browser's, not the manifest's
 */
export async function describeDashError(
  error: { code?: number; message?: string } | string | undefined,
  manifestUrl: string,
  refused: readonly string[] = [],
): Promise<PlayerProblem> {
  const code = typeof error === 'object' ? error.code : undefined
  const message = typeof error === 'object' ? (error.message ?? '') : (error ?? '')
  if (code === NO_STREAMS_CODE && refused.length > 0) return undecodable(refused)
  if (!navigator.onLine) return OFFLINE
  if (code !== undefined && MANIFEST_LOAD_CODES.has(code)) {
    const status = await probeManifest(manifestUrl)
    if (status === 404 || status === 410)
      return {
        title: 'This video is missing',
        detail:
          'The server has no manifest for this movie (404). It may have been deleted or not published yet.',
        network: false,
      }
    if (status === 0)
      return {
        title: 'Cannot reach the server',
        detail: 'The video manifest could not be downloaded. Check your connection, then retry.',
        network: true,
      }
    return {
      title: 'The video could not be loaded',
      detail: `The server answered ${status} for the manifest. Try again in a moment.`,
      network: status >= 500,
    }
  }
  if (code !== undefined && MANIFEST_PARSE_CODES.has(code))
    return {
      title: 'The video manifest is broken',
      detail: `The manifest could not be read (${message || `error ${code}`}). Re-publishing the movie should fix it.`,
      network: false,
    }
  if (code !== undefined && SEGMENT_CODES.has(code))
    return {
      title: 'Playback interrupted',
      detail: 'Part of the video could not be downloaded, even after retrying. The network may have dropped.',
      network: true,
    }
  if (code !== undefined && CAPABILITY_CODES.has(code)) return undecodable(refused)
  return {
    title: 'Playback failed',
    detail: message
      ? `${message}${code !== undefined ? ` (code ${code})` : ''}`
      : 'Something went wrong while playing.',
    network: false,
  }
}

export const OFFLINE: PlayerProblem = {
  title: 'Network connection lost',
  detail:
    'Your device is offline and the buffered video has run out. Playback resumes on its own once you are back online, or press Retry.',
  network: true,
}

export function describeMediaError(err: MediaError | null): PlayerProblem {
  // Chromium says so when no decoder takes the stream's configuration (DECODER_ERROR_NOT_SUPPORTED).
  if (err?.code === MediaError.MEDIA_ERR_SRC_NOT_SUPPORTED) return undecodable()
  const decode = err?.code === MediaError.MEDIA_ERR_DECODE
  return {
    title: decode ? 'The video could not be decoded' : 'Playback failed',
    detail: err?.message || (decode ? 'The file may be damaged.' : 'The media element reported an error.'),
    network: err?.code === MediaError.MEDIA_ERR_NETWORK,
  }
}
