/**
 * The add-to / remove-from "My list" button of a movie or a series, on cards and pages. It answers
 * at once (optimistic): the server is told afterwards, and a refusal puts the button back and says
 * why in a toast. Every button of the same item on the page follows, and pages can listen for
 * changes (`onWatchlistChange`), e.g. My list marking a card removed.
 * @module
 */
import { api, call, errorMessage } from '../api.ts'
import { h, mount } from '../ui/dom.ts'
import { icon } from '../ui/icons.ts'
import { failureToast } from '../ui/toast.ts'

export interface ListItem {
  id: string
  name: string
  /** null for anonymous callers: they have no list, so no button. */
  inWatchlist: boolean | null
}

const EVENT = 'adh:watchlist'

interface Change {
  id: string
  on: boolean
}

/** What the server last confirmed, and the latest request per item (older answers are ignored). */
const confirmed = new Map<string, boolean>()
const latest = new Map<string, number>()
let requests = 0

function render(button: HTMLButtonElement, on: boolean) {
  const name = button.dataset.listName ?? ''
  const full = button.dataset.variant === 'full'
  button.setAttribute('aria-pressed', String(on))
  button.setAttribute('aria-label', on ? `Remove ${name} from My list` : `Add ${name} to My list`)
  button.title = on ? 'Remove from My list' : 'Add to My list'
  mount(
    button,
    icon(on ? 'bookmarked' : 'bookmark'),
    full ? h('span', null, on ? 'In My list' : 'My list') : null,
  )
}

/** Shows `on` on every button of the item and tells whoever listens. */
function show(id: string, on: boolean) {
  for (const b of document.querySelectorAll<HTMLButtonElement>(`[data-list-id="${CSS.escape(id)}"]`)) {
    render(b, on)
  }
  document.dispatchEvent(new CustomEvent<Change>(EVENT, { detail: { id, on } }))
}

async function toggle(item: ListItem, on: boolean): Promise<void> {
  const mine = ++requests
  latest.set(item.id, mine)
  show(item.id, on)
  const param = { param: { id: item.id } }
  try {
    if (on) await call(api.me.watchlist[':id'].$put(param))
    else await call(api.me.watchlist[':id'].$delete(param))
    confirmed.set(item.id, on)
  } catch (err) {
    if (latest.get(item.id) !== mine) return
    show(item.id, confirmed.get(item.id) ?? !on)
    failureToast(
      `${on ? 'Could not add' : 'Could not remove'} “${item.name}” ${on ? 'to' : 'from'} My list: ${errorMessage(err)}`,
      () => void toggle(item, on),
    )
  }
}

/**
 * The button, or null for anonymous callers. `icon`: a round button over a poster; `full`: a
 * labelled button ("My list" / "In My list") for a page's actions.
 */
export function watchlistButton(item: ListItem, variant: 'icon' | 'full' = 'icon'): HTMLButtonElement | null {
  if (item.inWatchlist === null) return null
  if (!latest.has(item.id)) confirmed.set(item.id, item.inWatchlist)
  const button = h('button', {
    type: 'button',
    class: variant === 'full' ? 'btn list-btn-full' : 'list-btn',
    'data-list-id': item.id,
    'data-list-name': item.name,
    'data-variant': variant,
    onclick: (e: MouseEvent) => {
      e.preventDefault()
      e.stopPropagation()
      void toggle(item, button.getAttribute('aria-pressed') !== 'true')
    },
  })
  render(button, confirmed.get(item.id) ?? item.inWatchlist)
  return button
}

/** Calls `fn` whenever a list button changes state (at once, and again on a rollback). */
export function onWatchlistChange(fn: (change: Change) => void): void {
  document.addEventListener(EVENT, (e) => fn((e as CustomEvent<Change>).detail))
}
