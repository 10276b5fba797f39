/**
 * GET and HEAD /media/<id>/<path>: a movie's files, served like a CDN origin would; and
 * /media/series/<id>/<poster>: a series' own poster.
 * @module
 */
import type { Context } from 'hono'
import type { AppEnv } from '../../env.ts'
import { ID_PATTERN } from '../../lib/crypto.ts'
import { fileNotFound, movieNotFound } from '../../lib/errors.ts'
import { etagOf, ifRangeAllows, noneMatchHits, notModifiedSince, parseRange } from '../../lib/http-range.ts'
import { isManifest } from '../../lib/paths.ts'
import { ApiError } from '../../lib/problem.ts'
import { seriesNotFound } from '../../services/episodes.ts'
import { findServableFile, forgetServableFile } from '../../services/files.ts'
import { findSeriesPoster } from '../../services/series.ts'
import type { BlobObject } from '../../storage/blob-store.ts'
import { movieKey } from '../../storage/keys.ts'
import { fileTarget } from '../file-target.ts'

/** Segments never change meaning once named (a published file cannot be replaced), so caches may keep them. */
export const IMMUTABLE = 'public, max-age=31536000, immutable'
/** The manifest is the way in: hiding or deleting a movie should reach viewers within a minute. */
export const MANIFEST_CACHE = 'public, max-age=60'
/** Drafts and hidden movies are for their owner and admins only, and may still change. */
export const PRIVATE_CACHE = 'private, no-cache'
/** A series poster may be replaced under the same name (its URL's `?v=` changes with it). */
export const POSTER_CACHE = 'public, max-age=60'

/** Uploaded bytes are never a page on our origin: no sniffing, and a sandbox should one be opened as a document. */
const UNTRUSTED = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; sandbox",
}

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
  // In a private catalog nothing may sit in a shared cache, however public it is among members.
  const shared = isPublic && !deps.config.privateCatalog
  const etag = etagOf(file.sha256)
  // A plain object, not Headers: on Node the response then goes out without converting them.
  const headers: Record<string, string> = {
    'accept-ranges': 'bytes',
    etag,
    'last-modified': file.createdAt.toUTCString(),
    'cache-control': !shared ? PRIVATE_CACHE : isManifest(path) ? MANIFEST_CACHE : IMMUTABLE,
    'content-type': file.contentType,
    'x-request-id': c.get('requestId'),
    ...UNTRUSTED,
    ...CROSS_ORIGIN,
  }
  c.set('requestIdSent', true)

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
      headers: {
        location,
        'cache-control': 'private, no-store',
        'x-request-id': c.get('requestId'),
        ...CROSS_ORIGIN,
      },
    })
  }

  const blob = await deps.blobs.get(movieKey(id, path), range ? { range } : {})
  if (!blob) {
    // Usually the movie was deleted after its lookup was cached: look again, which answers 404.
    forgetServableFile(runtime, id, path)
    await findServableFile(deps, runtime, c.get('user'), id, path)
    deps.log?.error({ movieId: id, path, reqId: c.get('requestId') }, '[media] a file row has no blob')
    throw fileNotFound(id, path)
  }
  return new Response(blob.body, { status, headers })
}

/** GET and HEAD /media/series/<id>/<file>: a series' poster, to whoever may see the series. */
export async function servePoster(c: Context<AppEnv>): Promise<Response> {
  const deps = c.get('deps')
  const id = c.req.param('id') ?? ''
  const file = c.req.param('file') ?? ''
  if (!ID_PATTERN.test(id)) throw seriesNotFound(id)
  const poster = await findSeriesPoster(deps, c.get('user'), id, file)
  const etag = etagOf(poster.sha256)
  const headers: Record<string, string> = {
    etag,
    'last-modified': poster.updatedAt.toUTCString(),
    'cache-control': poster.isPublic && !deps.config.privateCatalog ? POSTER_CACHE : PRIVATE_CACHE,
    'content-type': poster.contentType,
    ...UNTRUSTED,
    ...CROSS_ORIGIN,
  }
  if (noneMatchHits(c.req.header('if-none-match'), etag)) {
    delete headers['content-type']
    return new Response(null, { status: 304, headers })
  }
  const head = c.req.method === 'HEAD'
  const blob = head ? await deps.blobs.head(poster.key) : await deps.blobs.get(poster.key)
  if (!blob) throw new ApiError(404, 'file-not-found', `Series ${id} has no file "${file}".`)
  headers['content-length'] = String(blob.size)
  return new Response(head ? null : (blob as BlobObject).body, { status: 200, headers })
}
