/**
 * My list: the movies and series a signed-in viewer put aside, newest added first, a page at a
 * time. Taking one off leaves its card in place, dimmed, with "Undo", so a slip of the finger is
 * one tap to mend; it is gone on the next visit.
 * @module
 */
import { ApiError, api, call, errorMessage, type WatchlistItem } from '../api.ts'
import { retryButton, stateBlock } from '../ui/blocks.ts'
import { h, mount } from '../ui/dom.ts'
import { formatAgo } from '../ui/format.ts'
import { movieCard } from '../ui/movie-card.ts'
import { currentUser, initShell } from '../ui/shell.ts'
import { decorateMovieCard, seriesCard, skeletonCards } from '../viewer/cards.ts'
import { needsSignIn, sendToSignIn } from '../viewer/sign-in-gate.ts'
import { onWatchlistChange } from '../viewer/watchlist-button.ts'

const PAGE_SIZE = 24

const main = initShell('list')
document.title = 'My list · anime-die-heart'

const count = h('p', { class: 'result-count', role: 'status', 'aria-live': 'polite' })
const grid = h('ul', { class: 'grid', id: 'list-grid', 'aria-label': 'My list', 'aria-busy': 'false' })
const status = h('div', { class: 'catalog-status' })
const moreButton = h('button', { type: 'button', class: 'btn', onclick: () => void loadPage() }, 'Load more')
const more = h('div', { class: 'load-more', hidden: true }, moreButton)
const sentinel = h('div', { 'aria-hidden': 'true' })
const state = {
  cursor: null as string | null,
  loading: false,
  done: false,
  shown: 0,
  removed: new Set<string>(),
}

function card(item: WatchlistItem): HTMLLIElement {
  const li =
    item.kind === 'movie'
      ? decorateMovieCard(movieCard(item.movie, { showOwner: false }), item.movie)
      : seriesCard(item.series)
  const id = item.kind === 'movie' ? item.movie.id : item.series.id
  li.dataset.itemId = id
  li.querySelector('.card-meta')?.append(h('span', { class: 'added' }, ` · added ${formatAgo(item.addedAt)}`))
  return li
}

function updateCount() {
  const n = state.shown - state.removed.size
  count.textContent = state.shown === 0 ? '' : `${n}${state.done ? '' : '+'} on your list`
}

function emptyState() {
  return stateBlock({
    icon: 'bookmark',
    title: 'Your list is empty',
    text: 'Press the bookmark on any movie or series to keep it here for later. Series stay as one entry, and their next episode is always one tap away.',
    actions: [h('a', { class: 'btn btn-primary', href: '/' }, 'Browse the catalog')],
  })
}

async function loadPage(): Promise<void> {
  if (state.loading || state.done) return
  state.loading = true
  const placeholders = skeletonCards(state.cursor === null ? 8 : 4)
  grid.append(...placeholders)
  grid.setAttribute('aria-busy', 'true')
  mount(status)
  more.hidden = true
  try {
    const page = await call(
      api.me.watchlist.$get({ query: { limit: String(PAGE_SIZE), cursor: state.cursor ?? undefined } }),
    )
    for (const p of placeholders) p.remove()
    grid.append(...page.items.map(card))
    state.shown += page.items.length
    state.cursor = page.nextCursor
    state.done = !page.nextCursor
    if (state.shown === 0) mount(status, emptyState())
    more.hidden = state.done
  } catch (err) {
    for (const p of placeholders) p.remove()
    if (needsSignIn(err))
      return sendToSignIn(main, 'Sign in to see the movies and series you keep for later.')
    const offline = err instanceof ApiError && err.status === 0
    mount(
      status,
      stateBlock({
        icon: offline ? 'wifiOff' : 'alert',
        title: offline ? 'You seem to be offline' : 'Your list could not be loaded',
        text: errorMessage(err),
        error: true,
        actions: [retryButton(() => void loadPage())],
      }),
    )
  } finally {
    state.loading = false
    grid.setAttribute('aria-busy', 'false')
    updateCount()
    requestAnimationFrame(() => nearEnd() && void loadPage())
  }
}

// Off the list: the card stays, dimmed, and its own button (now "Add") is the Undo.
onWatchlistChange(({ id, on }) => {
  const li = grid.querySelector<HTMLElement>(`[data-item-id="${CSS.escape(id)}"]`)
  if (!li) return
  li.toggleAttribute('data-removed', !on)
  if (on) state.removed.delete(id)
  else state.removed.add(id)
  updateCount()
})

const SCROLL_AHEAD = 600
const nearEnd = () =>
  !state.done && state.shown > 0 && sentinel.getBoundingClientRect().top < innerHeight + SCROLL_AHEAD
new IntersectionObserver(() => nearEnd() && void loadPage(), { rootMargin: `${SCROLL_AHEAD}px 0px` }).observe(
  sentinel,
)

const user = await currentUser()
mount(
  main,
  h(
    'div',
    { class: 'page-head' },
    h('div', null, h('h1', null, 'My list'), h('p', null, 'What you keep for later, newest added first.')),
    count,
  ),
  grid,
  sentinel,
  status,
  more,
)
if (!user) sendToSignIn(main, 'Sign in to see the movies and series you keep for later.')
else await loadPage()
