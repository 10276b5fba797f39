/**
 * Admin: series. List (admins see all, uploaders their own), create, rename and describe, replace
 * the poster, delete (its episodes stay in the catalog as movies of their own). Episodes are put
 * into a series from the movie editor or the upload page.
 * @module
 */
import { ApiError, api, call, errorMessage, type Series, sha256Hex, type User } from '../../api.ts'
import { actionsCell, dataTable, searchField, stateBlock } from '../../ui/blocks.ts'
import { confirmDialog, formDialog } from '../../ui/dialog.ts'
import { debounce, h, mount } from '../../ui/dom.ts'
import { formatAgo } from '../../ui/format.ts'
import { icon } from '../../ui/icons.ts'
import { posterImage } from '../../ui/poster.ts'
import { failureToast, toast } from '../../ui/toast.ts'
import { seriesHref, seriesSize } from '../../viewer/cards.ts'
import { itemActions, posterPicker } from './item-actions.ts'
import { editFromLink, pagedRows } from './paged-rows.ts'

const PAGE = 25

async function putSeriesPoster(id: string, file: Blob): Promise<Series> {
  const bytes = new Uint8Array(await file.arrayBuffer())
  return call(
    api.series[':id'].poster.$put(
      { param: { id } },
      {
        headers: { 'content-type': file.type || 'image/jpeg', 'x-content-sha256': await sha256Hex(bytes) },
        init: { body: bytes },
      },
    ),
  )
}

export async function renderSeries(body: HTMLElement, user: User): Promise<void> {
  const isAdmin = user.role === 'admin'
  const state = { q: '' }
  const rows = new Map<string, HTMLTableRowElement>()
  const search = h('input', {
    type: 'search',
    id: 'admin-series-search',
    placeholder: 'Search series',
    autocomplete: 'off',
  })
  const { tbody, wrap } = dataTable('admin-series', isAdmin ? 'All series' : 'Your series', [
    'Series',
    'Episodes',
    isAdmin ? 'Owner' : null,
    'Latest',
  ])
  const status = h('div')
  const paged = pagedRows<Series>({
    what: 'Series',
    tbody,
    wrap,
    status,
    rows,
    row: (series) => row(series),
    empty: () => empty(),
    page: (cursor, signal) =>
      call(
        api.series.$get(
          {
            query: {
              limit: String(PAGE),
              cursor: cursor ?? undefined,
              q: state.q.trim() || undefined,
              mine: isAdmin ? undefined : 'true',
            },
          },
          { init: { signal } },
        ),
      ),
  })
  const posters = posterPicker<Series>(async (series, jpeg) =>
    replace(await putSeriesPoster(series.id, jpeg)),
  )

  mount(
    body,
    h(
      'div',
      { class: 'filters' },
      searchField(search, 'Search series'),
      h(
        'button',
        { type: 'button', class: 'btn btn-primary', onclick: () => void edit(null) },
        icon('plus'),
        'New series',
      ),
    ),
    wrap,
    status,
    paged.moreRow,
    posters.input,
  )

  function row(series: Series): HTMLTableRowElement {
    const tr = h(
      'tr',
      { 'data-series-id': series.id },
      h(
        'td',
        { class: 'wide' },
        h(
          'div',
          { class: 'cell-movie' },
          h('div', { class: 'mini-thumb' }, posterImage(series)),
          h(
            'div',
            null,
            h('a', { href: seriesHref(series.id), class: 'movie-name' }, series.name),
            h(
              'div',
              { class: 'cell-sub' },
              series.description || h('span', { class: 'muted' }, 'No description'),
            ),
          ),
        ),
      ),
      h('td', { 'data-label': 'Episodes', class: 'num' }, seriesSize(series)),
      isAdmin
        ? h(
            'td',
            { 'data-label': 'Owner' },
            series.owner?.username ?? h('span', { class: 'muted' }, 'deleted user'),
          )
        : null,
      h('td', { 'data-label': 'Latest', class: 'num' }, formatAgo(series.activityAt)),
      actionsCell(
        itemActions(series.name, {
          edit: () => void edit(series),
          poster: () => posters.pick(series),
          remove: () => void remove(series),
        }),
      ),
    )
    rows.set(series.id, tr)
    return tr
  }

  function replace(series: Series) {
    const old = rows.get(series.id)
    const fresh = row(series)
    if (old) old.replaceWith(fresh)
    else {
      tbody.prepend(fresh)
      wrap.hidden = false
      mount(status)
    }
  }

  async function edit(series: Series | null) {
    const name = h('input', {
      type: 'text',
      id: 'series-name',
      value: series?.name ?? '',
      required: true,
      maxlength: 200,
      autocomplete: 'off',
    })
    const description = h('textarea', { id: 'series-description', maxlength: 5000, rows: 5 })
    description.value = series?.description ?? ''
    const nameError = h('span', { class: 'error-text', id: 'series-name-error' })
    await formDialog({
      title: series ? 'Edit series' : 'New series',
      submitLabel: series ? 'Save changes' : 'Create series',
      fields: [
        h('div', { class: 'field' }, h('label', { for: 'series-name' }, 'Name'), name, nameError),
        h(
          'div',
          { class: 'field' },
          h('label', { for: 'series-description' }, 'Description'),
          description,
          h('span', { class: 'hint' }, 'Shown on the series page.'),
        ),
        series
          ? null
          : h(
              'p',
              { class: 'hint' },
              'Then put episodes in it: from the upload page, or with Edit on a movie in Movies.',
            ),
      ],
      onSubmit: async () => {
        const json = { name: name.value.trim(), description: description.value }
        try {
          const saved = series
            ? await call(api.series[':id'].$patch({ param: { id: series.id }, json }))
            : await call(api.series.$post({ json }))
          replace(saved)
          toast(series ? `Saved “${saved.name}”.` : `Created “${saved.name}”.`, 'ok')
        } catch (err) {
          const msg = err instanceof ApiError ? err.fieldError('name') : undefined
          nameError.textContent = msg ?? ''
          if (msg) name.setAttribute('aria-invalid', 'true')
          throw err
        }
      },
    })
  }

  async function remove(series: Series) {
    const ok = await confirmDialog({
      title: `Delete “${series.name}”?`,
      body: h(
        'p',
        null,
        `The series goes; its ${series.episodeCount === 1 ? 'episode stays' : `${series.episodeCount} episodes stay`} in the catalog as movies of their own. Nothing is deleted from the server but the series and its poster.`,
      ),
      confirmLabel: 'Delete series',
      danger: true,
    })
    if (ok) await deleteSeries(series)
  }

  async function deleteSeries(series: Series) {
    try {
      await call(api.series[':id'].$delete({ param: { id: series.id } }))
      rows.get(series.id)?.remove()
      rows.delete(series.id)
      if (rows.size === 0) empty()
      toast(`Deleted “${series.name}”; its episodes are movies again.`, 'ok')
    } catch (err) {
      failureToast(`“${series.name}” was not deleted: ${errorMessage(err)}`, () => void deleteSeries(series))
    }
  }

  function empty() {
    wrap.hidden = true
    mount(
      status,
      stateBlock({
        icon: 'layers',
        title: state.q ? 'No series match' : 'No series yet',
        text: state.q
          ? 'Change the search.'
          : 'A series gathers episodes under one card in the catalog, with seasons and “next episode”.',
        actions: [
          h(
            'button',
            { type: 'button', class: 'btn btn-primary', onclick: () => void edit(null) },
            icon('plus'),
            'New series',
          ),
        ],
      }),
    )
  }

  search.addEventListener(
    'input',
    debounce(() => {
      state.q = search.value
      void paged.restart()
    }, 250),
  )
  await paged.load()

  // Deep link from a series page: /admin/series?edit=<id>
  await editFromLink<Series>({
    get: (id) => call(api.series[':id'].$get({ param: { id } })),
    rows,
    tbody,
    row,
    edit,
  })
}
