/**
 * What other sites see of a published movie: the embed player's URL and size (oEmbed, the
 * movie page's Open Graph and Twitter tags) and the text put into HTML attributes.
 * @module
 */
import type { Context } from 'hono'
import { isHttps } from '../auth/cookie.ts'
import type { AppEnv } from '../env.ts'
import type { Rendition } from '../routes/movies/movies.schemas.ts'

/**
 * This site's origin as the caller reached it: its host, and HTTPS when the connection (or a
 * trusted proxy) says so, so links written behind a TLS-terminating proxy are https ones.
 */
export function siteOrigin(c: Context<AppEnv>): string {
  return `${isHttps(c) ? 'https' : 'http'}://${new URL(c.req.url).host}`
}

/** The embed player of a movie (client/embed.html), for iframes. */
export const embedUrl = (origin: string, movieId: string) => `${origin}/embed/${encodeURIComponent(movieId)}`

/**
 * The embed's size: the tallest video rendition's aspect ratio (16:9 without one), `maxwidth`
 * wide (640 by default, at most 1920), shrunk to fit `maxheight`.
 * @example embedSize([{ kind: 'video', width: 1280, height: 720, … }]) // { width: 640, height: 360 }
 */
export function embedSize(
  renditions: readonly Rendition[],
  max: { maxwidth?: number | undefined; maxheight?: number | undefined } = {},
): { width: number; height: number } {
  const video = renditions.filter((r) => r.kind === 'video').sort((a, b) => b.bandwidth - a.bandwidth)[0]
  const ratio = video?.width && video.height ? video.width / video.height : 16 / 9
  let width = Math.min(max.maxwidth ?? 640, 1920)
  let height = Math.round(width / ratio)
  if (max.maxheight && height > max.maxheight) {
    height = max.maxheight
    width = Math.round(height * ratio)
  }
  return { width, height }
}

/** Text made safe inside an HTML attribute value or element. */
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`)
