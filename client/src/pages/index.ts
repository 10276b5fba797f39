/**
 * The catalog (home page): "Continue watching" for a signed-in viewer, the series (one card
 * each), then a grid of the movies that are not episodes, with server-side full-text search (over
 * series and every movie, episodes included), sort, and infinite scroll. Signed-in uploaders and
 * admins also see drafts and inactive movies, marked as such.
 * @module
 */
import { canonicalLanguage, languageName } from '../../../server/lib/languages.ts'
import { ApiError, errorMessage, listMovies, type MovieQuery, type MovieSummary, type User } from '../api.ts'
import { pageHead, retryButton, searchField, stateBlock } from '../ui/blocks.ts'
import { debounce, h, mount } from '../ui/dom.ts'
import { icon } from '../ui/icons.ts'
import { movieCard } from '../ui/movie-card.ts'
import { currentUser, initShell, signInHref } from '../ui/shell.ts'
import { decorateMovieCard, skeletonCards } from '../viewer/cards.ts'
import { createContinueRow, createSeriesShelf } from '../viewer/catalog-rows.ts'
import { needsSignIn, sendToSignIn } from '../viewer/sign-in-gate.ts'

type Sort = NonNullable<MovieQuery['sort']>
const PAGE_SIZE = 24
const SORTS: [Sort, string][] = [
  ['newest', 'Newest first'],
  ['oldest', 'Oldest first'],
  ['name', 'Name A–Z'],
]

/** Languages the catalog's filters offer (anything else works in the URL: ?audio=tr). */
const LANGUAGES = ['ja', 'en', 'es', 'fr', 'de', 'it', 'pt', 'ru', 'zh', 'ko']

const main = initShell('catalog')
document.title = 'Catalog · anime-die-heart'

const params = new URLSearchParams(location.search)
const state = {
  q: params.get('q') ?? '',
  sort: (SORTS.some(([s]) => s === params.get('sort')) ? params.get('sort') : 'newest') as Sort,
  audio: canonicalLanguage(params.get('audio')) ?? '',
  subtitles: canonicalLanguage(params.get('subtitles')) ?? '',
  cursor: null as string | null,
  loading: false,
  done: false,
  count: 0,
  /** Each new query gets a fresh controller, so a slow old answer never overwrites a newer one. */
  abort: new AbortController(),
  user: null as User | null,
}

const searchInput = h('input', {
  type: 'search',
  id: 'catalog-search',
  name: 'q',
  placeholder: 'Search by name or description',
  autocomplete: 'off',
  spellcheck: false,
  value: state.q,
  'aria-controls': 'catalog-grid',
  enterkeyhint: 'search',
})
const sortSelect = h(
  'select',
  { id: 'catalog-sort', 'aria-label': 'Sort movies' },
  SORTS.map(([value, label]) => h('option', { value, selected: value === state.sort }, label)),
)
/** A filter by audio or subtitle language. */
function languageSelect(id: string, label: string, any: string, chosen: string) {
  const tags = chosen && !LANGUAGES.includes(chosen) ? [...LANGUAGES, chosen] : LANGUAGES
  return h(
    'select',
    { id, 'aria-label': label },
    h('option', { value: '' }, any),
    tags.map((tag) => h('option', { value: tag, selected: tag === chosen }, languageName(tag))),
  )
}
const audioSelect = languageSelect('catalog-audio', 'Audio language', 'Any audio', state.audio)
const subtitlesSelect = languageSelect(
  'catalog-subtitles',
  'Subtitle language',
  'Any subtitles',
  state.subtitles,
)
const count = h('p', { class: 'result-count', role: 'status', 'aria-live': 'polite' })
const grid = h('ul', { class: 'grid', id: 'catalog-grid', 'aria-label': 'Movies', 'aria-busy': 'false' })
const status = h('div', { class: 'catalog-status' })
const moreButton = h('button', { type: 'button', class: 'btn', onclick: () => void loadPage() }, 'Load more')
const more = h('div', { class: 'load-more', id: 'catalog-more' }, moreButton)
more.hidden = true
const sentinel = h('div', { 'aria-hidden': 'true' })
const continueRow = createContinueRow()
const seriesShelf = createSeriesShelf()
const moviesTitle = h('h2', { id: 'movies-title' }, 'Movies')
moviesTitle.hidden = true

mount(
  main,
  pageHead('Catalog', 'Everything on this server, ready to stream.', 'catalog-subtitle'),
  h(
    'form',
    {
      class: 'toolbar',
      role: 'search',
      onsubmit: (e: Event) => {
        e.preventDefault()
        void reset()
      },
    },
    searchField(searchInput, 'Search movies'),
    sortSelect,
    audioSelect,
    subtitlesSelect,
    count,
  ),
  continueRow.element,
  seriesShelf.element,
  h('div', { class: 'row-head' }, moviesTitle),
  grid,
  sentinel,
  status,
  more,
)

const canUpload = () => state.user !== null && state.user.role !== 'viewer'
/** A search or a language filter: the grid then finds episodes too, and the rows above step aside. */
const narrowed = () => state.q.trim() !== '' || state.audio !== '' || state.subtitles !== ''
/** Series are found by name; a language filter alone (they have no languages) shows none. */
const filteringOnly = () => state.q.trim() === '' && (state.audio !== '' || state.subtitles !== '')
const card = (movie: MovieSummary) => decorateMovieCard(movieCard(movie, { showOwner: canUpload() }), movie)
/** Series found for the current search (or shown without one): the movies' empty state counts them. */
let seriesFound: Promise<number> = Promise.resolve(0)
let shownSeries = 0

/** "Movies" heads the grid only when rows above it need telling apart from it. */
function updateMoviesTitle() {
  moviesTitle.hidden = state.count === 0 || (shownSeries === 0 && continueRow.element.hidden)
}

function emptyState(series: number) {
  const q = state.q.trim()
  if (series > 0) {
    return h(
      'p',
      { class: 'muted' },
      q ? `No single movies or episodes match “${q}”.` : 'No movies outside the series yet.',
    )
  }
  if (q) {
    const clear = () => {
      searchInput.value = ''
      void reset()
      searchInput.focus()
    }
    return stateBlock({
      icon: 'search',
      title: `Nothing matches “${q}”`,
      text: 'Search looks at series names and at movie names and descriptions, word by word. Try fewer or shorter words.',
      actions: [h('button', { type: 'button', class: 'btn', onclick: clear }, 'Clear search')],
    })
  }
  if (filteringOnly()) {
    const clear = () => {
      audioSelect.value = ''
      subtitlesSelect.value = ''
      void reset()
    }
    return stateBlock({
      icon: 'search',
      title: 'Nothing in these languages',
      text: 'No published movie or episode has the audio or subtitle language you chose.',
      actions: [h('button', { type: 'button', class: 'btn', onclick: clear }, 'Clear the language filters')],
    })
  }
  return stateBlock({
    icon: 'film',
    title: 'No movies yet',
    text: canUpload()
      ? 'Upload a video: your browser encodes it for streaming, then it appears here once published.'
      : state.user
        ? 'Nothing has been published here yet. Come back soon: new movies appear here as soon as they are.'
        : 'Nothing has been published here yet. If you run this server, sign in to upload the first movie.',
    actions: [
      canUpload()
        ? h('a', { class: 'btn btn-primary', href: '/upload' }, icon('upload'), 'Upload a movie')
        : state.user
          ? null
          : h('a', { class: 'btn btn-primary', href: signInHref('/upload') }, 'Sign in to upload'),
    ],
  })
}

function errorState(err: unknown) {
  const offline = err instanceof ApiError && err.status === 0
  return stateBlock({
    icon: offline ? 'wifiOff' : 'alert',
    title: offline ? 'You seem to be offline' : 'The catalog could not be loaded',
    text: errorMessage(err),
    error: true,
    actions: [retryButton(() => void loadPage())],
  })
}

function updateCount() {
  const q = state.q.trim()
  const n = `${state.count}${state.done ? '' : '+'}`
  count.textContent =
    state.count === 0
      ? ''
      : q
        ? `${n} result${state.count === 1 ? '' : 's'} for “${q}”`
        : `${n} movie${state.count === 1 ? '' : 's'}`
}

async function loadPage(): Promise<void> {
  if (state.loading || state.done) return
  state.loading = true
  const { signal } = state.abort
  const first = state.cursor === null
  const placeholders = skeletonCards(first ? 8 : 4)
  grid.append(...placeholders)
  grid.setAttribute('aria-busy', 'true')
  mount(status)
  more.hidden = true
  try {
    // Without a search or filter the grid holds what is not in a series; with one it finds episodes too.
    const [page, series] = await Promise.all([
      listMovies(
        {
          limit: PAGE_SIZE,
          cursor: state.cursor,
          q: state.q,
          sort: state.sort,
          standalone: narrowed() ? undefined : 'true',
          ...(state.audio ? { audio: state.audio } : {}),
          ...(state.subtitles ? { subtitles: state.subtitles } : {}),
        },
        signal,
      ),
      // The first page shows with the series above it, not before them.
      first ? seriesFound : 0,
    ])
    if (signal.aborted) return
    for (const p of placeholders) p.remove()
    grid.append(...page.items.map(card))
    state.count += page.items.length
    state.cursor = page.nextCursor
    state.done = !page.nextCursor
    shownSeries = series
    updateMoviesTitle()
    if (state.count === 0) mount(status, emptyState(series))
    more.hidden = state.done
  } catch (err) {
    if (signal.aborted) return
    for (const p of placeholders) p.remove()
    if (needsSignIn(err)) return sendToSignIn(main)
    mount(status, errorState(err))
  } finally {
    if (!signal.aborted) {
      state.loading = false
      grid.setAttribute('aria-busy', 'false')
      updateCount()
      // A tall screen may still show the end of the grid: keep filling it.
      requestAnimationFrame(() => nearEnd() && void loadPage())
    }
  }
}

/** Starts over with the current search and sort, and records them in the URL so it can be shared. */
async function reset(): Promise<void> {
  state.abort.abort()
  state.abort = new AbortController()
  state.q = searchInput.value
  state.sort = sortSelect.value as Sort
  state.audio = audioSelect.value
  state.subtitles = subtitlesSelect.value
  state.cursor = null
  state.done = false
  state.loading = false
  state.count = 0
  grid.replaceChildren()
  if (filteringOnly()) {
    seriesShelf.element.hidden = true
    seriesFound = Promise.resolve(0)
  } else {
    seriesFound = seriesShelf.load(state.q, state.abort.signal).catch(() => 0)
  }
  // While searching, the results are what matters; the row comes back with an empty search.
  continueRow.element.hidden = narrowed() || !state.user
  if (!continueRow.element.hidden) void continueRow.load().then(updateMoviesTitle)
  const url = new URL(location.href)
  url.searchParams.delete('q')
  url.searchParams.delete('sort')
  url.searchParams.delete('audio')
  url.searchParams.delete('subtitles')
  if (state.q.trim()) url.searchParams.set('q', state.q.trim())
  if (state.sort !== 'newest') url.searchParams.set('sort', state.sort)
  if (state.audio) url.searchParams.set('audio', state.audio)
  if (state.subtitles) url.searchParams.set('subtitles', state.subtitles)
  history.replaceState(null, '', url)
  await loadPage()
}

const searchSoon = debounce(() => void reset(), 250)
searchInput.addEventListener('input', searchSoon)
sortSelect.addEventListener('change', () => void reset())
audioSelect.addEventListener('change', () => void reset())
subtitlesSelect.addEventListener('change', () => void reset())
document.addEventListener('keydown', (e) => {
  // "/" jumps to search, as on most sites with one search box.
  if (e.key === '/' && !(e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement)) {
    e.preventDefault()
    searchInput.focus()
  }
})

const SCROLL_AHEAD = 600
const nearEnd = () =>
  !state.done && state.count > 0 && sentinel.getBoundingClientRect().top < innerHeight + SCROLL_AHEAD

// Infinite scroll; the "Load more" button stays for keyboard users and as a fallback.
new IntersectionObserver(() => nearEnd() && void loadPage(), {
  rootMargin: `${SCROLL_AHEAD}px 0px`,
}).observe(sentinel)

state.user = await currentUser()
if (canUpload()) {
  const subtitle = document.getElementById('catalog-subtitle')
  if (subtitle) subtitle.textContent = 'Published movies, plus drafts and inactive movies you can manage.'
}
await reset()
