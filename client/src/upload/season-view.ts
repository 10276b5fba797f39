/**
 * @module The upload page for several files at once (a season): the plan of every file with the
 * names, series, season and episode numbers proposed from the file names and what the whole
 * queue will cost; then the queue, one row per file with its encode and upload bars, its ETA,
 * and what to do when it fails. Also the rows of a queue brought back after a reload.
 */
import { api, call, type Series } from '../api.ts'
import { describeEncoders, planLadder } from '../encode/ladder.ts'
import { probe } from '../encode/lazy.ts'
import { applyTrackChoices, sidecarInfo, sidecarsOf } from '../encode/tracks.ts'
import type { LadderPlan, ProbeResult } from '../encode/types.ts'
import { h, mount } from '../ui/dom.ts'
import { formatDuration } from '../ui/format.ts'
import { icon } from '../ui/icons.ts'
import type { BatchEntry } from './batch.ts'
import { type Calibration, calibrate, estimateCost, roughTime } from './cost.ts'
import { parseEpisode } from './episodes.ts'
import { checkLimits, type Explanation, explain } from './messages.ts'
import type { MovieFields, SessionSnapshot } from './session.ts'
import { errorNotice, formatBytes, lengthOf, type Picked } from './view.ts'

/** What the uploader decided for one file. */
export interface PlannedFile extends Picked {
  plan: LadderPlan
  fields: MovieFields
  /** The subtitle files the plan's sidecar tracks are read from. */
  sidecars: File[]
}

/** The series the files go into: none, one of the uploader's, or a new one by this name. */
export type SeriesChoice = { kind: 'none' } | { kind: 'existing'; id: string } | { kind: 'new'; name: string }

function numberInput(id: string, value: number | null, label: string, min = 0): HTMLInputElement {
  return h('input', {
    type: 'number',
    id,
    inputmode: 'numeric',
    min,
    max: 99999,
    value: value === null ? '' : String(value),
    'aria-label': label,
    class: 'episode-number',
  })
}

interface PlanRow {
  picked: Picked
  /** The subtitle files named after this video, added as its text tracks. */
  sidecars: File[]
  element: HTMLElement
  name: HTMLInputElement
  episode: HTMLInputElement
  facts: HTMLElement
  cost: HTMLElement
  plan: LadderPlan | null
  error: Explanation | null
  removed: boolean
}

/** Natural order: "ep 2" before "ep 10". */
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' })

/**
 * The plan of a season: each file read (one after the other) and planned, its name and episode
 * number proposed, the series and season for all of them, and the cost of the whole queue.
 */
export class SeasonPlanView {
  readonly element: HTMLElement
  private readonly rows: PlanRow[]
  private readonly summary: HTMLElement
  private readonly start: HTMLButtonElement
  private readonly seriesSelect: HTMLSelectElement
  private readonly seriesName: HTMLInputElement
  private readonly season: HTMLInputElement
  private calibration: Calibration | undefined

  constructor(
    files: readonly Picked[],
    subtitles: readonly File[],
    series: readonly Series[],
    private readonly actions: {
      onStart: (files: PlannedFile[], series: SeriesChoice) => void
      onReset: () => void
    },
  ) {
    const sorted = [...files].sort((a, b) => collator.compare(a.file.name, b.file.name))
    const guesses = sorted.map((p) => parseEpisode(p.file.name))
    const guessed = guesses.find((g) => g.series)?.series ?? null
    const season = guesses.find((g) => g.season !== null)?.season ?? 1
    const match = guessed
      ? series.find((s) => s.name.localeCompare(guessed, undefined, { sensitivity: 'base' }) === 0)
      : undefined

    this.seriesSelect = h(
      'select',
      { id: 'season-series', onchange: () => this.syncSeries() },
      h('option', { value: '' }, 'None: separate movies'),
      h('option', { value: 'new', selected: !match && guessed !== null }, 'A new series…'),
      series.map((s) => h('option', { value: s.id, selected: s.id === match?.id }, s.name)),
    ) as HTMLSelectElement
    this.seriesName = h('input', {
      type: 'text',
      id: 'season-series-name',
      maxlength: 200,
      value: guessed ?? '',
      autocomplete: 'off',
    })
    this.season = numberInput('season-number', season, 'Season', 0)
    this.season.removeAttribute('aria-label')

    this.rows = sorted.map((picked, i) => {
      const guess = guesses[i]!
      const n = i + 1
      const name = h('input', {
        type: 'text',
        maxlength: 200,
        value: guess.name,
        autocomplete: 'off',
        'aria-label': `Name of video ${n}`,
        class: 'queue-name-input',
      })
      const episode = numberInput(`episode-${n}`, guess.episode, `Episode number of video ${n}`)
      const facts = h('span', { class: 'queue-facts' }, 'Reading…')
      const cost = h('span', { class: 'queue-cost' })
      const row: PlanRow = {
        picked,
        sidecars: sidecarsOf(subtitles, picked.file.name).files,
        element: h('li', { class: 'queue-item plan-item' }),
        name,
        episode,
        facts,
        cost,
        plan: null,
        error: null,
        removed: false,
      }
      mount(
        row.element,
        h(
          'div',
          { class: 'queue-main' },
          h('span', { class: 'queue-file' }, picked.file.name),
          name,
          h('span', { class: 'queue-sub' }, facts, cost),
        ),
        h('label', { class: 'queue-episode' }, h('span', null, 'Episode'), episode),
        h(
          'button',
          {
            type: 'button',
            class: 'btn btn-ghost btn-sm queue-remove',
            'aria-label': `Leave out ${picked.file.name}`,
            title: 'Leave this file out',
            onclick: () => {
              row.removed = true
              row.element.remove()
              this.refresh()
            },
          },
          icon('trash'),
        ),
      )
      return row
    })

    this.summary = h('div', { class: 'notice queue-cost-notice', role: 'status' })
    this.start = h(
      'button',
      { type: 'submit', class: 'btn btn-primary', disabled: true },
      icon('upload'),
      'Start encoding and upload',
    ) as HTMLButtonElement
    this.element = h(
      'form',
      {
        class: 'panel panel-pad season-plan',
        'aria-labelledby': 'season-title',
        onsubmit: (e: SubmitEvent) => {
          e.preventDefault()
          this.submit()
        },
      },
      h('h2', { id: 'season-title' }, `${sorted.length} files`),
      unmatchedNotice(subtitles, sorted),
      h(
        'div',
        { class: 'season-fields' },
        h('div', { class: 'field' }, h('label', { for: 'season-series' }, 'Series'), this.seriesSelect),
        h(
          'div',
          { class: 'field season-series-name' },
          h('label', { for: 'season-series-name' }, 'Name of the new series'),
          this.seriesName,
        ),
        h('div', { class: 'field' }, h('label', { for: 'season-number' }, 'Season'), this.season),
      ),
      h(
        'ol',
        { class: 'queue-list' },
        this.rows.map((r) => r.element),
      ),
      this.summary,
      h(
        'div',
        { class: 'form-actions' },
        this.start,
        h(
          'button',
          { type: 'button', class: 'btn btn-ghost', onclick: actions.onReset },
          'Choose other files',
        ),
      ),
    )
    this.syncSeries()
    this.refresh()
    void this.readAll()
    void calibrate().then((c) => {
      this.calibration = c
      this.refresh()
    })
  }

  private syncSeries(): void {
    const value = this.seriesSelect.value
    const inSeries = value !== ''
    this.seriesName.closest<HTMLElement>('.field')!.hidden = value !== 'new'
    this.season.disabled = !inSeries
    for (const row of this.rows) row.episode.disabled = !inSeries
  }

  /** Reads and plans every file, one after the other (each probe runs ffprobe in wasm). */
  private async readAll(): Promise<void> {
    for (const row of this.rows) {
      if (row.removed) continue
      const { file } = row.picked
      let info: ProbeResult
      try {
        const tooBig = checkLimits(file)
        if (tooBig) throw tooBig
        info = await probe(file)
        const tooLong = checkLimits(file, info)
        if (tooLong) throw tooLong
        const sidecars = sidecarsOf(row.sidecars, file.name)
        row.plan = applyTrackChoices(planLadder(info), [], sidecars.plans)
      } catch (error) {
        row.error = isExplanation(error) ? error : explain(error)
        row.element.classList.add('is-failed')
        row.name.disabled = true
        mount(row.facts, h('strong', null, row.error.title), ` · ${row.error.message} It is left out.`)
        this.refresh()
        continue
      }
      const top = row.plan.renditions[0]
      row.facts.textContent = [
        // A file that ends early publishes what it holds; the uploader sees how much that is.
        lengthOf(info),
        top ? `${row.plan.renditions.map((r) => r.label).join(', ')}` : 'sound only',
        ...(top && describeEncoders(row.plan) ? [describeEncoders(row.plan)!] : []),
        info.videoCodec.toUpperCase(),
        ...(row.plan.subtitles.length > 0 ? [subtitleFacts(row.plan)] : []),
      ].join(' · ')
      this.refresh()
    }
  }

  private ready(): PlanRow[] {
    return this.rows.filter((r) => !r.removed && r.plan)
  }

  private refresh(): void {
    const live = this.rows.filter((r) => !r.removed)
    const pending = live.filter((r) => !r.plan && !r.error).length
    const ready = this.ready()
    let bytes = 0
    let seconds: number | null = 0
    let wasm = 0
    for (const row of ready) {
      const cost = estimateCost(row.plan!, this.calibration ?? null)
      bytes += cost.bytes
      if (cost.engine === 'ffmpeg.wasm') wasm++
      seconds = seconds === null || cost.seconds === null ? null : seconds + cost.seconds
      row.cost.textContent = ` · ≈ ${formatBytes(cost.bytes)}${
        this.calibration !== undefined && cost.seconds !== null ? ` · ${roughTime(cost.seconds)}` : ''
      }`
    }
    const time =
      this.calibration === undefined
        ? 'measuring how fast this computer encodes…'
        : seconds === null
          ? 'the encoding time cannot be estimated in this browser'
          : `${roughTime(seconds)} of encoding on this computer (measured just now${wasm ? `; ${wasm} of them need the slower ffmpeg.wasm encoder` : ''})`
    mount(
      this.summary,
      h(
        'div',
        null,
        h(
          'strong',
          null,
          pending > 0
            ? `Reading the videos… (${live.length - pending} of ${live.length})`
            : `${ready.length} video${ready.length === 1 ? '' : 's'} · about ${formatBytes(bytes)} to upload · ${time}`,
        ),
        h(
          'span',
          null,
          'Keep this tab open until the last one is published. One video encodes while the one before it uploads. ' +
            'If the tab closes, open this page again: the queue is saved, and each video picks up where it stopped.',
        ),
      ),
    )
    this.start.disabled = pending > 0 || ready.length === 0
    this.start.lastChild!.textContent =
      ready.length > 1 ? `Start encoding and upload (${ready.length} videos)` : 'Start encoding and upload'
  }

  private submit(): void {
    const value = this.seriesSelect.value
    const choice: SeriesChoice =
      value === ''
        ? { kind: 'none' }
        : value === 'new'
          ? { kind: 'new', name: this.seriesName.value.trim() }
          : { kind: 'existing', id: value }
    if (choice.kind === 'new' && !choice.name) {
      this.seriesName.setAttribute('aria-invalid', 'true')
      this.seriesName.focus()
      return
    }
    const season = Number.parseInt(this.season.value, 10)
    const files: PlannedFile[] = []
    for (const row of this.ready()) {
      const name = row.name.value.trim()
      if (!name) {
        row.name.setAttribute('aria-invalid', 'true')
        row.name.focus()
        return
      }
      const episode = Number.parseInt(row.episode.value, 10)
      files.push({
        ...row.picked,
        sidecars: row.sidecars,
        plan: row.plan!,
        fields: {
          name,
          description: '',
          active: true,
          ...(choice.kind !== 'none'
            ? {
                ...(Number.isFinite(season) ? { season } : {}),
                ...(Number.isFinite(episode) ? { episode } : {}),
              }
            : {}),
        },
      })
    }
    this.actions.onStart(files, choice)
  }
}

/** Says which subtitle files were dropped with the season but belong to none of its videos. */
function unmatchedNotice(subtitles: readonly File[], videos: readonly Picked[]): HTMLElement | null {
  const left = subtitles.filter((s) => !videos.some((v) => sidecarInfo(s.name, v.file.name)?.matchesVideo))
  if (left.length === 0) return null
  const names = left.map((f) => f.name)
  return h(
    'p',
    { class: 'notice season-unmatched', role: 'note' },
    `${left.length === 1 ? 'One subtitle file matches' : `${left.length} subtitle files match`} no video by name and ${
      left.length === 1 ? 'is' : 'are'
    } left out: ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}. ` +
      'Name a subtitle file after its video (“Show - 01.en.srt” beside “Show - 01.mkv”), or add it to the movie after publishing.',
  )
}

/** "subtitles: English, Japanese (2 files)": what the viewer will be able to pick. */
function subtitleFacts(plan: LadderPlan): string {
  const files = plan.subtitles.filter((s) => s.source.kind === 'sidecar').length
  const names = [...new Set(plan.subtitles.map((s) => s.label))].join(', ')
  return `subtitles: ${names}${files ? ` (${files} file${files === 1 ? '' : 's'})` : ''}`
}

function isExplanation(value: unknown): value is Explanation {
  return typeof value === 'object' && value !== null && 'title' in value && 'retryable' in value
}

function bar(
  label: string,
  upload: boolean,
): { element: HTMLElement; bar: HTMLProgressElement; meta: HTMLElement } {
  const progress = h('progress', {
    max: 1,
    value: 0,
    class: upload ? 'is-upload' : null,
    'aria-label': label,
  })
  const meta = h('span', { class: 'progress-meta' })
  return {
    element: h('div', { class: 'queue-bar' }, h('span', { class: 'queue-bar-label' }, label), progress, meta),
    bar: progress as HTMLProgressElement,
    meta,
  }
}

function left(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return 'estimating…'
  return seconds < 1 ? 'almost done' : `${formatDuration(Math.ceil(seconds))} left`
}

/** One file of the running queue: its name, its two bars, its state and what can be done. */
export class QueueRow {
  readonly element: HTMLElement
  private readonly status: HTMLElement
  /** " · S1 E2", which a renumbering changes. */
  private readonly place: HTMLElement
  private readonly encode = bar('Encode', false)
  private readonly upload = bar('Upload', true)
  private readonly notice: HTMLElement
  private readonly buttons: HTMLElement

  constructor(
    readonly entry: BatchEntry,
    private readonly actions: {
      onRetry: (entry: BatchEntry) => void
      onRenumber: (entry: BatchEntry, episode: number) => void
      onRemove: (entry: BatchEntry) => void
      onResume: (entry: BatchEntry, file?: File) => void
    },
  ) {
    const { fileName } = entry.stored
    this.status = h('span', { class: 'queue-status' })
    this.place = h('span', null)
    this.notice = h('div', { class: 'queue-notice' })
    this.buttons = h('div', { class: 'queue-actions' })
    this.element = h(
      'li',
      { class: 'queue-item run-item', 'data-file': fileName },
      h(
        'div',
        { class: 'queue-main' },
        h('strong', { class: 'queue-name' }, entry.stored.fields.name),
        h('span', { class: 'queue-sub' }, fileName, this.place, ' · ', this.status),
      ),
      h('div', { class: 'queue-bars' }, this.encode.element, this.upload.element),
      this.buttons,
      this.notice,
    )
    this.update()
  }

  /** A number field and "Retry as this episode", for a file whose episode number is taken. */
  private renumberForm(): HTMLElement {
    const { fields } = this.entry.stored
    const input = numberInput(
      `renumber-${this.entry.stored.key}`,
      (fields.episode ?? 0) + 1,
      `New episode number for ${this.entry.stored.fileName}`,
      1,
    )
    // Proposes one past the season's highest number, as the series says now (others may have
    // been added since the drop), unless the uploader has typed a number meanwhile.
    if (fields.seriesId) {
      const proposed = input.value
      void call(api.series[':id'].$get({ param: { id: fields.seriesId } })).then(
        (series) => {
          const next = series.seasons.find((x) => x.season === (fields.season ?? 1))?.nextFreeEpisode
          if (next != null && input.value === proposed) input.value = String(next)
        },
        () => undefined,
      )
    }
    return h(
      'form',
      {
        class: 'queue-renumber',
        onsubmit: (e: SubmitEvent) => {
          e.preventDefault()
          const episode = Number.parseInt(input.value, 10)
          if (!Number.isInteger(episode) || episode < 0) {
            input.setAttribute('aria-invalid', 'true')
            input.focus()
            return
          }
          this.actions.onRenumber(this.entry, episode)
        },
      },
      h('label', null, h('span', null, 'Episode'), input),
      h(
        'button',
        { type: 'submit', class: 'btn btn-sm btn-primary' },
        icon('retry'),
        'Retry as this episode',
      ),
    )
  }

  update(): void {
    const { entry } = this
    const s = entry.snapshot
    const { fields } = entry.stored
    this.place.textContent =
      fields.episode !== undefined
        ? ` · ${fields.season !== undefined ? `S${fields.season} ` : ''}E${fields.episode}`
        : ''
    this.element.classList.toggle('is-failed', s?.phase === 'failed' || s?.phase === 'paused')
    this.element.classList.toggle('is-done', s?.phase === 'done')
    const buttons: HTMLElement[] = []
    mount(this.notice)
    if (!s) {
      // Brought back after a reload, not started yet.
      const waitingForFile = entry.file === null && entry.stored.kept === null
      this.status.textContent = waitingForFile
        ? 'interrupted: choose the file again to continue'
        : 'interrupted: continues from the parts already uploaded'
      if (waitingForFile) buttons.push(this.chooseAgain())
      buttons.push(this.removeButton())
      mount(this.buttons, buttons)
      return
    }
    const encoding = s.encode
    const encodeFraction = s.encodeDone ? 1 : (encoding?.fraction ?? 0)
    this.encode.bar.value = encodeFraction
    this.encode.bar.classList.toggle('is-done', s.encodeDone)
    this.encode.meta.textContent = s.encodeDone
      ? 'done'
      : encoding
        ? `${Math.round(encodeFraction * 100)}% · ${left(encoding.eta)}`
        : s.phase === 'encoding'
          ? 'waiting for its turn'
          : ''
    const up = s.upload
    const total = Math.max(s.expectedBytes, up?.queuedBytes ?? 0)
    const done = up?.doneBytes ?? 0
    this.upload.bar.value = s.phase === 'done' ? 1 : total > 0 ? Math.min(1, done / total) : 0
    this.upload.bar.classList.toggle('is-done', s.phase === 'done')
    const rate = up?.bytesPerSecond ?? 0
    this.upload.meta.textContent =
      s.phase === 'done'
        ? 'done'
        : up?.state === 'offline'
          ? 'offline, waiting for the network'
          : up
            ? `${formatBytes(done)} of ${s.encodeDone ? '' : '~'}${formatBytes(total)}${
                s.encodeDone && rate > 0 ? ` · ${left((total - done) / rate)}` : ''
              }${up.skippedFiles ? ` · ${up.skippedFiles} already there` : ''}`
            : ''
    this.status.textContent = {
      creating: 'starting',
      encoding: encoding
        ? s.encodeDone
          ? 'uploading the last parts'
          : `encoding, by ${encoding.encoder}`
        : 'queued',
      publishing: 'publishing',
      paused: 'paused',
      done: 'published',
      failed: 'stopped',
      cancelled: 'removed',
    }[s.phase]
    if ((s.phase === 'failed' || s.phase === 'paused') && s.error) {
      const retry = s.error.retryable
        ? h(
            'button',
            { type: 'button', class: 'btn btn-sm btn-primary', onclick: () => this.actions.onRetry(entry) },
            icon('retry'),
            s.fallback && s.phase === 'failed' ? 'Retry with ffmpeg.wasm' : 'Retry',
          )
        : null
      mount(
        this.notice,
        errorNotice(
          s.error,
          s.error.field === 'episode' && s.phase === 'failed' ? [this.renumberForm()] : [retry],
        ),
      )
    }
    if (s.phase === 'done' && s.movie) {
      buttons.push(
        h(
          'a',
          { class: 'btn btn-sm', href: `/movies/${encodeURIComponent(s.movie.id)}` },
          icon('play'),
          h('span', { class: 'visually-hidden' }, `${s.movie.name}: `),
          'Watch',
        ),
      )
    } else if (s.phase !== 'cancelled') buttons.push(this.removeButton())
    mount(this.buttons, buttons)
  }

  private removeButton(): HTMLElement {
    return h(
      'button',
      {
        type: 'button',
        class: 'btn btn-ghost btn-sm',
        'aria-label': `Remove ${this.entry.stored.fields.name} from the queue`,
        title: 'Stop and remove from the queue',
        onclick: () => this.actions.onRemove(this.entry),
      },
      icon('trash'),
    )
  }

  private chooseAgain(): HTMLElement {
    const { fileName } = this.entry.stored
    const input = h('input', {
      type: 'file',
      class: 'visually-hidden',
      tabindex: -1,
      'aria-hidden': 'true',
      onchange: () => {
        const file = input.files?.[0]
        if (file) this.actions.onResume(this.entry, file)
      },
    })
    return h(
      'span',
      null,
      h(
        'button',
        { type: 'button', class: 'btn btn-sm btn-primary', onclick: () => input.click() },
        `Choose “${fileName}” again`,
      ),
      input,
    )
  }

  /** The file chosen again was another one. */
  wrongFile(file: File): void {
    mount(
      this.notice,
      errorNotice({
        title: 'That is another file',
        message: `“${file.name}” is not “${this.entry.stored.fileName}” (${formatBytes(this.entry.stored.size)}). Choose that one to continue.`,
        retryable: true,
      }),
    )
  }
}

/** The queue: a heading that counts, and a row per file. */
export class QueueView {
  readonly element: HTMLElement
  private readonly list: HTMLElement
  private readonly heading: HTMLElement
  private readonly count: HTMLElement
  private readonly resume: HTMLButtonElement
  private readonly rows = new Map<BatchEntry, QueueRow>()

  constructor(
    private readonly actions: QueueRow['actions'] & { onResumeAll: () => void; onAnother: () => void },
  ) {
    this.heading = h('h2', { id: 'queue-title', tabindex: -1 }, 'Upload queue')
    this.count = h('p', { class: 'run-status', role: 'status' })
    this.list = h('ol', { class: 'queue-list' })
    this.resume = h(
      'button',
      { type: 'button', class: 'btn btn-primary', hidden: true, onclick: () => actions.onResumeAll() },
      icon('upload'),
      'Resume',
    ) as HTMLButtonElement
    this.element = h(
      'section',
      { class: 'panel panel-pad queue-panel', 'aria-labelledby': 'queue-title' },
      h('div', { class: 'queue-head' }, h('div', null, this.heading, this.count), this.resume),
      h(
        'p',
        { class: 'hint queue-keep-open' },
        'Keep this tab open until every video is published. If it closes, open this page again to pick up where it stopped.',
      ),
      this.list,
      h(
        'div',
        { class: 'run-actions' },
        h(
          'button',
          { type: 'button', class: 'btn', onclick: () => actions.onAnother() },
          'Upload more videos',
        ),
      ),
    )
  }

  focus(): void {
    this.heading.focus()
  }

  add(entry: BatchEntry): void {
    if (this.rows.has(entry)) return
    const row = new QueueRow(entry, this.actions)
    this.rows.set(entry, row)
    this.list.append(row.element)
    this.summarize()
  }

  update(entry: BatchEntry): void {
    const row = this.rows.get(entry)
    if (!row) return
    if (entry.removed) {
      row.element.remove()
      this.rows.delete(entry)
    } else row.update()
    this.summarize()
  }

  wrongFile(entry: BatchEntry, file: File): void {
    this.rows.get(entry)?.wrongFile(file)
  }

  private summarize(): void {
    const phases = [...this.rows.keys()].map((e) => phaseOf(e.snapshot))
    const count = (p: string) => phases.filter((x) => x === p).length
    const parts = [
      `${count('done')} of ${phases.length} published`,
      count('failed') ? `${count('failed')} stopped` : null,
      count('interrupted') ? `${count('interrupted')} interrupted` : null,
    ]
    this.count.textContent = parts.filter(Boolean).join(' · ')
    this.resume.hidden = count('interrupted') === 0
  }
}

function phaseOf(s: SessionSnapshot | null): string {
  if (!s) return 'interrupted'
  if (s.phase === 'paused') return 'failed'
  return s.phase
}
