/** The /api/player and /api/oembed routes. @module */
import type { RouteHandler } from '@hono/zod-openapi'
import type { AppEnv } from '../../env.ts'
import { embedSize, embedUrl, escapeHtml, siteOrigin } from '../../lib/embed.ts'
import { movieNotFound } from '../../lib/errors.ts'
import { createRouter } from '../../lib/router.ts'
import { loadMovieForRead, mediaUrl } from '../../services/movies.ts'
import * as routes from './player.routes.ts'

const settings: RouteHandler<typeof routes.settings, AppEnv> = (c) =>
  c.json({ abrRule: c.var.deps.config.abrRule }, 200)

const oembed: RouteHandler<typeof routes.oembed, AppEnv> = async (c) => {
  const { url, maxwidth, maxheight } = c.req.valid('query')
  const origin = siteOrigin(c)
  const id = /^\/(?:movies|embed)\/([A-Za-z0-9_-]{1,64})\/?$/.exec(safePath(url, origin))?.[1]
  if (!id) throw movieNotFound(url.slice(0, 100))
  const movie = await loadMovieForRead(c.var.deps, c.var.user, id)
  if (movie.status !== 'ready') throw movieNotFound(id)
  const { width, height } = embedSize(movie.renditions ?? [], { maxwidth, maxheight })
  const src = embedUrl(origin, movie.id)
  const title = escapeHtml(movie.name)
  return c.json(
    {
      type: 'video' as const,
      version: '1.0' as const,
      title: movie.name,
      provider_name: 'anime-die-heart',
      provider_url: `${origin}/`,
      html: `<iframe src="${src}" width="${width}" height="${height}" title="${title}" frameborder="0" allow="autoplay; fullscreen; picture-in-picture" allowfullscreen></iframe>`,
      width,
      height,
      ...(movie.poster ? { thumbnail_url: `${origin}${mediaUrl(movie.id, movie.poster)}` } : {}),
    },
    200,
  )
}

/** The path of a URL on this server (or a bare path); "" for another site's URL. */
function safePath(url: string, origin: string): string {
  try {
    const parsed = new URL(url, origin)
    return parsed.origin === origin ? parsed.pathname : ''
  } catch {
    return ''
  }
}

export const playerRouter = () =>
  createRouter().openapi(routes.settings, settings).openapi(routes.oembed, oembed)
