/**
 * The /media router: published movies' files for any player, on any origin, and series posters.
 * @module
 */
import { Hono } from 'hono'
import { cors } from 'hono/cors'
import type { AppEnv } from '../../env.ts'
import { CROSS_ORIGIN, serve, servePoster } from './media.handlers.ts'

export const mediaRouter = () => {
  const router = new Hono<AppEnv>()
  const preflight = cors({
    origin: '*',
    allowMethods: ['GET', 'HEAD', 'OPTIONS'],
    allowHeaders: ['Range', 'If-None-Match', 'If-Modified-Since', 'If-Range'],
    maxAge: 86400,
  })
  router.options('*', async (c, next) => {
    // A player on a public https page may stream from a server on the viewer's own machine or
    // network; Chrome asks first (Private Network Access), and this is the answer it needs.
    if (c.req.header('access-control-request-private-network') === 'true') {
      c.header('access-control-allow-private-network', 'true')
    }
    return preflight(c, next)
  })
  router.use('*', async (c, next) => {
    await next()
    if (c.res.status < 400) return
    // Errors too must be readable cross-origin, and a 404 for a draft must not be remembered by a
    // shared cache once the movie is published.
    for (const [k, v] of Object.entries(CROSS_ORIGIN)) c.res.headers.set(k, v)
    c.res.headers.set('cache-control', 'no-store')
  })
  // "series" is not a movie id (those are 16 characters), so the two never meet.
  router.on(['GET', 'HEAD'], '/series/:id/:file', servePoster)
  router.on(['GET', 'HEAD'], '/:id/*', serve)
  return router
}
