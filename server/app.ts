/**
 * `createApp(deps)`: the whole HTTP API, built only from the dependencies it is given, so the
 * Node entry, the Workers entry and the tests all run the same app.
 * @module
 */
import { Scalar } from '@scalar/hono-api-reference'
import { sql } from 'drizzle-orm'
import { Hono } from 'hono'
import { getCookie } from 'hono/cookie'
import { csrf } from 'hono/csrf'
import { identify } from './auth/middleware.ts'
import { SESSION_COOKIE } from './auth/tokens.ts'
import type { AppEnv, Deps } from './env.ts'
import { refuseDotSegments } from './lib/dot-segments.ts'
import { problemBody, problemResponse, renderError } from './lib/problem.ts'
import { createRouter } from './lib/router.ts'
import { authRouter } from './routes/auth/auth.index.ts'
import { filesRouter } from './routes/files/files.index.ts'
import { mediaRouter } from './routes/media/media.index.ts'
import { moviesRouter } from './routes/movies/movies.index.ts'
import { usersRouter } from './routes/users/users.index.ts'
import { createLoginLimiter } from './services/users.ts'

export const API_INFO = {
  openapi: '3.1.0',
  info: {
    title: 'anime-die-heart API',
    version: '0.1.0',
    description:
      'Catalog, accounts, uploads and streaming for anime-die-heart. Errors are application/problem+json. ' +
      'Authenticate with the session cookie from POST /api/auth/login, or `Authorization: Bearer <token>`.',
  },
}

export function createApp(deps: Deps) {
  const api = createRouter().basePath('/api')
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' })
  api.openAPIRegistry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: 'adh_session',
  })

  api.get('/health', async (c) => {
    try {
      await c.var.deps.db.run(sql`select 1`)
      return c.json({ status: 'ok' })
    } catch {
      return problemResponse(problemBody(503, 'database-unreachable', 'The database does not answer.'))
    }
  })
  const limiter = createLoginLimiter(deps.config.loginMaxAttempts, deps.config.loginWindowMs, deps.now)
  api.route('/auth', authRouter(limiter))
  api.route('/users', usersRouter())
  api.route('/movies', moviesRouter())
  api.route('/movies', filesRouter())
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

  const app = new Hono<AppEnv>()
  app.use(refuseDotSegments)
  app.use(async (c, next) => {
    c.set('deps', deps)
    await next()
  })
  // Only a cookie is sent by the browser on its own, so only cookie-authenticated writes can be
  // forged cross-site: those must come from our own origin. Bearer tokens and anonymous calls pass.
  const sameOrigin = csrf()
  app.use('/api/*', (c, next) =>
    !c.req.header('authorization') && getCookie(c, SESSION_COOKIE) ? sameOrigin(c, next) : next(),
  )
  app.use('/api/*', identify)
  app.route('/', api)
  app.use('/media/*', identify)
  app.route('/media', mediaRouter())
  app.notFound((c) =>
    problemResponse(
      problemBody(404, 'not-found', `Nothing at ${c.req.method} ${new URL(c.req.url).pathname}.`),
    ),
  )
  app.onError(renderError)
  return app
}

export type App = ReturnType<typeof createApp>
