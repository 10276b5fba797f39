/**
 * File paths inside a movie: what an uploader may name a file, what a manifest may point at, and
 * what each kind of file is served as.
 *
 * A path is 1 to {@link MAX_PATH_DEPTH} `/`-separated segments of `[A-Za-z0-9._-]`, none empty,
 * none starting with a dot (so no `.`, `..` or hidden files), ending in an allow-listed extension.
 * Valid paths never need percent-encoding, so a request URL that carries any `%` escape, a
 * backslash or a dot segment in the path is refused outright instead of being decoded and
 * re-checked: there is only one spelling of each path, and nothing to normalise.
 * @module
 */

export const MAX_PATH_DEPTH = 4
export const MAX_SEGMENT_LENGTH = 128
export const MAX_PATH_LENGTH = 300
/** Largest page of a movie's file list (GET /api/movies/{id}/files): a movie may have tens of thousands. */
export const MAX_FILE_PAGE = 5000

/** Extension → Content-Type. The type is always derived from the name, never taken from the uploader. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  mpd: 'application/dash+xml',
  // HLS playlists: written by the server at publish, never uploaded (services/hls.ts).
  m3u8: 'application/vnd.apple.mpegurl',
  // The IANA type for ISO BMFF media segments; init segments named .m4s are the same format.
  m4s: 'video/iso.segment',
  mp4: 'video/mp4',
  webm: 'video/webm',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  vtt: 'text/vtt; charset=utf-8',
}

export const ALLOWED_EXTENSIONS = Object.keys(CONTENT_TYPES)

/** File names tried, in order, when a movie is published without naming a poster. */
export const POSTER_NAMES = ['poster.jpg', 'poster.jpeg', 'poster.png', 'poster.webp'] as const

/**
 * A poster's name: `poster.jpg` before publishing, and under a new name (e.g. `poster-<hash>.jpg`)
 * afterwards, when it becomes the movie's poster; published files never change, so caches may keep
 * every one of them forever.
 */
export const POSTER_FILE = /^poster(-[A-Za-z0-9_-]+)?\.(jpg|jpeg|png|webp)$/

const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/

export type PathCheck = { ok: true; path: string } | { ok: false; reason: string }

/**
 * Checks a decoded path such as `video/720p/chunk-00001.m4s`.
 * @example checkMoviePath('init-stream0.m4s') // { ok: true, path: 'init-stream0.m4s' }
 * @example checkMoviePath('../etc/passwd')     // { ok: false, reason: '…' }
 */
export function checkMoviePath(path: string): PathCheck {
  if (path.length === 0) return { ok: false, reason: 'the path is empty' }
  if (path.length > MAX_PATH_LENGTH)
    return { ok: false, reason: `the path is longer than ${MAX_PATH_LENGTH} characters` }
  const segments = path.split('/')
  if (segments.length > MAX_PATH_DEPTH) {
    return { ok: false, reason: `the path has more than ${MAX_PATH_DEPTH} levels` }
  }
  for (const segment of segments) {
    if (segment.length === 0)
      return { ok: false, reason: 'the path has an empty segment (leading, trailing or double "/")' }
    if (segment.length > MAX_SEGMENT_LENGTH) {
      return { ok: false, reason: `a path segment is longer than ${MAX_SEGMENT_LENGTH} characters` }
    }
    if (!SEGMENT.test(segment)) {
      return {
        ok: false,
        reason: segment.startsWith('.')
          ? 'a path segment starts with "." (no ".", ".." or hidden files)'
          : 'a path segment has a character outside [A-Za-z0-9._-]',
      }
    }
  }
  const ext = extensionOf(path)
  if (ext === null || !(ext in CONTENT_TYPES)) {
    return {
      ok: false,
      reason: `the extension must be one of ${ALLOWED_EXTENSIONS.map((e) => `.${e}`).join(' ')}`,
    }
  }
  return { ok: true, path }
}

/**
 * Checks the still-encoded tail of a request URL (what follows `/files/` or `/media/<id>/`).
 * Any `%` is refused: valid paths never need escaping, and decoding first is how `%2e%2e%2f`
 * and `%00` sneak past a check.
 */
export function checkUrlPath(encoded: string): PathCheck {
  if (encoded.includes('%')) {
    return { ok: false, reason: 'the path contains a percent-escape; paths use only [A-Za-z0-9._-] and "/"' }
  }
  if (encoded.includes('\\')) return { ok: false, reason: 'the path contains a backslash' }
  return checkMoviePath(encoded)
}

/** True when a raw request path has `.`/`..` segments, literal or escaped, that a URL parser would resolve away. */
export function hasDotSegment(rawPath: string): boolean {
  return /(^|\/|\\)(\.|%2e){1,2}(\/|\\|%2f|%5c|$)/i.test(rawPath)
}

/**
 * The request's path as the client sent it, before URL parsing resolved `..` away.
 *
 * Runtimes hand the app an already-normalised URL, so `GET /media/x/a/../b.m4s` would reach us
 * as `/media/x/b.m4s`. On Node the raw target is still on `env.incoming.url`; where it is not
 * available the parsed path is all there is (and it can no longer climb anywhere).
 */
export function rawRequestPath(req: Request, env: unknown): string {
  const incoming = (env as { incoming?: { url?: unknown } } | undefined)?.incoming
  const raw = typeof incoming?.url === 'string' ? incoming.url : null
  if (raw?.startsWith('/')) {
    const end = raw.search(/[?#]/)
    return end === -1 ? raw : raw.slice(0, end)
  }
  const url = req.url
  const start = url.indexOf('/', url.indexOf('://') + 3)
  if (start === -1) return '/'
  const end = url.slice(start).search(/[?#]/)
  return end === -1 ? url.slice(start) : url.slice(start, start + end)
}

/** The extension of the last segment, lower-case as stored, or null. */
export function extensionOf(path: string): string | null {
  const name = path.slice(path.lastIndexOf('/') + 1)
  const dot = name.lastIndexOf('.')
  return dot > 0 ? name.slice(dot + 1) : null
}

/** Content-Type for a checked path. */
export function contentTypeFor(path: string): string {
  return CONTENT_TYPES[extensionOf(path) ?? ''] ?? 'application/octet-stream'
}

/**
 * The manifest and the HLS playlists are a movie's entry points, so they are cached briefly:
 * hiding a movie must take effect soon.
 */
export function isManifest(path: string): boolean {
  const ext = extensionOf(path)
  return ext === 'mpd' || ext === 'm3u8'
}

/** Files only the server writes (HLS playlists, derived from the manifest at publish). */
export function isServerMade(path: string): boolean {
  return extensionOf(path) === 'm3u8'
}
