/**
 * The rows of an admin table, loaded a page at a time behind a "Load more" button and loaded
 * again from the top when the filters change; a failed page says so with a Retry. Also the
 * `?edit=<id>` deep link the catalog's pages use to open an item's editor here.
 * @module
 */
import { errorMessage } from '../../api.ts'
import { retryNotice } from '../../ui/blocks.ts'
import { h, mount } from '../../ui/dom.ts'
import { toast } from '../../ui/toast.ts'

export interface Page<T> {
  items: T[]
  nextCursor: string | null
}

export interface PagedRows {
  /** The "Load more" row, to place under the table. */
  moreRow: HTMLElement
  /** Loads the next page. */
  load(): Promise<void>
  /** Forgets every row and loads the first page again (the filters changed). */
  restart(): Promise<void>
}

export function pagedRows<T extends { id: string }>(opts: {
  /** What the table lists, capitalised, for the error: "Movies could not be loaded". */
  what: string
  tbody: HTMLElement
  wrap: HTMLElement
  status: HTMLElement
  rows: Map<string, HTMLElement>
  row(item: T): HTMLElement
  /** Shows the empty state (nothing at all, or nothing matches). */
  empty(): void
  page(cursor: string | null, signal: AbortSignal): Promise<Page<T>>
}): PagedRows {
  let cursor: string | null = null
  let abort = new AbortController()
  const more = h('button', { type: 'button', class: 'btn', onclick: () => void load() }, 'Load more')
  const moreRow = h('div', { class: 'load-more', hidden: true }, more)

  async function load() {
    const { signal } = abort
    more.disabled = true
    try {
      const page = await opts.page(cursor, signal)
      if (signal.aborted) return
      opts.tbody.append(...page.items.map(opts.row))
      cursor = page.nextCursor
      moreRow.hidden = !page.nextCursor
      if (opts.rows.size === 0) opts.empty()
      else {
        opts.wrap.hidden = false
        mount(opts.status)
      }
    } catch (err) {
      if (signal.aborted) return
      mount(
        opts.status,
        retryNotice(`${opts.what} could not be loaded: ${errorMessage(err)}`, () => void load()),
      )
    } finally {
      more.disabled = false
    }
  }

  async function restart() {
    abort.abort()
    abort = new AbortController()
    cursor = null
    opts.rows.clear()
    opts.tbody.replaceChildren()
    await load()
  }

  return { moreRow, load, restart }
}

/**
 * Opens the editor of the item named by `?edit=<id>` (the link a catalog page's "Edit" follows),
 * adding its row first if the loaded pages do not have it, and takes the parameter off the URL.
 */
export async function editFromLink<T extends { id: string }>(opts: {
  get(id: string): Promise<T>
  rows: Map<string, HTMLElement>
  tbody: HTMLElement
  row(item: T): HTMLElement
  edit(item: T): Promise<void>
}): Promise<void> {
  const id = new URLSearchParams(location.search).get('edit')
  if (!id) return
  history.replaceState(null, '', location.pathname)
  try {
    const item = await opts.get(id)
    if (!opts.rows.has(item.id)) opts.tbody.prepend(opts.row(item))
    await opts.edit(item)
  } catch (err) {
    toast(errorMessage(err), 'error')
  }
}
