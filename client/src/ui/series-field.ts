/**
 * Where a movie goes in a series, for the upload form and the movie editor: pick a series (or, on
 * upload, name a new one), a season, and an episode number, with the next free number of that
 * season proposed (the series JSON's `seasons[].nextFreeEpisode`) until the person types their own.
 * @module
 */
import { api, call, errorMessage, type Series } from '../api.ts'
import { h, mount } from './dom.ts'

export interface SeriesChoice {
  /** null: not in a series. */
  seriesId: string | null
  season?: number
  /** Absent: the server gives the next free number. */
  episode?: number
}

export interface SeriesField {
  element: HTMLElement
  /**
   * The choice, creating the new series first if one was named (once, however often it is asked);
   * null while the series are still loading (leave the movie where it is).
   */
  value(): Promise<SeriesChoice | null>
}

const NEW = '__new'
const MAX_PAGES = 5

/** Every series the caller may put movies into: their own, or all for an admin. */
async function writableSeries(mine: boolean): Promise<Series[]> {
  const all: Series[] = []
  let cursor: string | undefined
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await call(
      api.series.$get({ query: { limit: '100', cursor, mine: mine ? 'true' : undefined } }),
    )
    all.push(...page.items)
    if (!page.nextCursor) break
    cursor = page.nextCursor
  }
  return all.sort((a, b) => a.name.localeCompare(b.name))
}

export function seriesField(opts: {
  id: string
  /** Only the caller's own series (uploaders); admins may use any. */
  mine: boolean
  /** Offer "New series…" with a name field. */
  allowCreate: boolean
  initial?: { seriesId: string | null; seriesName?: string; season: number | null; episode: number | null }
}): SeriesField {
  const { id } = opts
  const select = h('select', { id: `${id}-series`, name: 'series', disabled: true })
  const newName = h('input', { type: 'text', id: `${id}-series-new`, maxlength: 200, autocomplete: 'off' })
  const newRow = h(
    'div',
    { class: 'field', hidden: true },
    h('label', { for: newName.id }, 'Title of the new series'),
    newName,
  )
  const season = h('input', {
    type: 'number',
    id: `${id}-season`,
    min: 0,
    max: 9999,
    step: 1,
    inputmode: 'numeric',
  })
  const episode = h('input', {
    type: 'number',
    id: `${id}-episode`,
    min: 0,
    max: 99999,
    step: 1,
    inputmode: 'numeric',
  })
  const hint = h('span', { class: 'hint', id: `${id}-episode-hint` })
  episode.setAttribute('aria-describedby', hint.id)
  const numbers = h(
    'div',
    { class: 'series-numbers', hidden: true },
    h('div', { class: 'field' }, h('label', { for: season.id }, 'Season'), season),
    h('div', { class: 'field' }, h('label', { for: episode.id }, 'Episode'), episode),
    hint,
  )
  const status = h('span', { class: 'hint', role: 'status' })
  const element = h(
    'fieldset',
    { class: 'series-field' },
    h('legend', null, 'Series'),
    h(
      'div',
      { class: 'field' },
      h('label', { for: select.id, class: 'visually-hidden' }, 'Series'),
      select,
      status,
    ),
    newRow,
    numbers,
  )

  let series: Series[] = []
  let episodeTyped = false
  let created: { name: string; id: string } | null = null
  const initial = opts.initial

  const chosen = () => series.find((s) => s.id === select.value) ?? null

  /** The next free episode of the chosen season, as the server counts it. */
  function propose() {
    const s = chosen()
    const n = Number(season.value || 1)
    const known = s?.seasons.find((x) => x.season === n)
    const next = select.value === NEW ? 1 : known ? known.nextFreeEpisode : 1
    if (!episodeTyped && next !== null) episode.value = String(next)
    hint.textContent =
      next === null
        ? 'Leave it empty for the next free number.'
        : `${next} is the next free number in ${n === 0 ? 'the specials' : `season ${n}`}.`
  }

  /** Sets season and episode for the chosen series: the movie's own, or its latest season and next number. */
  function choose() {
    numbers.hidden = select.value === ''
    newRow.hidden = select.value !== NEW
    newName.required = select.value === NEW
    if (initial && initial.seriesId !== null && initial.seriesId === select.value) {
      season.value = String(initial.season ?? 1)
      episode.value = initial.episode === null ? '' : String(initial.episode)
      episodeTyped = initial.episode !== null
    } else {
      // A series' latest season is where a new episode most likely goes.
      season.value = String(
        chosen()
          ?.seasons.filter((x) => x.season > 0)
          .at(-1)?.season ?? 1,
      )
      episodeTyped = false
    }
    propose()
  }

  select.addEventListener('change', () => {
    choose()
    if (select.value === NEW) newName.focus()
  })
  season.addEventListener('input', propose)
  episode.addEventListener('input', () => {
    episodeTyped = episode.value !== ''
  })

  async function load() {
    mount(select, h('option', { value: '' }, 'Loading series…'))
    status.textContent = ''
    try {
      series = await writableSeries(opts.mine)
    } catch (err) {
      mount(select, h('option', { value: '' }, 'Not part of a series'))
      mount(
        status,
        `Series could not be loaded: ${errorMessage(err)} `,
        h('button', { type: 'button', class: 'link-btn', onclick: () => void load() }, 'Retry'),
      )
      select.disabled = false
      return
    }
    mount(
      select,
      h('option', { value: '' }, 'Not part of a series'),
      series.map((s) =>
        h(
          'option',
          { value: s.id, selected: s.id === initial?.seriesId },
          `${s.name} (${s.episodeCount} episode${s.episodeCount === 1 ? '' : 's'})`,
        ),
      ),
      // The movie's own series, even when the list does not hold it: saving must not drop it.
      initial?.seriesId && !series.some((s) => s.id === initial.seriesId)
        ? h('option', { value: initial.seriesId, selected: true }, initial.seriesName ?? 'Its current series')
        : null,
      opts.allowCreate ? h('option', { value: NEW }, 'New series…') : null,
    )
    select.disabled = false
    choose()
  }
  void load()

  return {
    element,
    async value() {
      if (select.disabled) return null
      if (select.value === '') return { seriesId: null }
      const numberOf = (input: HTMLInputElement) => (input.value === '' ? undefined : Number(input.value))
      let seriesId = select.value
      if (select.value === NEW) {
        const name = newName.value.trim()
        if (!name) {
          newName.setAttribute('aria-invalid', 'true')
          newName.focus()
          throw new Error('Name the new series, or pick one.')
        }
        newName.removeAttribute('aria-invalid')
        if (created?.name !== name) {
          const made = await call(api.series.$post({ json: { name } }))
          created = { name, id: made.id }
        }
        seriesId = created.id
      }
      return { seriesId, season: numberOf(season), episode: numberOf(episode) }
    },
  }
}
