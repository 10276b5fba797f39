/** The /api/player and /api/oembed routes. @module */
import type { RouteHandler } from '@hono/zod-openapi'
import type { AppEnv } from '../../env.ts'
import { movieNotFound } from '../../lib/errors.ts'
import { createRouter } from '../../lib/router.ts'
import { loadMovieForRead, mediaUrl } from '../../services/movies.ts'
import * as routes from './player.routes.ts'

const settings: RouteHandler<typeof routes.settings, AppEnv> = (c) =>
  c.json({ abrRule: c.var.deps.config.abrRule }, 200)

const oembed: RouteHandler<typeof routes.oembed, AppEnv> = async (c) => {
  const { url, maxwidth, maxheight } = c.req.valid('query')
  const origin = new URL(c.req.url).origin
  const id = /^\/(?:movies|embed)\/([A-Za-z0-9_-]{1,64})\/?$/.exec(safePath(url, origin))?.[1]
  if (!id) throw movieNotFound(url.slice(0, 100))
  const movie = await loadMovieForRead(c.var.deps, c.var.user, id)
  if (movie.status !== 'ready') throw movieNotFound(id)
  const video = movie.renditions
    ?.filter((r) => r.kind === 'video')
    .sort((a, b) => b.bandwidth - a.bandwidth)[0]
  const ratio = video?.width && video.height ? video.width / video.height : 16 / 9
  let width = Math.min(maxwidth ?? 640, 1920)
  let height = Math.round(width / ratio)
  if (maxheight && height > maxheight) {
    height = maxheight
    width = Math.round(height * ratio)
  }
  const src = `${origin}/embed/${movie.id}`
  const title = movie.name.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`)
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
