/**
 * The catalog's rows above the movies: "Continue watching" for a signed-in viewer, and the series
 * (one card each). Each loads on its own; the page is complete without them, so a failure is a
 * quiet notice with Retry in the row, never an error page.
 * @module
 */
import { ApiError, api, call, errorMessage, type Series } from '../api.ts'
import { retryNotice } from '../ui/blocks.ts'
import { h, mount } from '../ui/dom.ts'
import { continueCard, seriesCard, skeletonCards } from './cards.ts'

const CONTINUE_LIMIT = 20
const SERIES_PAGE = 12

function section(id: string, title: string, ...children: HTMLElement[]) {
  const el = h(
    'section',
    { class: 'catalog-row', id, 'aria-labelledby': `${id}-title`, hidden: true },
    h('div', { class: 'row-head' }, h('h2', { id: `${id}-title` }, title)),
    ...children,
  )
  return el
}

export interface CatalogRow {
  element: HTMLElement
}

/** "Continue watching": movies to resume and each series' next episode, most recent first. */
export function createContinueRow(): CatalogRow & { load(): Promise<void> } {
  const rail = h('ul', { class: 'rail', 'aria-label': 'Continue watching' })
  const status = h('div')
  const element = section('continue', 'Continue watching', rail, status)

  async function load(): Promise<void> {
    element.hidden = false
    rail.replaceChildren(...skeletonCards(4, 'skeleton-card continue-item'))
    rail.setAttribute('aria-busy', 'true')
    mount(status)
    try {
      const { items } = await call(api.me.continue.$get({ query: { limit: String(CONTINUE_LIMIT) } }))
      rail.replaceChildren(...items.map(continueCard))
      element.hidden = items.length === 0
    } catch (err) {
      rail.replaceChildren()
      // Signed out meanwhile: no row rather than an error about it.
      if (err instanceof ApiError && err.status === 401) element.hidden = true
      else mount(status, retryNotice(`Continue watching could not be loaded: ${errorMessage(err)}`, load))
    } finally {
      rail.setAttribute('aria-busy', 'false')
    }
  }
  return { element, load }
}

/** The series, newest activity first, or those whose name matches a search; "More series" pages. */
export function createSeriesShelf(): CatalogRow & {
  /** Loads the first page for `q`; resolves with how many series were found on it. */
  load(q: string, signal: AbortSignal): Promise<number>
} {
  const grid = h('ul', { class: 'grid', id: 'series-grid', 'aria-label': 'Series' })
  const status = h('div')
  const more = h('button', { type: 'button', class: 'btn' }, 'More series')
  const moreRow = h('div', { class: 'load-more', hidden: true }, more)
  const element = section('series', 'Series', grid, status, moreRow)
  let cursor: string | null = null
  let query = ''
  let signal = new AbortController().signal

  async function page(first: boolean): Promise<number> {
    const mine = signal
    more.disabled = true
    // Stand-ins only where series were shown already: a catalog without series never flashes a row.
    if (first && !element.hidden) grid.replaceChildren(...skeletonCards(4))
    try {
      const result = await call(
        api.series.$get(
          { query: { limit: String(SERIES_PAGE), q: query || undefined, cursor: cursor ?? undefined } },
          { init: { signal: mine } },
        ),
      )
      if (mine.aborted) return 0
      const cards = result.items.map((s: Series) => seriesCard(s))
      if (first) grid.replaceChildren(...cards)
      else grid.append(...cards)
      cursor = result.nextCursor
      moreRow.hidden = !cursor
      mount(status)
      element.hidden = grid.childElementCount === 0
      return result.items.length
    } catch (err) {
      if (mine.aborted) return 0
      if (first) grid.replaceChildren()
      element.hidden = false
      mount(
        status,
        retryNotice(`Series could not be loaded: ${errorMessage(err)}`, () => void page(first)),
      )
      if (err instanceof ApiError && err.status === 401) throw err
      return 0
    } finally {
      more.disabled = false
    }
  }

  more.addEventListener('click', () => void page(false))
  return {
    element,
    load(q, abort) {
      query = q.trim()
      signal = abort
      cursor = null
      return page(true)
    },
  }
}
