/**
 * The ffmpeg.wasm cores on Workers. Their .wasm files (about 32 MB) are over the 25 MiB limit of a
 * static asset, so `npm run deploy` puts them in the media bucket under `static/ffmpeg/` and the
 * Worker serves them from there, same-origin as the encoder needs. The small .js files are
 * ordinary static assets; this route answers for them too when they are in the bucket.
 * @module
 */
import { problemBody, problemResponse } from './lib/problem.ts'
import { CROSS_ORIGIN_ISOLATION, SAME_ORIGIN_RESOURCE } from './pages.ts'

/** The R2 calls this route makes (conditional and ranged get), a subset of workers-types' R2Bucket. */
export interface R2CoreBucket {
  get(
    key: string,
    options?: { onlyIf?: Headers; range?: Headers },
  ): Promise<{
    size: number
    httpEtag: string
    range?: { offset?: number; length?: number }
    body?: ReadableStream<Uint8Array>
  } | null>
}

export const CORE_VARIANTS = ['core', 'core-mt'] as const
export const CORE_FILES = ['ffmpeg-core.js', 'ffmpeg-core.wasm', 'ffmpeg-core.worker.js'] as const

/** Where `npm run deploy` (and `npm run dev:worker`) put a core file in the bucket. */
export const coreKey = (variant: string, file: string) => `static/ffmpeg/${variant}/${file}`

export async function ffmpegCore(
  bucket: unknown,
  variant: string,
  file: string,
  req: Request,
): Promise<Response> {
  if (
    !(CORE_VARIANTS as readonly string[]).includes(variant) ||
    !(CORE_FILES as readonly string[]).includes(file)
  ) {
    return notFound(`/ffmpeg/${variant}/${file}`)
  }
  const obj = await (bucket as R2CoreBucket).get(coreKey(variant, file), {
    onlyIf: req.headers,
    ...(req.headers.has('range') ? { range: req.headers } : {}),
  })
  if (!obj) return notFound(`/ffmpeg/${variant}/${file}`)
  const headers = new Headers({
    // The upload page is cross-origin isolated; the worker scripts it starts must say so too.
    ...CROSS_ORIGIN_ISOLATION,
    ...SAME_ORIGIN_RESOURCE,
    'content-type': file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript; charset=utf-8',
    etag: obj.httpEtag,
    // The names carry no version: an upgrade of @ffmpeg/core must reach browsers within a day.
    'cache-control': 'public, max-age=86400',
    'accept-ranges': 'bytes',
  })
  // R2 leaves the body out when the If-None-Match / If-Modified-Since precondition holds.
  if (!obj.body) return new Response(null, { status: 304, headers })
  const offset = obj.range?.offset ?? 0
  const length = obj.range?.length ?? obj.size
  headers.set('content-length', String(length))
  const partial = req.headers.has('range') && length !== obj.size
  if (partial) headers.set('content-range', `bytes ${offset}-${offset + length - 1}/${obj.size}`)
  return new Response(req.method === 'HEAD' ? null : obj.body, { status: partial ? 206 : 200, headers })
}

function notFound(path: string): Response {
  return problemResponse(problemBody(404, 'not-found', `Nothing at GET ${path}.`))
}
