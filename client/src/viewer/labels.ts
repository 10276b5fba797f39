/**
 * How episodes and progress read wherever a viewer meets them: "S1 · E3", "12 min left", and the
 * thin progress bar under a poster.
 * @module
 */
import type { Movie, Progress } from '../api.ts'
import { h } from '../ui/dom.ts'
import { formatDuration } from '../ui/format.ts'
import { icon } from '../ui/icons.ts'

/** "S1 · E3"; season 0 holds the specials: "Special 2". */
export function episodeCode(season: number, episode: number): string {
  return season === 0 ? `Special ${episode}` : `S${season} · E${episode}`
}

/** The same for screen readers: "season 1, episode 3". */
export function spokenEpisode(season: number, episode: number): string {
  return season === 0 ? `special ${episode}` : `season ${season}, episode ${episode}`
}

/** "Season 2", or "Specials" for season 0. */
export const seasonName = (season: number) => (season === 0 ? 'Specials' : `Season ${season}`)

/** The episode code of a movie that is an episode, else null. */
export function movieEpisodeCode(movie: Pick<Movie, 'season' | 'episode' | 'series'>): string | null {
  return movie.series && movie.season !== null && movie.episode !== null
    ? episodeCode(movie.season, movie.episode)
    : null
}

/** "12 min left", "40 s left". */
export function timeLeft(p: Pick<Progress, 'position' | 'duration'>): string {
  const left = Math.max(0, p.duration - p.position)
  if (left >= 3600) return `${Math.floor(left / 3600)} h ${Math.round((left % 3600) / 60)} min left`
  return left >= 60 ? `${Math.round(left / 60)} min left` : `${Math.round(left)} s left`
}

/** "Resume from 12:34". */
export const resumeLabel = (position: number) => `Resume from ${formatDuration(position)}`

/** The fraction watched, 0..1 (1 once watched). */
export function watchedFraction(
  p: Pick<Progress, 'position' | 'duration' | 'watched' | 'inProgress'>,
): number {
  if (p.watched && !p.inProgress) return 1
  return p.duration > 0 ? Math.min(1, Math.max(0, p.position / p.duration)) : 0
}

/**
 * The bar along the bottom of a poster: how far the viewer got. Decorative: the card's own label
 * says it in words.
 */
export function progressBar(
  p: Pick<Progress, 'position' | 'duration' | 'watched' | 'inProgress'>,
): HTMLElement {
  const fraction = watchedFraction(p)
  return h(
    'div',
    { class: 'watch-bar', 'aria-hidden': 'true', 'data-done': fraction >= 1 ? '' : null },
    h('span', { style: `width: ${(fraction * 100).toFixed(1)}%` }),
  )
}

/** The "Watched" mark on a poster. */
export function watchedMark(): HTMLElement {
  return h('span', { class: 'watched-mark', title: 'Watched' }, icon('check'), h('span', null, 'Watched'))
}

/** What a card says about the viewer's progress, for its accessible name: ", watched", ", 12 min left". */
export function spokenProgress(p: Progress | null): string {
  if (!p) return ''
  if (p.inProgress) return `, ${timeLeft(p)}`
  return p.watched ? ', watched' : ''
}
