/** Poster images, with a generated stand-in for movies that have none yet. @module */
import type { Movie } from '../api.ts'
import { h } from './dom.ts'

function hash(text: string): number {
  let n = 2166136261
  for (let i = 0; i < text.length; i++) n = Math.imul(n ^ text.charCodeAt(i), 16777619)
  return n >>> 0
}

/** A gradient and initials that stay the same for a movie, so it is recognisable without a poster. */
export function placeholder(movie: Pick<Movie, 'id' | 'name'>): HTMLElement {
  const n = hash(movie.id)
  const a = n % 360
  const b = (a + 40 + ((n >> 9) % 80)) % 360
  const initials =
    movie.name
      .split(/\s+/)
      .filter((w) => /[\p{L}\p{N}]/u.test(w))
      .slice(0, 2)
      .map((w) => [...w][0]?.toUpperCase() ?? '')
      .join('') || '?'
  return h(
    'div',
    {
      class: 'thumb-placeholder',
      'aria-hidden': 'true',
      style: `background: linear-gradient(135deg, hsl(${a} 55% 32%), hsl(${b} 60% 18%))`,
    },
    initials,
  )
}

/**
 * The poster URL with the movie's last change in it: a replaced poster keeps its file name, and
 * media may be cached for a long time.
 */
export function posterSrc(movie: Pick<Movie, 'posterUrl' | 'updatedAt'>): string | null {
  if (!movie.posterUrl) return null
  const sep = movie.posterUrl.includes('?') ? '&' : '?'
  return `${movie.posterUrl}${sep}v=${Date.parse(movie.updatedAt) || 0}`
}

/** The image (lazy, with the placeholder underneath until it loads or if it fails). */
export function posterImage(
  movie: Pick<Movie, 'id' | 'name' | 'posterUrl' | 'updatedAt'>,
  opts: { eager?: boolean } = {},
): HTMLElement[] {
  const src = posterSrc(movie)
  const fallback = placeholder(movie)
  if (!src) return [fallback]
  const img = h('img', {
    class: 'poster-img',
    src,
    alt: '',
    loading: opts.eager ? 'eager' : 'lazy',
    decoding: 'async',
    onerror: () => img.remove(),
  })
  return [fallback, img]
}
