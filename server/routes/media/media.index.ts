/**
 * The /media router: published movies' files for any player, on any origin.
 * @module
 */
import { Hono } from 'hono'
import { cors } from 'hono/cors'
import type { AppEnv } from '../../env.ts'
import { serve } from './media.handlers.ts'

export const mediaRouter = () => {
  const router = new Hono<AppEnv>()
  router.use('*', async (c, next) => {
    await next()
    // A player on a public https page may stream from a server on the viewer's own machine or
    // network; Chrome asks first (Private Network Access), and this is the answer it needs.
    if (c.req.header('access-control-request-private-network') === 'true') {
      c.res.headers.set('access-control-allow-private-network', 'true')
    }
    // Players measure segment downloads for bitrate choice; other origins may see the timings.
    c.res.headers.set('timing-allow-origin', '*')
    // A 404 for a draft must not be remembered by a shared cache once the movie is published.
    if (c.res.status >= 400) c.res.headers.set('cache-control', 'no-store')
  })
  router.use(
    '*',
    cors({
      origin: '*',
      allowMethods: ['GET', 'HEAD', 'OPTIONS'],
      allowHeaders: ['Range', 'If-None-Match', 'If-Modified-Since', 'If-Range'],
      exposeHeaders: ['Content-Length', 'Content-Range', 'Accept-Ranges', 'ETag', 'Last-Modified'],
      maxAge: 86400,
    }),
  )
  router.on(['GET', 'HEAD'], '/:id/*', serve)
  return router
}
