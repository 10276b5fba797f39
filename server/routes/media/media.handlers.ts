/**
 * GET and HEAD /media/<id>/<path>: a movie's files, served like a CDN origin would.
 * @module
 */
import type { Context } from 'hono'
import type { AppEnv } from '../../env.ts'
import { fileNotFound, movieNotFound } from '../../lib/errors.ts'
import { etagOf, ifRangeAllows, noneMatchHits, notModifiedSince, parseRange } from '../../lib/http-range.ts'
import { isManifest } from '../../lib/paths.ts'
import { ApiError } from '../../lib/problem.ts'
import { findServableFile, forgetServableFile } from '../../services/files.ts'
import { movieKey } from '../../storage/keys.ts'
import { fileTarget } from '../file-target.ts'

/** Segments never change meaning once named (a published file cannot be replaced), so caches may keep them. */
export const IMMUTABLE = 'public, max-age=31536000, immutable'
/** The manifest is the way in: hiding or deleting a movie should reach viewers within a minute. */
export const MANIFEST_CACHE = 'public, max-age=60'
/** Drafts and hidden movies are for their owner and admins only, and may still change. */
export const PRIVATE_CACHE = 'private, no-cache'

/**
 * What any player on any origin needs to stream from us; set on every file response here rather
 * than by middleware, so the hot path never re-reads its own headers. (Preflights and errors get
 * theirs in media.index.ts.)
 */
export const CROSS_ORIGIN = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'Content-Length, Content-Range, Accept-Ranges, ETag, Last-Modified',
  'cross-origin-resource-policy': 'cross-origin',
  // Players time segment downloads to choose a bitrate; let them see the timings.
  'timing-allow-origin': '*',
}

export async function serve(c: Context<AppEnv>): Promise<Response> {
  // A malformed id cannot name any movie: the same 404 as a movie that is not there.
  const { id, path } = fileTarget(c, /\/media\/([^/]*)\/(.*)$/, movieNotFound)
  // c.get, not c.var: c.var builds a fresh object on every read, which shows on this path.
  const deps = c.get('deps')
  const runtime = c.get('runtime')
  const { isPublic, file } = await findServableFile(deps, runtime, c.get('user'), id, path)
  const etag = etagOf(file.sha256)
  // A plain object, not Headers: on Node the response then goes out without converting them.
  const headers: Record<string, string> = {
    'accept-ranges': 'bytes',
    etag,
    'last-modified': file.createdAt.toUTCString(),
    'cache-control': !isPublic ? PRIVATE_CACHE : isManifest(path) ? MANIFEST_CACHE : IMMUTABLE,
    'content-type': file.contentType,
    // Uploaded bytes are never a page on our origin: no sniffing, and a sandbox should an .mpd or
    // .vtt be opened as a document.
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; sandbox",
    ...CROSS_ORIGIN,
  }

  const inm = c.req.header('if-none-match')
  if (
    noneMatchHits(inm, etag) ||
    (inm === undefined && notModifiedSince(c.req.header('if-modified-since'), file.createdAt))
  ) {
    delete headers['content-type']
    return new Response(null, { status: 304, headers })
  }

  const rangeHeader = ifRangeAllows(c.req.header('if-range'), etag, file.createdAt)
    ? c.req.header('range')
    : undefined
  const decision = parseRange(rangeHeader, file.size)
  if (decision.kind === 'unsatisfiable') {
    throw new ApiError(
      416,
      'range-not-satisfiable',
      `The range "${rangeHeader}" does not overlap the ${file.size} bytes of "${path}".`,
      {},
      { 'content-range': `bytes */${file.size}`, 'accept-ranges': 'bytes' },
    )
  }
  const range = decision.kind === 'partial' ? { start: decision.start, end: decision.end } : undefined
  const status = range ? 206 : 200
  headers['content-length'] = String(range ? range.end - range.start + 1 : file.size)
  if (range) headers['content-range'] = `bytes ${range.start}-${range.end}/${file.size}`

  // HEAD never opens the blob: the row already knows everything the headers say.
  if (c.req.method === 'HEAD') return new Response(null, { status, headers })

  // S3_SERVE=redirect: every check above has passed; the bucket serves the bytes (and the range,
  // which the client sends again to the new location).
  if (deps.blobs.signedUrl) {
    const location = await deps.blobs.signedUrl(movieKey(id, path))
    return new Response(null, {
      status: 302,
      headers: { location, 'cache-control': 'private, no-store', ...CROSS_ORIGIN },
    })
  }

  const blob = await deps.blobs.get(movieKey(id, path), range ? { range } : {})
  if (!blob) {
    // Usually the movie was deleted after its lookup was cached: look again, which answers 404.
    forgetServableFile(runtime, id, path)
    await findServableFile(deps, runtime, c.get('user'), id, path)
    console.error(`[media] ${id}/${path} has a file row but no blob`)
    throw fileNotFound(id, path)
  }
  return new Response(blob.body, { status, headers })
}
