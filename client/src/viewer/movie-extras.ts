/**
 * What the movie page adds for the one watching: the episode's place in its series, the My list
 * and Watched buttons, Previous/Next episode, and the player's watch options (resume, saving the
 * position, the countdown to the next episode).
 * @module
 */
import { api, call, errorMessage, type Movie, type Progress, type User } from '../api.ts'
import type { WatchOptions } from '../player/player.ts'
import { h } from '../ui/dom.ts'
import { icon } from '../ui/icons.ts'
import { failureToast } from '../ui/toast.ts'
import { movieHref, seriesHref } from './cards.ts'
import { episodeCode, movieEpisodeCode } from './labels.ts'
import { preferences, setPreferences } from './preferences.ts'
import { watchlistButton } from './watchlist-button.ts'

/** `?play=1`: opened to play at once (Continue watching, the end of the previous episode). */
const PLAY_PARAM = 'play'

/** Whether this page was opened to play at once; the flag leaves the URL, so a reload asks again. */
export function takePlayFlag(): boolean {
  const url = new URL(location.href)
  if (url.searchParams.get(PLAY_PARAM) !== '1') return false
  url.searchParams.delete(PLAY_PARAM)
  history.replaceState(history.state, '', url)
  return true
}

/** How the player starts and what it does for this viewer. */
export function watchOptions(movie: Movie, user: User | null, autoplay: boolean): WatchOptions {
  const p = movie.progress
  const next = movie.nextEpisode
  return {
    autoplay,
    resumeAt: p?.inProgress ? p.position : 0,
    duration: movie.duration,
    progressUrl: user ? api.me.progress[':movieId'].$path({ param: { movieId: movie.id } }) : undefined,
    upNext: next
      ? {
          code: episodeCode(next.season, next.episode),
          name: next.name,
          href: `${movieHref(next.id)}?${PLAY_PARAM}=1`,
          autoplay: async () => (user ? (await preferences()).autoplayNext : true),
          setAutoplay: user
            ? async (on) => {
                await setPreferences({ autoplayNext: on })
              }
            : undefined,
        }
      : undefined,
  }
}

/** Starts reading the preferences while the movie loads, so the end of an episode needs no wait. */
export function warmPreferences(movie: Movie, user: User | null): void {
  if (user && movie.nextEpisode) void preferences()
}

/** "Series name · S1 · E3" above an episode's title. */
export function episodeEyebrow(movie: Movie): HTMLElement | null {
  const code = movieEpisodeCode(movie)
  if (!movie.series || !code) return null
  return h(
    'p',
    { class: 'episode-eyebrow' },
    h('a', { href: seriesHref(movie.series.id) }, icon('layers'), movie.series.name),
    h('span', { class: 'episode-code' }, code),
  )
}

/** Where "back" goes: the series for an episode, else the catalog. */
export function backTarget(movie: Movie | null): { href: string; label: string } {
  return movie?.series
    ? { href: seriesHref(movie.series.id), label: movie.series.name }
    : { href: '/', label: 'Catalog' }
}

/** Mark watched / unwatched; the button says which it is now (a toggle). */
export function watchedButton(
  movie: Pick<Movie, 'id' | 'name'>,
  progress: Progress | null,
): HTMLButtonElement {
  let watched = progress?.watched ?? false
  const button = h('button', { type: 'button', class: 'btn watched-btn' })
  const render = () => {
    button.setAttribute('aria-pressed', String(watched))
    button.replaceChildren(
      icon(watched ? 'check' : 'eye'),
      h('span', null, watched ? 'Watched' : 'Mark watched'),
    )
    button.title = watched ? 'Mark as not watched' : 'Mark as watched'
  }
  async function mark(on: boolean) {
    watched = on
    render()
    const param = { param: { movieId: movie.id } }
    try {
      const saved = await call(
        on
          ? api.me.progress[':movieId'].watched.$put(param)
          : api.me.progress[':movieId'].watched.$delete(param),
      )
      watched = saved.watched
      render()
      button.dispatchEvent(new CustomEvent('watched-change', { bubbles: true, detail: saved }))
    } catch (err) {
      watched = !on
      render()
      failureToast(
        `Could not mark “${movie.name}” ${on ? 'watched' : 'unwatched'}: ${errorMessage(err)}`,
        () => void mark(on),
      )
    }
  }
  button.addEventListener('click', () => void mark(!watched))
  render()
  return button
}

/** My list and Watched, for signed-in viewers of a published movie. */
export function movieActions(movie: Movie, user: User | null): HTMLElement | null {
  if (!user) return null
  const list = watchlistButton(movie, 'full')
  const watched = movie.status === 'ready' ? watchedButton(movie, movie.progress) : null
  if (!list && !watched) return null
  return h('div', { class: 'movie-actions' }, list, watched)
}

/** Previous / Next episode. */
export function episodeNav(movie: Movie): HTMLElement | null {
  const { previousEpisode: prev, nextEpisode: next } = movie
  if (!prev && !next) return null
  const link = (ref: NonNullable<Movie['nextEpisode']>, dir: 'previous' | 'next') =>
    h(
      'a',
      {
        class: `episode-link episode-${dir}`,
        href: movieHref(ref.id),
        rel: dir === 'next' ? 'next' : 'prev',
      },
      dir === 'previous' ? icon('previous') : null,
      h(
        'span',
        null,
        h('span', { class: 'episode-link-dir' }, dir === 'next' ? 'Next episode' : 'Previous episode'),
        h('span', { class: 'episode-link-name' }, `${episodeCode(ref.season, ref.episode)} · ${ref.name}`),
      ),
      dir === 'next' ? icon('next') : null,
    )
  return h(
    'nav',
    { class: 'episode-nav', 'aria-label': 'Episodes' },
    prev ? link(prev, 'previous') : h('span'),
    next ? link(next, 'next') : null,
  )
}
