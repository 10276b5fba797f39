/**
 * The Cloudflare Worker: bindings → dependencies (D1 or libSQL over HTTP, R2) → the same
 * `createApp(deps)` as the Node server, plus what the Node server's static handler does for the
 * client: page routes mapped to their HTML, and the ffmpeg.wasm cores (too large for Workers
 * static assets) served same-origin from R2.
 *
 * wrangler.toml sends /api/* and /media/* here first; every other request is tried against the
 * static assets (dist/client) and reaches the Worker only when no file matches.
 * @module
 */
import type { AnyD1Database } from 'drizzle-orm/d1'
import { type ExecutionContext, Hono } from 'hono'
import { d1Db } from '../db/client.d1.ts'
import { libsqlWebDb } from '../db/client.libsql-web.ts'
import type { Db } from '../db/types.ts'
import { createApp } from './app.ts'
import { createPasswordHasher } from './auth/password.ts'
import { nobleScrypt } from './auth/scrypt.noble.ts'
import { appConfig, parseConfig, sweepSettings, WORKER_MAX_FILE_SIZE } from './config.ts'
import type { Deps } from './env.ts'
import { ffmpegCore } from './ffmpeg.worker.ts'
import { problemBody, problemResponse } from './lib/problem.ts'
import { EMBED_HEADERS, EMBED_PATHS, MOVIE_PAGE, PAGE_HEADERS, pageFile } from './pages.ts'
import { blobSeen, purgeExpired, type SweepReport, storageSweeper } from './services/housekeeping.ts'
import { moviePageHtml } from './services/page-meta.ts'
import { type R2BucketLike, r2BlobStore } from './storage/r2.ts'

/** What wrangler.toml binds (and `wrangler secret put` adds). */
export interface WorkerEnv {
  /** R2 bucket with every movie's files, and the ffmpeg cores under `static/`. */
  MEDIA: R2BucketLike
  /** The Vite build (dist/client). */
  ASSETS?: { fetch(request: Request): Promise<Response> }
  /** D1 database, used unless LIBSQL_URL is set. */
  DB?: AnyD1Database
  /** A remote libSQL database (e.g. `libsql://name-org.turso.io`); a secret, with its token. */
  LIBSQL_URL?: string
  LIBSQL_AUTH_TOKEN?: string
  /**
   * The same size, session and sign-up settings as the Node server's environment (`[vars]`);
   * MAX_FILE_SIZE defaults to {@link WORKER_MAX_FILE_SIZE} here.
   */
  MAX_FILE_SIZE?: string
  MAX_MOVIE_SIZE?: string
  MAX_MOVIE_FILES?: string
  USER_QUOTA_BYTES?: string
  COOKIE_SECURE?: string
  SESSION_DAYS?: string
  /** Who may sign up (`closed`, `invite`, `open`) and whether the catalog needs an account. */
  SIGNUP?: string
  PRIVATE_CATALOG?: string
  /** The ABR rule players start with: `ours`, `throughput`, `bola`, `dynamic`. */
  ABR_RULE?: string
  /** The storage sweep of the cron trigger (`scheduled`): how long a blob without a row is kept. */
  ORPHAN_GRACE_SECONDS?: string
}

const CONFIG_VARS = [
  'MAX_FILE_SIZE',
  'MAX_MOVIE_SIZE',
  'MAX_MOVIE_FILES',
  'USER_QUOTA_BYTES',
  'COOKIE_SECURE',
  'SESSION_DAYS',
  'SIGNUP',
  'PRIVATE_CATALOG',
  'ABR_RULE',
  'ORPHAN_GRACE_SECONDS',
] as const

/** The settings from the bindings' [vars]; throws a readable error on a bad one. */
function workerConfig(env: WorkerEnv) {
  const vars: Record<string, string | undefined> = {}
  for (const name of CONFIG_VARS) vars[name] = env[name]
  vars.MAX_FILE_SIZE ||= WORKER_MAX_FILE_SIZE
  return parseConfig(vars)
}

/** Builds the dependencies from the bindings; throws a readable error on a bad setting. */
export function workerDeps(env: WorkerEnv): Deps {
  const config = workerConfig(env)
  return {
    db: workerDb(env),
    blobs: r2BlobStore(env.MEDIA),
    passwords: createPasswordHasher(nobleScrypt),
    config: {
      ...appConfig(config),
      // Isolates share no memory: a session signed out (or an account changed) through one must
      // not live on in another's cache, so every request looks its session up.
      sessionCacheMs: 0,
      // R2 streams only a body of known length; any other would be read whole into the isolate.
      uploadsNeedLength: true,
    },
    // Cloudflare sets it on every request; only the edge can, so it needs no proxy setting.
    clientIp: (c) => c.req.header('cf-connecting-ip'),
  }
}

function workerDb(env: WorkerEnv): Db {
  if (env.LIBSQL_URL) {
    return libsqlWebDb({
      url: env.LIBSQL_URL,
      ...(env.LIBSQL_AUTH_TOKEN ? { authToken: env.LIBSQL_AUTH_TOKEN } : {}),
    })
  }
  if (!env.DB) throw new Error('No database: bind a D1 database as DB, or set the LIBSQL_URL secret.')
  return d1Db(env.DB)
}

/**
 * The asset path of a page route. Workers assets serve `x.html` at `/x` (`html_handling =
 * "auto-trailing-slash"`) and redirect `/x.html` there, so the clean path is asked.
 */
function assetPage(pathname: string): string | null {
  const file = pageFile(pathname.length > 1 ? pathname.replace(/\/$/, '') : pathname)
  return file === null ? null : file === 'index.html' ? '/' : `/${file.replace(/\.html$/, '')}`
}

/** The whole site for one set of bindings: client pages and cores around the API app. */
export function createWorkerApp(env: WorkerEnv) {
  const deps = workerDeps(env)
  const app = createApp(deps)
  const site = new Hono<{ Bindings: WorkerEnv }>()
  site.on(['GET', 'HEAD'], '/ffmpeg/:variant/:file', (c) =>
    ffmpegCore(c.env.MEDIA, c.req.param('variant'), c.req.param('file'), c.req.raw),
  )
  site.all('*', async (c) => {
    const page =
      c.env.ASSETS && (c.req.method === 'GET' || c.req.method === 'HEAD') ? assetPage(c.req.path) : null
    if (page && c.env.ASSETS) {
      const movieId = page === MOVIE_ASSET ? c.req.path.split('/')[2] : undefined
      const res = movieId
        ? await moviePage(deps, c.env.ASSETS, c.req.raw, page, decodeURIComponent(movieId))
        : await c.env.ASSETS.fetch(
            new Request(new URL(page, c.req.url), { method: c.req.method, headers: c.req.raw.headers }),
          )
      // _headers matches the path asked of the assets (`/movie`), not the page's own (`/movies/x`).
      const headers = new Headers(res.headers)
      const embed = EMBED_PATHS.some((p) => c.req.path.startsWith(p.replace(/\*$/, '')))
      for (const [k, v] of Object.entries(embed ? EMBED_HEADERS : PAGE_HEADERS)) headers.set(k, v)
      if (embed) headers.delete('X-Frame-Options')
      return new Response(res.body, { status: res.status, statusText: res.statusText, headers })
    }
    return app.fetch(c.req.raw, c.env, c.executionCtx)
  })
  return site
}

const MOVIE_ASSET = assetPage(MOVIE_PAGE.route.replace(':id', 'x'))

/**
 * The movie page with the movie's sharing tags (services/page-meta.ts). The asset is always asked
 * for in full (no conditional request), as what is written into it changes with the movie.
 */
async function moviePage(
  deps: Deps,
  assets: NonNullable<WorkerEnv['ASSETS']>,
  request: Request,
  page: string,
  movieId: string,
): Promise<Response> {
  const headers = new Headers(request.headers)
  for (const name of ['if-none-match', 'if-modified-since', 'range']) headers.delete(name)
  const built = await assets.fetch(new Request(new URL(page, request.url), { headers }))
  if (!built.ok) return built
  const html = await moviePageHtml(deps, await built.text(), movieId, new URL(request.url).origin)
  const out = new Headers(built.headers)
  for (const name of ['etag', 'last-modified', 'content-length', 'content-encoding']) out.delete(name)
  out.set('content-type', 'text/html; charset=utf-8')
  out.set('cache-control', 'no-cache')
  return new Response(request.method === 'HEAD' ? null : html, { status: 200, headers: out })
}

/** Largest unread request body read to its end rather than cancelled (a video segment is smaller). */
const DRAIN_LIMIT = 16 * 1024 * 1024

/**
 * A request answered without reading its whole body (a refused upload, or a resumed one whose file
 * is already stored, which the app cancels) leaves the body pending; under `wrangler dev` that
 * breaks the next request on the connection: it hangs, or its proxy answers 503 "Your worker
 * restarted mid-request". So the app gets a body whose cancel does not reach the real one, and
 * what it left unread is read to its end after the response is built when it is at most
 * DRAIN_LIMIT long (declared, or counted as it is read when no length was declared: a chunked
 * upload answered 411); a larger body is cancelled after all (wrangler dev may then answer that
 * one request with a 503, but the connection recovers).
 */
function guardBody(request: Request): { request: Request; settle: () => Promise<void> } {
  if (!request.body) return { request, settle: async () => {} }
  const source = request.body.getReader()
  let finished = false
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const chunk = await source.read()
        if (chunk.done) {
          finished = true
          controller.close()
        } else controller.enqueue(chunk.value)
      },
      // Deliberately empty: settle() decides what happens to the rest.
      cancel() {},
    },
    { highWaterMark: 0 },
  )
  return {
    // `duplex` is what the fetch standard asks of a stream body (Node insists; workerd does not).
    request: new Request(request, { body, duplex: 'half' } as RequestInit),
    async settle() {
      if (finished) return
      // Only a body that is (or, without a declared length, may be) small is worth reading to its
      // end; a larger one is cancelled, at once or once it has run past the limit.
      const declared = Number(request.headers.get('content-length') ?? 0)
      let read = 0
      while (declared <= DRAIN_LIMIT && read <= DRAIN_LIMIT) {
        const chunk = await source.read().catch(() => ({ done: true as const, value: undefined }))
        if (chunk.done) return
        read += chunk.value.byteLength
      }
      await source.cancel().catch(() => {})
    },
  }
}

/**
 * The cron trigger's housekeeping (wrangler.toml `[triggers]`), what the Node server does on its
 * timer (services/housekeeping.ts): blobs no row lists (an upload whose isolate died between its
 * object and its row, the files of a movie whose background delete failed) are logged, then
 * removed ORPHAN_GRACE_SECONDS later; expired sessions and rate-limit windows are purged. Nothing
 * lives from one cron run to the next, so first sightings are kept in R2 beside the movies, and
 * the run's clock is the event's scheduled time.
 */
export async function housekeeping(env: WorkerEnv, scheduledTime: number): Promise<SweepReport> {
  const deps: Deps = { ...workerDeps(env), now: () => scheduledTime }
  const sweep = storageSweeper(deps, sweepSettings(workerConfig(env)), blobSeen(deps))
  const report = await sweep()
  await purgeExpired(deps)
  const { orphans } = report
  if (orphans.found > 0) console.warn(`[housekeeping] ${JSON.stringify(report)}`)
  return report
}

// Bindings do not change within an isolate, so the app (and its in-memory login limiter) is built once.
let site: ReturnType<typeof createWorkerApp> | null = null

export default {
  async fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response> {
    if (!site) {
      try {
        site = createWorkerApp(env)
      } catch (err) {
        console.error(`[worker] cannot start: ${(err as Error).message}`)
        return problemResponse(problemBody(503, 'misconfigured', 'The server is not configured correctly.'))
      }
    }
    const guarded = guardBody(request)
    const response = await site.fetch(guarded.request, env, ctx)
    await guarded.settle()
    return response
  },

  /** The cron trigger: {@link housekeeping}, finished after the event returns. */
  async scheduled(
    controller: { scheduledTime: number },
    env: WorkerEnv,
    ctx: ExecutionContext,
  ): Promise<void> {
    ctx.waitUntil(
      housekeeping(env, controller.scheduledTime).catch((err: unknown) => {
        console.error(`[housekeeping] failed: ${(err as Error).message}`)
        throw err
      }),
    )
  },
}
