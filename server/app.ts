/**
 * `createApp(deps)`: the whole HTTP API, built only from the dependencies it is given, so the
 * Node entry, the Workers entry and the tests all run the same app.
 * @module
 */
import { createRoute, z } from '@hono/zod-openapi'
import { Scalar } from '@scalar/hono-api-reference'
import { sql } from 'drizzle-orm'
import { Hono } from 'hono'
import { csrf } from 'hono/csrf'
import { readSessionCookie, SESSION_COOKIE } from './auth/cookie.ts'
import { identify, membersOnly } from './auth/middleware.ts'
import { boundedHasher } from './auth/password.ts'
import type { AppEnv, Deps } from './env.ts'
import { apiBodyLimit } from './lib/body-limit.ts'
import { refuseDotSegments } from './lib/dot-segments.ts'
import { metricsRoute } from './lib/metrics-route.ts'
import { observe } from './lib/observe.ts'
import { ApiError, instanceOf, problemBody, problemResponse, renderError } from './lib/problem.ts'
import { createRouter } from './lib/router.ts'
import { authRouter } from './routes/auth/auth.index.ts'
import { json, problem } from './routes/common.schemas.ts'
import { credentialsRouter } from './routes/credentials/credentials.index.ts'
import { filesRouter } from './routes/files/files.index.ts'
import { invitesRouter } from './routes/invites/invites.index.ts'
import { meRouter } from './routes/me/me.index.ts'
import { mediaRouter } from './routes/media/media.index.ts'
import { moviesRouter } from './routes/movies/movies.index.ts'
import { playerRouter } from './routes/player/player.index.ts'
import { seriesRouter } from './routes/series/series.index.ts'
import { subtitlesRouter } from './routes/subtitles/subtitles.index.ts'
import { usersRouter } from './routes/users/users.index.ts'
import { createRuntime } from './runtime.ts'

export const API_INFO = {
  openapi: '3.1.0',
  info: {
    title: 'anime-die-heart API',
    version: '0.1.0',
    description:
      'Catalog, series, accounts, watch lists, uploads and streaming for anime-die-heart. Errors are ' +
      'application/problem+json. Authenticate with the session cookie from POST /api/auth/login (or ' +
      '/api/auth/signup), or `Authorization: Bearer <token>`. Roles: admin (everything), uploader (their own ' +
      'movies and series), viewer (watches, keeps a list and progress, uploads nothing); anonymous callers see ' +
      'published, active movies, unless the server runs with PRIVATE_CATALOG=true, where everything but ' +
      'signing in and up answers 401 to them.',
  },
}

const health = createRoute({
  method: 'get',
  path: '/health',
  tags: ['Service'],
  summary: 'Is the server up',
  responses: {
    200: json(z.object({ status: z.literal('ok') }), 'The server and its database answer'),
    503: problem('The database does not answer'),
  },
})

/**
 * The app, with every route chained so that its type (`App`) carries them all: the client's
 * `hc<App>` is typed by exactly these routes and schemas.
 */
export function createApp(given: Deps) {
  const { passwordHashConcurrency, passwordHashQueue } = given.config
  // Every password hash the app computes waits for one of a few slots (per process).
  const deps: Deps = {
    ...given,
    passwords: boundedHasher(given.passwords, passwordHashConcurrency, passwordHashQueue),
  }
  const runtime = createRuntime(deps)

  const api = createRouter()
    .basePath('/api')
    .openapi(health, async (c) => {
      try {
        await c.var.deps.db.run(sql`select 1`)
      } catch {
        throw new ApiError(503, 'database-unreachable', 'The database does not answer.')
      }
      return c.json({ status: 'ok' as const }, 200)
    })
    .route('/auth', authRouter())
    .route('/users', usersRouter())
    .route('/users', credentialsRouter())
    .route('/movies', moviesRouter())
    .route('/movies', filesRouter())
    .route('/movies', subtitlesRouter())
    .route('/series', seriesRouter())
    .route('/me', meRouter())
    .route('/invites', invitesRouter())
    .route('/', playerRouter())
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' })
  api.openAPIRegistry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE,
    description: 'Set by sign-in; named `__Host-adh_session` on servers reached over HTTPS',
  })
  api.doc31('/openapi.json', API_INFO)
  api.get(
    '/docs',
    // Served from our own origin (copied into the client build by vite.config.ts), never a CDN.
    Scalar({
      url: '/api/openapi.json',
      pageTitle: 'anime-die-heart API',
      cdn: '/vendor/scalar-api-reference.js',
      // Nothing leaves our origin: no web fonts, no telemetry, no hosted AI or MCP upsells.
      withDefaultFonts: false,
      telemetry: false,
      showDeveloperTools: 'never',
      agent: { disabled: true },
      mcp: { disabled: true },
    } as Parameters<typeof Scalar>[0]),
  )

  // Only a cookie is sent by the browser on its own, so only cookie-authenticated writes can be
  // forged cross-site: those must come from our own origin. Bearer tokens and anonymous calls pass.
  const sameOrigin = csrf()
  return new Hono<AppEnv>()
    .use(observe(deps))
    .use(async (c, next) => {
      c.set('deps', deps)
      c.set('runtime', runtime)
      await next()
    })
    .use(refuseDotSegments)
    .get('/metrics', metricsRoute(deps))
    .use('/api/*', apiBodyLimit)
    .use('/api/*', (c, next) =>
      !c.req.header('authorization') && readSessionCookie(c) ? sameOrigin(c, next) : next(),
    )
    .use('/api/*', identify, membersOnly)
    .route('/', api)
    .use('/media/*', identify, membersOnly)
    .route('/media', mediaRouter())
    .notFound((c) =>
      problemResponse(
        problemBody(
          404,
          'not-found',
          `Nothing at ${c.req.method} ${new URL(c.req.url).pathname}.`,
          instanceOf(c),
        ),
      ),
    )
    .onError(renderError)
}

export type App = ReturnType<typeof createApp>
