/**
 * Admin: the movies table. Status, owner, active toggle, edit of name and description,
 * poster replacement, delete with confirmation. Admins see every movie; uploaders their own.
 * @module
 */
import {
  ApiError,
  api,
  call,
  errorMessage,
  listMovies,
  type MovieSummary as Movie,
  type MovieStatus,
  putFile,
  sha256Hex,
  type User,
} from '../../api.ts'
import { actionsCell, dataTable, searchField, stateBlock } from '../../ui/blocks.ts'
import { confirmDialog, formDialog } from '../../ui/dialog.ts'
import { debounce, h, mount } from '../../ui/dom.ts'
import { formatDate, formatDuration } from '../../ui/format.ts'
import { icon } from '../../ui/icons.ts'
import { posterImage } from '../../ui/poster.ts'
import { seriesField } from '../../ui/series-field.ts'
import { toast } from '../../ui/toast.ts'
import { movieEpisodeCode } from '../../viewer/labels.ts'
import { itemActions, posterPicker } from './item-actions.ts'
import { editFromLink, pagedRows } from './paged-rows.ts'

const PAGE = 25

const STATUS_LABEL: Record<MovieStatus, string> = { ready: 'Ready', draft: 'Draft', failed: 'Failed' }

function statusBadge(movie: Movie) {
  return h('span', { class: `badge badge-${movie.status}` }, STATUS_LABEL[movie.status])
}

export async function renderMovies(body: HTMLElement, user: User): Promise<void> {
  const isAdmin = user.role === 'admin'
  const state = { q: '', status: '' as MovieStatus | '' }
  const rows = new Map<string, HTMLTableRowElement>()

  const search = h('input', {
    type: 'search',
    id: 'admin-movie-search',
    placeholder: 'Search movies',
    autocomplete: 'off',
  })
  const statusSelect = h(
    'select',
    { 'aria-label': 'Filter by status', id: 'admin-movie-status' },
    h('option', { value: '' }, 'Any status'),
    h('option', { value: 'ready' }, 'Ready'),
    h('option', { value: 'draft' }, 'Draft'),
    h('option', { value: 'failed' }, 'Failed'),
  )
  const { tbody, wrap } = dataTable('admin-movies', isAdmin ? 'All movies' : 'Your movies', [
    'Movie',
    'Status',
    isAdmin ? 'Owner' : null,
    'Length',
    'Created',
    'Active',
  ])
  const status = h('div')
  const paged = pagedRows<Movie>({
    what: 'Movies',
    tbody,
    wrap,
    status,
    rows,
    row: (movie) => row(movie),
    empty: () => empty(),
    page: (cursor, signal) =>
      listMovies(
        {
          limit: PAGE,
          cursor,
          q: state.q,
          status: state.status || undefined,
          mine: isAdmin ? undefined : 'true',
        },
        signal,
      ),
  })
  const posters = posterPicker<Movie>(async (movie, jpeg) => {
    // A published movie's files never change: its new poster gets a name of its own.
    const name =
      movie.status === 'ready'
        ? `poster-${(await sha256Hex(new Uint8Array(await jpeg.arrayBuffer()))).slice(0, 16)}.jpg`
        : 'poster.jpg'
    await putFile(movie.id, name, jpeg)
    replace(await call(api.movies[':id'].$get({ param: { id: movie.id } })))
  })

  mount(
    body,
    h(
      'div',
      { class: 'filters' },
      searchField(search, 'Search movies'),
      statusSelect,
      h('a', { class: 'btn btn-primary', href: '/upload' }, icon('upload'), 'Upload'),
    ),
    wrap,
    status,
    paged.moreRow,
    posters.input,
  )

  function row(movie: Movie): HTMLTableRowElement {
    const active = h('input', {
      type: 'checkbox',
      role: 'switch',
      checked: movie.active,
      'aria-label': `Active: ${movie.name}`,
      onchange: async () => {
        active.disabled = true
        try {
          const updated = await call(
            api.movies[':id'].$patch({ param: { id: movie.id }, json: { active: active.checked } }),
          )
          replace(updated)
          toast(`“${updated.name}” is now ${updated.active ? 'active' : 'inactive'}.`, 'ok')
        } catch (err) {
          active.checked = !active.checked
          active.disabled = false
          toast(errorMessage(err), 'error')
        }
      },
    })
    const tr = h(
      'tr',
      { 'data-movie-id': movie.id },
      h(
        'td',
        { class: 'wide' },
        h(
          'div',
          { class: 'cell-movie' },
          h('div', { class: 'mini-thumb' }, posterImage(movie)),
          h(
            'div',
            null,
            h('a', { href: `/movies/${encodeURIComponent(movie.id)}`, class: 'movie-name' }, movie.name),
            movie.series
              ? h(
                  'div',
                  { class: 'cell-sub cell-episode' },
                  `${movieEpisodeCode(movie) ?? ''} · `,
                  h('a', { href: `/series/${encodeURIComponent(movie.series.id)}` }, movie.series.name),
                )
              : null,
            h(
              'div',
              { class: 'cell-sub' },
              movie.description || h('span', { class: 'muted' }, 'No description'),
            ),
          ),
        ),
      ),
      h('td', { 'data-label': 'Status' }, statusBadge(movie)),
      isAdmin
        ? h(
            'td',
            { 'data-label': 'Owner' },
            movie.owner?.username ?? h('span', { class: 'muted' }, 'deleted user'),
          )
        : null,
      h(
        'td',
        { 'data-label': 'Length', class: 'num' },
        movie.duration ? formatDuration(movie.duration) : '—',
      ),
      h('td', { 'data-label': 'Created', class: 'num' }, formatDate(movie.createdAt)),
      h('td', { 'data-label': 'Active' }, h('label', { class: 'switch' }, active)),
      actionsCell(
        itemActions(movie.name, {
          edit: () => void edit(movie),
          poster: () => posters.pick(movie),
          remove: () => void remove(movie),
        }),
      ),
    )
    rows.set(movie.id, tr)
    return tr
  }

  function replace(movie: Movie) {
    const old = rows.get(movie.id)
    const fresh = row(movie)
    if (old) old.replaceWith(fresh)
  }

  async function edit(movie: Movie) {
    const name = h('input', {
      type: 'text',
      id: 'edit-name',
      name: 'name',
      value: movie.name,
      required: true,
      maxlength: 200,
    })
    const description = h('textarea', {
      id: 'edit-description',
      name: 'description',
      maxlength: 5000,
      rows: 6,
    })
    description.value = movie.description
    const active = h('input', { type: 'checkbox', id: 'edit-active', checked: movie.active })
    const nameError = h('span', { class: 'error-text', id: 'edit-name-error' })
    const series = seriesField({
      id: 'edit',
      mine: !isAdmin,
      allowCreate: false,
      initial: {
        seriesId: movie.series?.id ?? null,
        seriesName: movie.series?.name,
        season: movie.season,
        episode: movie.episode,
      },
    })
    await formDialog({
      title: 'Edit movie',
      submitLabel: 'Save changes',
      fields: [
        h('div', { class: 'field' }, h('label', { for: 'edit-name' }, 'Name'), name, nameError),
        h('div', { class: 'field' }, h('label', { for: 'edit-description' }, 'Description'), description),
        series.element,
        h(
          'label',
          { class: 'checkbox', for: 'edit-active' },
          active,
          'Active (listed in the catalog once published)',
        ),
      ],
      onSubmit: async () => {
        nameError.textContent = ''
        name.removeAttribute('aria-invalid')
        try {
          const place = await series.value()
          const updated = await call(
            api.movies[':id'].$patch({
              param: { id: movie.id },
              json: {
                name: name.value.trim(),
                description: description.value,
                active: active.checked,
                ...(place ?? {}),
              },
            }),
          )
          replace(updated)
          toast(`Saved “${updated.name}”.`, 'ok')
        } catch (err) {
          const msg = err instanceof ApiError ? err.fieldError('name') : undefined
          if (msg) {
            nameError.textContent = msg
            name.setAttribute('aria-invalid', 'true')
            name.setAttribute('aria-describedby', 'edit-name-error')
          }
          throw err
        }
      },
    })
  }

  async function remove(movie: Movie) {
    const ok = await confirmDialog({
      title: `Delete “${movie.name}”?`,
      body: h(
        'p',
        null,
        'The movie and all its files (manifest, every rendition, poster) are removed from the server. This cannot be undone.',
      ),
      confirmLabel: 'Delete movie',
      danger: true,
    })
    if (!ok) return
    try {
      await call(api.movies[':id'].$delete({ param: { id: movie.id } }))
      rows.get(movie.id)?.remove()
      rows.delete(movie.id)
      if (rows.size === 0) empty()
      toast(`Deleted “${movie.name}”.`, 'ok')
    } catch (err) {
      toast(errorMessage(err), 'error')
    }
  }

  function empty() {
    wrap.hidden = true
    mount(
      status,
      stateBlock({
        icon: 'film',
        title: state.q || state.status ? 'No movies match' : 'No movies yet',
        text:
          state.q || state.status
            ? 'Change the search or the status filter.'
            : 'Uploaded movies appear here, drafts included.',
        actions: [h('a', { class: 'btn btn-primary', href: '/upload' }, icon('upload'), 'Upload a movie')],
      }),
    )
  }

  function reset() {
    state.q = search.value
    state.status = statusSelect.value as MovieStatus | ''
    void paged.restart()
  }

  search.addEventListener(
    'input',
    debounce(() => reset(), 250),
  )
  statusSelect.addEventListener('change', () => reset())
  await paged.load()

  // Deep link from a movie page: /admin/movies?edit=<id>
  await editFromLink<Movie>({
    get: (id) => call(api.movies[':id'].$get({ param: { id } })),
    rows,
    tbody,
    row,
    edit,
  })
}
