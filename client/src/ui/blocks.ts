/** Building blocks several pages share: page heading, empty/error states, notices, data tables. @module */
import { type Child, h } from './dom.ts'
import { type IconName, icon } from './icons.ts'

export function pageHead(title: string, subtitle: string, subtitleId?: string): HTMLElement {
  return h(
    'div',
    { class: 'page-head' },
    h('div', null, h('h1', null, title), h('p', { id: subtitleId ?? null }, subtitle)),
  )
}

export interface StateOptions {
  icon: IconName
  title: string
  text: string
  actions?: Child[]
  /** An error: announced at once and drawn in the error colour. */
  error?: boolean
  /** A success (something finished): the icon is drawn in the success colour. */
  success?: boolean
  /** The page's main heading (h1) rather than a section's (h2). */
  headingLevel?: 1 | 2
}

/** An empty or error state that says what happened and what to do next. */
export function stateBlock(opts: StateOptions): HTMLElement {
  return h(
    'div',
    {
      class: opts.error ? 'state state-error' : opts.success ? 'state state-success' : 'state',
      role: opts.error ? 'alert' : null,
    },
    icon(opts.icon),
    h(opts.headingLevel === 1 ? 'h1' : 'h2', null, opts.title),
    h('p', null, opts.text),
    opts.actions?.length ? h('div', { class: 'actions' }, opts.actions) : null,
  )
}

export function retryButton(onRetry: () => void): HTMLButtonElement {
  return h('button', { type: 'button', class: 'btn btn-primary', onclick: onRetry }, icon('retry'), 'Retry')
}

/** A search input with its (visually hidden) label and the magnifier icon. */
export function searchField(input: HTMLInputElement, label: string): HTMLElement {
  return h(
    'div',
    { class: 'search' },
    h('label', { class: 'visually-hidden', for: input.id }, label),
    icon('search'),
    input,
  )
}

/** A one-line error with a Retry button. */
export function retryNotice(message: string, onRetry: () => void): HTMLElement {
  return h(
    'div',
    { class: 'notice notice-error', role: 'alert' },
    h('span', { style: 'flex: 1' }, message),
    h('button', { type: 'button', class: 'btn btn-sm', onclick: onRetry }, 'Retry'),
  )
}

export interface RowAction {
  label: string
  /** What the button does to which row, for screen readers ("Delete Night train"). */
  ariaLabel: string
  icon?: IconName
  quiet?: boolean
  onClick: () => void
}

/** The cell of row buttons at the end of a data table row. */
export function actionsCell(actions: (RowAction | null)[]): HTMLTableCellElement {
  return h(
    'td',
    { class: 'actions-cell' },
    h(
      'div',
      { class: 'row-actions' },
      actions.map((a) =>
        a
          ? h(
              'button',
              {
                type: 'button',
                class: a.quiet ? 'btn btn-sm btn-ghost' : 'btn btn-sm',
                'aria-label': a.ariaLabel,
                onclick: a.onClick,
              },
              a.icon ? icon(a.icon) : null,
              a.label,
            )
          : null,
      ),
    ),
  )
}

/** A table with a hidden caption and column headers; the last column (actions) has a hidden label. */
export function dataTable(id: string, caption: string, columns: (string | null)[]) {
  const tbody = h('tbody')
  const table = h(
    'table',
    { class: 'data', id },
    h('caption', { class: 'visually-hidden' }, caption),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        columns.map((c) => (c === null ? null : h('th', { scope: 'col' }, c))),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')),
      ),
    ),
    tbody,
  )
  return { table, tbody, wrap: h('div', { class: 'table-wrap' }, table) }
}
