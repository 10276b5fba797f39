/**
 * Serves the built client (dist/client) from the Node server: assets, and one HTML page per
 * route. The upload page and the ffmpeg cores are cross-origin isolated because ffmpeg.wasm may
 * use SharedArrayBuffer. Which path gets which headers is server/pages.ts's table, shared with
 * the Worker.
 * @module
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { extname, join, relative } from 'node:path'
import { promisify } from 'node:util'
import { brotliCompress, gzip, constants as zlib } from 'node:zlib'
import { serveStatic } from '@hono/node-server/serve-static'
import type { Hono, MiddlewareHandler } from 'hono'
import { secureHeaders } from 'hono/secure-headers'
import type { AppEnv } from './env.ts'
import { siteOrigin } from './lib/embed.ts'
import { consoleLogger, type Logger } from './lib/log.ts'
import {
  ASSET_CACHE,
  CROSS_ORIGIN_ISOLATION,
  EMBED_HEADERS,
  EMBED_PATHS,
  ISOLATED_PATHS,
  MOVIE_PAGE,
  PAGE_HEADERS,
  PAGE_ROUTES,
  STATIC_HEADERS,
} from './pages.ts'
import { moviePageHtml } from './services/page-meta.ts'

export function mountClient(app: Hono<AppEnv>, clientDir: string, log: Logger = consoleLogger('warn')): void {
  if (!existsSync(join(clientDir, 'index.html'))) {
    log.warn({ clientDir }, 'No built client: run `npm run build`. The API still works.')
  }
  const root = relative(process.cwd(), clientDir) || '.'
  const headers = secureHeaders({
    crossOriginEmbedderPolicy: false,
    crossOriginOpenerPolicy: false,
    crossOriginResourcePolicy: STATIC_HEADERS['Cross-Origin-Resource-Policy'],
    referrerPolicy: STATIC_HEADERS['Referrer-Policy'],
  })
  for (const path of ISOLATED_PATHS) {
    app.use(path, async (c, next) => {
      await next()
      for (const [k, v] of Object.entries(CROSS_ORIGIN_ISOLATION)) c.header(k, v)
    })
  }
  const pageHeaders: MiddlewareHandler = async (c, next) => {
    await next()
    for (const [k, v] of Object.entries(PAGE_HEADERS)) c.header(k, v)
  }
  // Registered first, so it runs last: the embed's own policy replaces the pages'.
  for (const path of EMBED_PATHS) {
    app.use(path, async (c, next) => {
      await next()
      c.res.headers.delete('X-Frame-Options')
      for (const [k, v] of Object.entries(EMBED_HEADERS)) c.header(k, v)
    })
  }
  app.get(MOVIE_PAGE.route, headers, pageHeaders, moviePage(join(clientDir, MOVIE_PAGE.file)))
  for (const [route, file] of PAGE_ROUTES) {
    app.get(route, headers, pageHeaders, serveStatic({ root, path: file }))
  }
  app.get('/assets/*', headers, compressedAssets(clientDir))
  app.use(
    '/*',
    headers,
    serveStatic({
      root,
      onFound: (path, c) => {
        if (path.includes('/assets/')) c.header('Cache-Control', ASSET_CACHE)
      },
    }),
  )
}

/**
 * The movie page with the movie's sharing tags (services/page-meta.ts). The built file is read
 * once; without a build it falls through to the static handler (and its 404).
 */
function moviePage(file: string): MiddlewareHandler<AppEnv> {
  let built: Promise<string> | null = null
  return async (c, next) => {
    if (!built) {
      if (!existsSync(file)) return next()
      built = readFile(file, 'utf8')
    }
    const html = await moviePageHtml(c.var.deps, await built, c.req.param('id') ?? '', siteOrigin(c))
    // The tags follow the movie (renamed, hidden, deleted): nobody keeps the page for long.
    return c.html(html, 200, { 'Cache-Control': 'no-cache' })
  }
}

const TEXT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.map': 'application/json',
}
const brotli = promisify(brotliCompress)
const gzipped = promisify(gzip)

/**
 * Serves text assets compressed (Brotli where the browser takes it, else gzip): dash.js is 820 kB
 * raw and 210 kB as Brotli, a second less before the first frame on a 4 Mbit/s link. Assets are
 * fingerprinted, so each is compressed once, at its first request, and kept. Everything else
 * (images, wasm, unknown paths) falls through to the plain static handler.
 */
function compressedAssets(clientDir: string): MiddlewareHandler<AppEnv> {
  const cache = new Map<string, Promise<{ br: Uint8Array; gzip: Uint8Array }>>()
  return async (c, next) => {
    const path = c.req.path
    const type = TEXT_TYPES[extname(path)]
    const accept = c.req.header('accept-encoding') ?? ''
    const encoding = /\bbr\b/.test(accept) ? 'br' : /\bgzip\b/.test(accept) ? 'gzip' : null
    if (!type || !encoding || !/^\/assets\/[\w.-]+$/.test(path)) return next()
    const file = join(clientDir, path)
    let entry = cache.get(file)
    if (!entry) {
      if (!existsSync(file)) return next()
      entry = readFile(file).then(async (raw) => ({
        br: await brotli(raw, { params: { [zlib.BROTLI_PARAM_QUALITY]: 9 } }),
        gzip: await gzipped(raw, { level: 9 }),
      }))
      cache.set(file, entry)
    }
    const body = (await entry)[encoding]
    return c.body(body as Uint8Array<ArrayBuffer>, 200, {
      'Content-Type': type,
      'Content-Encoding': encoding,
      'Content-Length': String(body.byteLength),
      Vary: 'Accept-Encoding',
      'Cache-Control': ASSET_CACHE,
    })
  }
}
