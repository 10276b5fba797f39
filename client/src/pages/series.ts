/**
 * A series: poster, name, description, My list, "Play S1 · E3" (the next episode to watch), and
 * its seasons (tabs when there are several) with the episodes in order, each with the viewer's
 * watched mark or progress, its length, and Mark watched.
 * @module
 */
import { ApiError, api, call, errorMessage, type Movie, type SeriesDetail, type User } from '../api.ts'
import { retryButton, stateBlock } from '../ui/blocks.ts'
import { h, mount } from '../ui/dom.ts'
import { formatDate, formatDuration, spokenDuration } from '../ui/format.ts'
import { icon } from '../ui/icons.ts'
import { placeholder, posterImage, posterSrc } from '../ui/poster.ts'
import { currentUser, initShell, signInHref } from '../ui/shell.ts'
import { toast } from '../ui/toast.ts'
import { movieHref, seriesSize } from '../viewer/cards.ts'
import {
  episodeCode,
  progressBar,
  seasonName,
  spokenEpisode,
  spokenProgress,
  timeLeft,
  watchedMark,
} from '../viewer/labels.ts'
import { watchedButton } from '../viewer/movie-extras.ts'
import { needsSignIn, sendToSignIn } from '../viewer/sign-in-gate.ts'
import { watchlistButton } from '../viewer/watchlist-button.ts'

const main = initShell('series', { mainClass: 'series-main' })
const id = decodeURIComponent(location.pathname.split('/')[2] ?? '')

const back = () => h('a', { class: 'back-link', href: '/' }, icon('back'), 'Catalog')

function loading() {
  mount(
    main,
    back(),
    h(
      'div',
      { class: 'series-hero', 'aria-busy': 'true' },
      h('div', { class: 'series-poster skeleton', 'aria-hidden': 'true' }),
      h(
        'div',
        { class: 'series-info', 'aria-hidden': 'true' },
        h('div', { class: 'skeleton', style: 'height: 36px; width: 55%' }),
        h('div', { class: 'skeleton', style: 'height: 16px; width: 30%' }),
        h('div', { class: 'skeleton', style: 'height: 60px; width: 90%' }),
        h('div', { class: 'skeleton', style: 'height: 44px; width: 200px' }),
      ),
    ),
    h(
      'ol',
      { class: 'episode-list', 'aria-hidden': 'true' },
      Array.from({ length: 3 }, () =>
        h(
          'li',
          { class: 'episode-row' },
          h('div', { class: 'episode-thumb skeleton' }),
          h(
            'div',
            { class: 'episode-text' },
            h('div', { class: 'skeleton', style: 'height: 18px; width: 50%' }),
            h('div', { class: 'skeleton', style: 'height: 14px; width: 25%' }),
          ),
        ),
      ),
    ),
  )
}

function failed(title: string, text: string, actions: HTMLElement[], error = false) {
  mount(
    main,
    back(),
    stateBlock({ icon: error ? 'alert' : 'layers', title, text, headingLevel: 1, error, actions }),
  )
}

/** The hero's main button: the next episode to watch, resumed if it was started. */
function playButton(series: SeriesDetail): HTMLElement | null {
  const next = series.next
  const first = series.episodes.find((e) => e.status === 'ready')
  if (next) {
    const resuming = next.progress?.inProgress
    return h(
      'a',
      {
        class: 'btn btn-primary btn-lg',
        href: `${movieHref(next.id)}?play=1`,
        'aria-label': `${resuming ? 'Resume' : 'Play'} ${spokenEpisode(next.season, next.episode)}: ${next.name}`,
      },
      icon('play'),
      `${resuming ? 'Resume' : 'Play'} ${episodeCode(next.season, next.episode)}`,
      resuming && next.progress ? h('span', { class: 'btn-sub' }, timeLeft(next.progress)) : null,
    )
  }
  // Every episode watched: start again from the first.
  return first
    ? h(
        'a',
        { class: 'btn btn-lg', href: `${movieHref(first.id)}?play=1` },
        icon('retry'),
        `Watch again from ${episodeCode(first.season ?? 1, first.episode ?? 1)}`,
      )
    : null
}

function hero(series: SeriesDetail, user: User | null): HTMLElement {
  const src = posterSrc(series)
  const canEdit = user && (user.role === 'admin' || user.id === series.owner?.id)
  const allWatched =
    series.episodes.length > 0 && series.episodes.every((e) => e.progress?.watched && !e.progress.inProgress)
  return h(
    'header',
    { class: 'series-hero' },
    h(
      'div',
      { class: 'series-poster' },
      src ? h('img', { src, alt: '', decoding: 'async', fetchpriority: 'high' }) : placeholder(series),
    ),
    h(
      'div',
      { class: 'series-info' },
      h('p', { class: 'eyebrow' }, icon('layers'), 'Series'),
      h('h1', { id: 'series-title' }, series.name),
      h(
        'p',
        { class: 'movie-meta' },
        h('span', null, seriesSize(series)),
        allWatched ? h('span', { class: 'ok-text' }, 'All watched') : null,
        series.owner ? h('span', null, `by ${series.owner.username}`) : null,
        canEdit
          ? h('span', null, h('a', { href: `/admin/series?edit=${encodeURIComponent(series.id)}` }, 'Edit'))
          : null,
      ),
      series.description
        ? h('p', { class: 'movie-description series-description' }, series.description)
        : null,
      h(
        'div',
        { class: 'series-actions', id: 'series-actions' },
        playButton(series),
        watchlistButton(series, 'full'),
      ),
    ),
  )
}

function episodeRow(movie: Movie, user: User | null): HTMLLIElement {
  const p = movie.progress
  const code = episodeCode(movie.season ?? 1, movie.episode ?? 0)
  const watched = Boolean(p?.watched && !p.inProgress)
  const thumb = h(
    'a',
    {
      class: 'episode-thumb',
      href: movieHref(movie.id),
      tabindex: '-1',
      'aria-hidden': 'true',
    },
    posterImage(movie),
    h('div', { class: 'thumb-play' }, icon('play')),
    movie.duration ? h('span', { class: 'thumb-duration' }, formatDuration(movie.duration)) : null,
    p && (p.inProgress || p.watched) ? progressBar(p) : null,
  )
  const facts = [
    movie.duration ? h('span', null, formatDuration(movie.duration)) : null,
    p?.inProgress ? h('span', { class: 'accent-text' }, timeLeft(p)) : null,
    watched ? h('span', { class: 'ok-text' }, icon('check'), 'Watched') : null,
    movie.status !== 'ready' ? h('span', { class: 'badge badge-draft' }, movie.status) : null,
    movie.publishedAt ? h('span', null, formatDate(movie.publishedAt)) : null,
  ]
  return h(
    'li',
    { class: 'episode-row', 'data-movie-id': movie.id, 'data-watched': watched ? '' : null },
    thumb,
    h(
      'div',
      { class: 'episode-text' },
      h(
        'h3',
        { class: 'episode-title' },
        h(
          'a',
          {
            href: movieHref(movie.id),
            'aria-label': `${spokenEpisode(movie.season ?? 1, movie.episode ?? 0)}: ${movie.name}${
              movie.duration ? `, ${spokenDuration(movie.duration)}` : ''
            }${spokenProgress(p)}`,
          },
          h('span', { class: 'episode-code' }, code),
          h('span', null, movie.name),
        ),
      ),
      h('p', { class: 'episode-facts' }, facts),
      movie.description ? h('p', { class: 'episode-description' }, movie.description) : null,
    ),
    user && movie.status === 'ready' ? h('div', { class: 'episode-actions' }, watchedButton(movie, p)) : null,
    watched ? h('span', { class: 'visually-hidden' }, ', watched') : null,
    watched ? h('div', { class: 'episode-watched', 'aria-hidden': 'true' }, watchedMark()) : null,
  )
}

/** Seasons as tabs (arrow keys move between them), or one list when there is one season. */
function episodes(series: SeriesDetail, user: User | null): HTMLElement {
  const bySeason = new Map<number, Movie[]>()
  for (const e of series.episodes) {
    const s = e.season ?? 1
    bySeason.set(s, [...(bySeason.get(s) ?? []), e])
  }
  const seasons = [...bySeason.keys()].sort((a, b) => (a === 0 ? 1 : b === 0 ? -1 : a - b))
  const list = (items: Movie[], label: string) =>
    h(
      'ol',
      { class: 'episode-list', 'aria-label': label },
      items.map((m) => episodeRow(m, user)),
    )

  if (series.episodes.length === 0) {
    return stateBlock({
      icon: 'film',
      title: 'No episodes yet',
      text: 'Episodes appear here as soon as they are published.',
    })
  }
  if (seasons.length === 1) {
    return h(
      'section',
      { class: 'episodes', 'aria-labelledby': 'episodes-title' },
      h('h2', { id: 'episodes-title' }, 'Episodes'),
      list(series.episodes, 'Episodes'),
    )
  }

  const asked = Number(new URLSearchParams(location.search).get('season'))
  const initial = seasons.includes(asked) ? asked : (series.next?.season ?? seasons[0]!)
  const tabs: HTMLButtonElement[] = []
  const panels: HTMLElement[] = []
  function select(season: number, focus = false) {
    for (const [i, s] of seasons.entries()) {
      const on = s === season
      tabs[i]!.setAttribute('aria-selected', String(on))
      tabs[i]!.tabIndex = on ? 0 : -1
      panels[i]!.hidden = !on
      if (on && focus) tabs[i]!.focus()
    }
    const url = new URL(location.href)
    url.searchParams.set('season', String(season))
    history.replaceState(history.state, '', url)
  }
  for (const s of seasons) {
    const items = bySeason.get(s)!
    const watched = items.filter((e) => e.progress?.watched).length
    tabs.push(
      h(
        'button',
        {
          type: 'button',
          role: 'tab',
          id: `season-tab-${s}`,
          'aria-controls': `season-panel-${s}`,
          onclick: () => select(s),
        },
        seasonName(s),
        h('span', { class: 'tab-count' }, watched ? `${watched}/${items.length}` : String(items.length)),
      ),
    )
    panels.push(
      h(
        'div',
        { role: 'tabpanel', id: `season-panel-${s}`, 'aria-labelledby': `season-tab-${s}`, tabindex: '0' },
        list(items, seasonName(s)),
      ),
    )
  }
  const tablist = h('div', { class: 'season-tabs', role: 'tablist', 'aria-label': 'Seasons' }, tabs)
  tablist.addEventListener('keydown', (e) => {
    const i = tabs.indexOf(document.activeElement as HTMLButtonElement)
    if (i < 0) return
    const to = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: seasons.length - 1 }[e.key]
    if (to === undefined) return
    e.preventDefault()
    select(seasons[(to + seasons.length) % seasons.length]!, true)
  })
  select(initial)
  return h(
    'section',
    { class: 'episodes', 'aria-labelledby': 'episodes-title' },
    h('h2', { id: 'episodes-title', class: 'visually-hidden' }, 'Episodes'),
    tablist,
    panels,
  )
}

async function fetchSeries(): Promise<SeriesDetail> {
  return call(api.series[':id'].$get({ param: { id } }))
}

async function show(): Promise<void> {
  loading()
  const userPromise = currentUser()
  let series: SeriesDetail
  try {
    series = await fetchSeries()
  } catch (err) {
    const user = await userPromise
    if (needsSignIn(err)) return sendToSignIn(main)
    if (err instanceof ApiError && (err.status === 404 || err.status === 422)) {
      document.title = 'Series not found · anime-die-heart'
      return failed(
        'Series not found',
        user
          ? 'It may have been deleted, or none of its episodes is published yet.'
          : 'It may have been deleted or have nothing published yet. If it is yours, sign in to see it.',
        [
          h('a', { class: 'btn btn-primary', href: '/' }, 'Browse the catalog'),
          user ? null : h('a', { class: 'btn', href: signInHref() }, 'Sign in'),
        ].filter((x): x is HTMLAnchorElement => x !== null),
      )
    }
    return failed('The series could not be loaded', errorMessage(err), [retryButton(() => void show())], true)
  }
  const user = await userPromise
  document.title = `${series.name} · anime-die-heart`
  mount(main, back(), hero(series, user), episodes(series, user))

  // A row marked watched or unwatched: its marks follow, and so does "Play S1 · E3".
  main.addEventListener('watched-change', async (e) => {
    const row = (e.target as HTMLElement).closest<HTMLLIElement>('.episode-row')
    try {
      const fresh = await fetchSeries()
      const movie = fresh.episodes.find((m) => m.id === row?.dataset.movieId)
      if (row && movie) {
        const focusWasIn = row.contains(document.activeElement)
        const next = episodeRow(movie, user)
        row.replaceWith(next)
        if (focusWasIn) next.querySelector<HTMLElement>('.watched-btn')?.focus()
      }
      document
        .getElementById('series-actions')
        ?.replaceChildren(
          ...[playButton(fresh), watchlistButton(fresh, 'full')].filter((x): x is HTMLElement => x !== null),
        )
    } catch (err) {
      // The mark itself is saved; only the rest of the page is behind.
      toast(`Saved, but the episode list could not be refreshed: ${errorMessage(err)}`, 'error', {
        action: { label: 'Reload', onClick: () => location.reload() },
      })
    }
  })
}

await show()
