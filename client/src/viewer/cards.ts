/**
 * Cards for what a viewer keeps track of: a series (one card for all its episodes), an entry of
 * "Continue watching", and the watch-list button and progress added to a movie's card.
 * @module
 */
import type { ContinueItem, MovieSummary, Series } from '../api.ts'
import { h } from '../ui/dom.ts'
import { icon } from '../ui/icons.ts'
import { posterImage } from '../ui/poster.ts'
import {
  episodeCode,
  movieEpisodeCode,
  progressBar,
  spokenEpisode,
  spokenProgress,
  timeLeft,
  watchedMark,
} from './labels.ts'
import { watchlistButton } from './watchlist-button.ts'

export const seriesHref = (id: string) => `/series/${encodeURIComponent(id)}`
export const movieHref = (id: string) => `/movies/${encodeURIComponent(id)}`

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

/** "12 episodes", "2 seasons · 24 episodes". */
export function seriesSize(series: Pick<Series, 'episodeCount' | 'seasons'>): string {
  const seasons = series.seasons.filter((s) => s.season > 0).length
  const episodes = plural(series.episodeCount, 'episode')
  return seasons > 1 ? `${plural(seasons, 'season')} · ${episodes}` : episodes
}

/**
 * Adds the watch-list button and the viewer's progress to a movie card made by `movieCard`, so
 * the card itself stays one link and the button sits beside it (a button inside a link is not
 * allowed, and keyboard users reach each on its own).
 */
export function decorateMovieCard(li: HTMLLIElement, movie: MovieSummary): HTMLLIElement {
  li.classList.add('card-item')
  const thumb = li.querySelector('.thumb')
  const p = movie.progress
  if (thumb && p && (p.inProgress || p.watched)) {
    thumb.append(progressBar(p))
    if (p.watched && !p.inProgress) thumb.append(watchedMark())
    const link = li.querySelector('a.card')
    link?.setAttribute('aria-label', `${link.getAttribute('aria-label') ?? movie.name}${spokenProgress(p)}`)
  }
  const button = watchlistButton(movie)
  if (button) li.append(button)
  return li
}

/** One card for a whole series: poster, size, and the next episode to watch. */
export function seriesCard(series: Series): HTMLLIElement {
  const next = series.next
  const started = next?.progress?.inProgress ? next.progress : null
  const nextText = next
    ? `${next.progress?.inProgress ? 'Continue' : 'Next'}: ${episodeCode(next.season, next.episode)}`
    : null
  const label = [
    `${series.name}, series, ${plural(series.episodeCount, 'episode')}`,
    next ? `next: ${spokenEpisode(next.season, next.episode)}` : null,
  ]
    .filter(Boolean)
    .join(', ')
  const button = watchlistButton(series)
  return h(
    'li',
    { class: 'card-item', 'data-series-id': series.id },
    h(
      'a',
      { class: 'card series-card', href: seriesHref(series.id), 'aria-label': label },
      h(
        'div',
        { class: 'thumb' },
        posterImage(series),
        h('div', { class: 'thumb-play' }, icon('layers')),
        h('span', { class: 'thumb-kind' }, icon('layers'), 'Series'),
        h('span', { class: 'thumb-duration' }, plural(series.episodeCount, 'episode')),
        started ? progressBar(started) : null,
      ),
      h(
        'div',
        { class: 'card-body' },
        h('h2', { class: 'card-title' }, series.name),
        h(
          'p',
          { class: 'card-meta' },
          nextText ? h('span', { class: 'card-next' }, nextText) : seriesSize(series),
          nextText && next ? h('span', { class: 'card-next-name' }, ` · ${next.name}`) : null,
        ),
      ),
    ),
    button,
  )
}

/**
 * An entry of "Continue watching": a movie to resume (with how far it got) or a series' next
 * episode. Opening it plays at once, from where the viewer stopped.
 */
export function continueCard(item: ContinueItem): HTMLLIElement {
  const movie = item.movie
  const p = movie.progress
  const code = movieEpisodeCode(movie)
  const resuming = item.kind === 'resume' && p?.inProgress
  const title = movie.series ? movie.series.name : movie.name
  const sub = code ? `${code} · ${movie.name}` : null
  const status = resuming && p ? timeLeft(p) : code ? 'Next episode' : 'Start watching'
  const label = [
    title,
    movie.series && movie.season !== null && movie.episode !== null
      ? `${spokenEpisode(movie.season, movie.episode)}, ${movie.name}`
      : null,
    status,
  ]
    .filter(Boolean)
    .join(', ')
  return h(
    'li',
    { class: 'continue-item', 'data-movie-id': movie.id, 'data-kind': item.kind },
    h(
      'a',
      { class: 'card continue-card', href: `${movieHref(movie.id)}?play=1`, 'aria-label': label },
      h(
        'div',
        { class: 'thumb' },
        posterImage(movie),
        h('div', { class: 'thumb-play' }, icon('play')),
        code ? h('span', { class: 'thumb-episode' }, code) : null,
        resuming && p ? progressBar(p) : null,
      ),
      h(
        'div',
        { class: 'card-body' },
        h('h3', { class: 'card-title' }, title),
        sub ? h('p', { class: 'card-sub' }, sub) : null,
        h('p', { class: `card-meta${resuming ? '' : ' card-next'}` }, status),
      ),
    ),
  )
}

/** Grey stand-ins while a row of cards loads. */
export function skeletonCards(n: number, className = 'skeleton-card'): HTMLLIElement[] {
  return Array.from({ length: n }, () =>
    h(
      'li',
      { class: className, 'aria-hidden': 'true' },
      h('div', { class: 'thumb skeleton' }),
      h('div', { class: 'skeleton skeleton-line', style: 'width: 80%' }),
      h('div', { class: 'skeleton skeleton-line', style: 'width: 45%' }),
    ),
  )
}
