/**
 * What a link to a movie page shows where it is shared (chat apps, social sites, embedding CMSs):
 * Open Graph and Twitter card tags and the oEmbed discovery link, written into the movie page's
 * HTML by the server, because link previewers do not run the page's script. The Node server
 * (static.node.ts) and the Worker (entry.worker.ts) both serve the page through {@link moviePageHtml}.
 *
 * Only what an anonymous visitor may see gets tags: a draft, hidden or missing movie, or any movie
 * of a private catalog, is served the page exactly as built, so the page says nothing about it.
 * @module
 */
import type { Deps } from '../env.ts'
import { embedSize, embedUrl, escapeHtml } from '../lib/embed.ts'
import { ApiError } from '../lib/problem.ts'
import { loadMovieForRead, mediaUrl } from './movies.ts'

/** Longest description a preview gets; previewers cut much shorter anyway. */
const DESCRIPTION_CHARS = 300

/**
 * The movie page's HTML with the movie's sharing tags in its head (or unchanged, see the module).
 * @example await moviePageHtml(deps, built, 'x3KfQ9aLw0PzR7bT', 'https://tv.example')
 */
export async function moviePageHtml(
  deps: Deps,
  html: string,
  movieId: string,
  origin: string,
): Promise<string> {
  const tags = await moviePageTags(deps, movieId, origin)
  return tags ? withHeadTags(html, tags) : html
}

/** The tags of a movie anyone may watch, as HTML; '' for every other id. */
export async function moviePageTags(deps: Deps, movieId: string, origin: string): Promise<string> {
  if (deps.config.privateCatalog) return ''
  const movie = await loadMovieForRead(deps, null, movieId).catch((err: unknown) => {
    if (err instanceof ApiError && err.status === 404) return null
    throw err
  })
  if (movie?.status !== 'ready' || !movie.active) return ''

  const page = `${origin}/movies/${encodeURIComponent(movie.id)}`
  const player = embedUrl(origin, movie.id)
  const { width, height } = embedSize(movie.renditions ?? [], { maxwidth: 1280 })
  const image = movie.poster ? `${origin}${mediaUrl(movie.id, movie.poster)}` : null
  const description = shorten(movie.description?.trim() || `Watch ${movie.name} on anime-die-heart.`)
  const secure = origin.startsWith('https:')
  const tags: [attr: 'property' | 'name', key: string, value: string | number | null][] = [
    ['property', 'og:type', 'video.other'],
    ['property', 'og:site_name', 'anime-die-heart'],
    ['property', 'og:title', movie.name],
    ['property', 'og:description', description],
    ['property', 'og:url', page],
    ['property', 'og:image', image],
    ['property', 'og:video', player],
    ['property', 'og:video:secure_url', secure ? player : null],
    ['property', 'og:video:type', 'text/html'],
    ['property', 'og:video:width', width],
    ['property', 'og:video:height', height],
    ['property', 'video:duration', movie.duration ? Math.round(movie.duration) : null],
    ['name', 'twitter:card', 'player'],
    ['name', 'twitter:title', movie.name],
    ['name', 'twitter:description', description],
    ['name', 'twitter:image', image],
    ['name', 'twitter:player', player],
    ['name', 'twitter:player:width', width],
    ['name', 'twitter:player:height', height],
  ]
  const oembed = `${origin}/api/oembed?url=${encodeURIComponent(page)}`
  return [
    ...tags.flatMap(([attr, key, value]) =>
      value === null ? [] : [`<meta ${attr}="${key}" content="${escapeHtml(String(value))}">`],
    ),
    `<link rel="alternate" type="application/json+oembed" href="${escapeHtml(oembed)}" title="${escapeHtml(movie.name)}">`,
  ].join('\n')
}

/** `html` with `tags` at the end of its head (after the doctype when it has no `</head>`). */
export function withHeadTags(html: string, tags: string): string {
  const end = html.search(/<\/head>/i)
  if (end >= 0) return `${html.slice(0, end)}${tags}\n${html.slice(end)}`
  const doctype = /^\s*<!doctype[^>]*>/i.exec(html)?.[0] ?? ''
  return `${doctype}${tags}\n${html.slice(doctype.length)}`
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ')
  return flat.length <= DESCRIPTION_CHARS ? flat : `${flat.slice(0, DESCRIPTION_CHARS - 1).trimEnd()}…`
}
