/** @module The upload page's views: file picker, plan review, progress, and the published result. */
import type { Movie } from '../api.ts'
import { describeEncoders } from '../encode/ladder.ts'
import { AUDIO_ROW, type LadderPlan, type ProbeResult } from '../encode/types.ts'
import { stateBlock } from '../ui/blocks.ts'
import { h, mount } from '../ui/dom.ts'
import { formatBitrate, formatDuration } from '../ui/format.ts'
import { icon } from '../ui/icons.ts'
import { signInHref } from '../ui/shell.ts'
import { calibrate, estimateCost, roughTime } from './cost.ts'
import { nameFromFile } from './episodes.ts'
import type { Explanation } from './messages.ts'
import { estimateBytes, type MovieFields, type SessionSnapshot } from './session.ts'
import { SUBTITLE_ACCEPT } from './tracks-view.ts'

// Subtitle files may come along with the video (movie.mkv + movie.fr.srt).
const ACCEPT = `video/*,.mp4,.m4v,.mov,.mkv,.webm,.avi,.ts,.mts,.m2ts,.3gp,.flv,.wmv,.mpg,.mpeg,.ogv,${SUBTITLE_ACCEPT}`

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(2)} GB`
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MB`
  return `${Math.max(0, Math.round(bytes / 1024))} kB`
}

function eta(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return 'estimating…'
  return seconds < 1 ? 'almost done' : `${formatDuration(Math.ceil(seconds))} left`
}

/** A notice explaining what went wrong, with the actions that can help. */
export function errorNotice(error: Explanation, actions: (HTMLElement | null)[] = []): HTMLElement {
  return h(
    'div',
    { class: 'notice notice-error run-notice', role: 'alert' },
    h(
      'div',
      null,
      h('strong', null, error.title),
      h('span', null, error.message),
      actions.some(Boolean) || error.signIn
        ? h(
            'div',
            { class: 'actions' },
            actions,
            error.signIn
              ? h(
                  'a',
                  { class: 'btn btn-sm', href: signInHref('/upload'), target: '_blank', rel: 'noopener' },
                  'Sign in',
                )
              : null,
          )
        : null,
    ),
  )
}

/** A file picked or dropped, with the handle that finds it again after a reload where there is one. */
export interface Picked {
  file: File
  handle: FileSystemFileHandle | null
}

interface HandleItem {
  getAsFileSystemHandle?(): Promise<FileSystemHandle | null>
}

/** Every file under a dropped folder, with its handle. */
async function walk(dir: FileSystemDirectoryHandle, out: Picked[]): Promise<void> {
  const entries = (dir as unknown as { values(): AsyncIterable<FileSystemHandle> }).values()
  for await (const handle of entries) {
    if (handle.kind === 'directory') await walk(handle as FileSystemDirectoryHandle, out)
    else {
      const fileHandle = handle as FileSystemFileHandle
      out.push({ file: await fileHandle.getFile(), handle: fileHandle })
    }
  }
}

/**
 * The files of a drop, folders opened, each with its File System Access handle where the browser
 * gives one (so the queue can find the file again after a reload).
 */
async function droppedFiles(data: DataTransfer): Promise<Picked[]> {
  const items = [...data.items].filter((item) => item.kind === 'file') as (DataTransferItem & HandleItem)[]
  if (items.length === 0 || !items.every((item) => item.getAsFileSystemHandle)) {
    return [...data.files].map((file) => ({ file, handle: null }))
  }
  // The items are only readable during the drop event: ask for every handle at once.
  const files = items.map((item) => item.getAsFile())
  const handles = await Promise.all(items.map((item) => item.getAsFileSystemHandle!().catch(() => null)))
  const out: Picked[] = []
  for (const [i, handle] of handles.entries()) {
    if (handle?.kind === 'directory') await walk(handle as FileSystemDirectoryHandle, out)
    else {
      const file = files[i]
      if (file) out.push({ file, handle: (handle as FileSystemFileHandle | null) ?? null })
    }
  }
  return out
}

/**
 * Drag-and-drop area with real buttons and file inputs behind it: one video (with subtitle files),
 * several, or a whole folder (a season).
 */
export function renderPicker(onFiles: (files: Picked[]) => void, error: Explanation | null): HTMLElement {
  const picked = (list: FileList | null) => {
    const files = [...(list ?? [])].map((file) => ({ file, handle: null }))
    if (files.length > 0) onFiles(files)
  }
  const input = h('input', {
    type: 'file',
    id: 'upload-file',
    accept: ACCEPT,
    multiple: true,
    class: 'visually-hidden',
    tabindex: -1,
    'aria-hidden': 'true',
    onchange: () => picked(input.files),
  })
  const folder = h('input', {
    type: 'file',
    id: 'upload-folder',
    webkitdirectory: true,
    multiple: true,
    class: 'visually-hidden',
    tabindex: -1,
    'aria-hidden': 'true',
    onchange: () => picked(folder.files),
  })
  const zone = h(
    'section',
    { class: 'dropzone', 'aria-labelledby': 'drop-title' },
    icon('upload'),
    h('h2', { id: 'drop-title' }, 'Drop a video here, or a whole season'),
    h(
      'p',
      null,
      'Your browser encodes it into streaming quality levels on this computer, and uploads each part as soon as it is ready. Drop subtitle files (.srt, .ass, .vtt) with a video to add them; drop several videos or a folder to upload them one after the other as episodes of a series.',
    ),
    h(
      'div',
      { class: 'dropzone-actions' },
      h(
        'button',
        { type: 'button', class: 'btn btn-primary', onclick: () => input.click() },
        'Choose a video',
      ),
      h('button', { type: 'button', class: 'btn', onclick: () => folder.click() }, 'Choose a folder'),
    ),
    input,
    folder,
  )
  let depth = 0
  const over = (on: boolean) => zone.classList.toggle('is-over', on)
  zone.addEventListener('dragenter', (e) => {
    e.preventDefault()
    depth++
    over(true)
  })
  zone.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1)
    if (depth === 0) over(false)
  })
  zone.addEventListener('dragover', (e) => {
    e.preventDefault()
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy'
  })
  zone.addEventListener('drop', (e) => {
    e.preventDefault()
    depth = 0
    over(false)
    if (!e.dataTransfer) return
    void droppedFiles(e.dataTransfer).then((files) => {
      if (files.length > 0) onFiles(files)
    })
  })
  return h(
    'div',
    null,
    error ? errorNotice(error) : null,
    error ? h('div', { style: 'height: 16px' }) : null,
    zone,
  )
}

export function renderProbing(file: File): HTMLElement {
  return h(
    'div',
    { class: 'state', role: 'status' },
    h('span', { class: 'spinner', 'aria-hidden': 'true' }),
    h('h2', null, 'Reading the video…'),
    h('p', null, `${file.name} · ${formatBytes(file.size)}`),
  )
}

function fact(term: string, value: string): HTMLElement[] {
  return [h('dt', null, term), h('dd', null, value)]
}

function sourceCard(file: File, probe: ProbeResult): HTMLElement {
  const url = URL.createObjectURL(file)
  // A preview when the browser can play the file itself; many containers and codecs it cannot.
  const preview = h('video', {
    class: 'source-preview',
    src: url,
    muted: true,
    preload: 'metadata',
    controls: true,
    'aria-label': `Preview of ${file.name}`,
  })
  preview.addEventListener('error', () => preview.remove(), { once: true })
  const fps = Math.round(probe.fps * 100) / 100
  return h(
    'section',
    { class: 'panel source-card', 'aria-labelledby': 'source-name' },
    preview,
    h('h2', { class: 'source-name', id: 'source-name' }, file.name),
    h(
      'dl',
      { class: 'source-facts' },
      fact('Length', lengthOf(probe)),
      fact('Picture', `${probe.width}×${probe.height}${probe.rotation ? `, turned ${probe.rotation}°` : ''}`),
      fact('Frame rate', `${fps} fps`),
      fact('Video', probe.videoCodec.toUpperCase()),
      fact(
        'Sound',
        probe.hasAudio
          ? `${(probe.audioCodec ?? 'yes').toUpperCase()}${probe.audioTracks.length > 1 ? `, ${probe.audioTracks.length} tracks` : ''}`
          : 'none',
      ),
      probe.subtitleTracks.length > 0
        ? fact(
            'Subtitles',
            `${probe.subtitleTracks.length} track${probe.subtitleTracks.length === 1 ? '' : 's'}`,
          )
        : null,
      fact('File size', formatBytes(probe.size)),
    ),
  )
}

/** " (360p, 240p: x264 (wasm))" when x264 makes some rungs beside the browser's encoder. */
function encodersNote(plan: LadderPlan): string {
  const encoders = describeEncoders(plan)
  return encoders ? ` (${encoders})` : ''
}

function planTable(plan: LadderPlan): HTMLElement {
  const rows = plan.renditions.map((r) =>
    h(
      'tr',
      null,
      h('td', null, r.label),
      h(
        'td',
        null,
        `${r.width}×${r.height} · ${Math.round((r.frameRate.num / r.frameRate.den) * 100) / 100} fps`,
      ),
      h('td', { class: 'num' }, formatBitrate(r.bitrate)),
    ),
  )
  // The audio tracks are in the track list, where the uploader chooses them.
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'data plan-table' },
      h('caption', { class: 'visually-hidden' }, 'Quality levels that will be encoded'),
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          h('th', { scope: 'col' }, 'Quality'),
          h('th', { scope: 'col' }, 'Picture'),
          h('th', { scope: 'col' }, 'Bitrate'),
        ),
      ),
      h('tbody', null, rows),
    ),
  )
}

/** "About 3 min of encoding on this computer", once a one-second calibration has measured it. */
function timeEstimate(plan: LadderPlan): HTMLElement {
  const out = h(
    'span',
    { class: 'plan-time', 'aria-live': 'polite' },
    'Measuring how fast this computer encodes…',
  )
  void calibrate().then((calibration) => {
    const { seconds } = estimateCost(plan, calibration)
    out.textContent =
      seconds === null
        ? 'Keep this tab open until it is published.'
        : `Encoding takes ${roughTime(seconds)} on this computer (measured just now); keep this tab open until it is published.`
  })
  return out
}

/** "1:02", or for a file that ends early "0:03 (the file says 0:06)". */
export function lengthOf(probe: ProbeResult): string {
  const length = formatDuration(probe.duration)
  return probe.truncated ? `${length} (the file says ${formatDuration(probe.truncated.declared)})` : length
}

/**
 * For a file that ends early (truncation.ts): what is missing, what will be published, and how to
 * publish all of it.
 */
export function truncatedNotice(probe: ProbeResult): HTMLElement | null {
  if (!probe.truncated) return null
  const kept = formatDuration(probe.duration)
  return h(
    'div',
    { class: 'notice notice-warn truncated-notice', role: 'note', 'aria-labelledby': 'truncated-title' },
    icon('alert'),
    h(
      'div',
      null,
      h('strong', { id: 'truncated-title' }, 'This file ends early'),
      h(
        'p',
        null,
        `It says it is ${formatDuration(probe.truncated.declared)} long, but the picture and sound stop at ${kept}: ` +
          'the rest is missing from the file, as when a copy or download is cut off. ' +
          `The ${kept} that is there will be published. To publish the whole video, choose a complete copy of the file.`,
      ),
    ),
  )
}

/** The file's facts, the movie's fields and the encoding plan (with the track list, `tracks`), with Start. */
export function renderPlan(
  file: File,
  probe: ProbeResult,
  plan: LadderPlan,
  actions: { onStart: (fields: MovieFields) => void; onReset: () => void },
  tracks: HTMLElement | null = null,
  /** More fields after the description (the series the movie joins). */
  extra: HTMLElement | null = null,
): HTMLElement {
  const name = h('input', {
    type: 'text',
    id: 'movie-name',
    name: 'name',
    required: true,
    maxlength: 200,
    value: nameFromFile(file.name),
    autocomplete: 'off',
  })
  const description = h('textarea', { id: 'movie-description', name: 'description', maxlength: 5000 })
  const active = h('input', {
    type: 'checkbox',
    id: 'movie-active',
    name: 'active',
    checked: true,
    role: 'switch',
  })
  const form = h(
    'form',
    {
      class: 'panel panel-pad upload-form',
      'aria-labelledby': 'plan-title',
      onsubmit: (e: SubmitEvent) => {
        e.preventDefault()
        const title = name.value.trim()
        if (!title) {
          name.setAttribute('aria-invalid', 'true')
          name.focus()
          return
        }
        actions.onStart({ name: title, description: description.value.trim(), active: active.checked })
      },
    },
    h('h2', { id: 'plan-title' }, 'Details'),
    truncatedNotice(probe),
    h('div', { class: 'field' }, h('label', { for: 'movie-name' }, 'Name'), name),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'movie-description' }, 'Description'),
      description,
      h('span', { class: 'hint' }, 'Optional. Shown on the movie page.'),
    ),
    extra,
    h(
      'label',
      { class: 'switch', for: 'movie-active' },
      active,
      h('span', null, 'Active: listed in the catalog once published'),
    ),
    h('h3', null, 'Quality levels'),
    planTable(plan),
    tracks,
    h(
      'p',
      { class: 'plan-summary' },
      `About ${formatBytes(estimateBytes(plan))} in ${plan.segmentDuration.toFixed(plan.segmentDuration % 1 ? 3 : 0)}-second parts, ` +
        `encoded with H.264 on this computer${encodersNote(plan)}. `,
      timeEstimate(plan),
    ),
    h(
      'div',
      { class: 'form-actions' },
      h('button', { type: 'submit', class: 'btn btn-primary' }, icon('upload'), 'Start encoding and upload'),
      h(
        'button',
        { type: 'button', class: 'btn btn-ghost', onclick: actions.onReset },
        'Choose another video',
      ),
    ),
  )
  return h('div', { class: 'upload-grid' }, sourceCard(file, probe), form)
}

interface Row {
  bar: HTMLProgressElement
  meta: HTMLElement
}

function progressRow(id: string, label: string, sub: string, upload = false): { el: HTMLElement; row: Row } {
  const labelId = `progress-${id}`
  const bar = h('progress', {
    max: 1,
    value: 0,
    'aria-labelledby': labelId,
    class: upload ? 'is-upload' : null,
  }) as HTMLProgressElement
  const meta = h('span', { class: 'progress-meta' }, 'waiting')
  const el = h(
    'div',
    { class: 'progress-row' },
    h('div', { class: 'progress-label', id: labelId }, h('strong', null, label), h('span', null, sub)),
    bar,
    meta,
  )
  return { el, row: { bar, meta } }
}

/** The progress view: built once, then updated in place from each session snapshot. */
export class RunView {
  readonly element: HTMLElement
  private readonly rows = new Map<string, Row>()
  private readonly upload: Row
  private readonly status: HTMLElement
  /** Which encoder does the work, once the engine has said. */
  private readonly engine: HTMLElement
  private readonly announcer: HTMLElement
  private readonly poster: HTMLImageElement
  private readonly notice: HTMLElement
  private readonly cancel: HTMLButtonElement
  private lastAnnounced = ''

  constructor(
    title: string,
    plan: LadderPlan,
    private readonly actions: { onCancel: () => void; onRetry: () => void },
  ) {
    const portrait = plan.poster.height > plan.poster.width
    this.poster = h('img', {
      class: `run-poster${portrait ? ' is-portrait' : ''}`,
      alt: '',
      hidden: true,
    }) as HTMLImageElement
    this.status = h('p', { class: 'run-status' }, 'Starting…')
    this.engine = h('span', { class: 'engine-note', 'data-engine': '' })
    this.announcer = h('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' })
    const encodeRows = plan.renditions.map((r) => {
      const { el, row } = progressRow(r.id, r.label, `${r.width}×${r.height}`)
      this.rows.set(r.id, row)
      return el
    })
    if (plan.audio.length > 0) {
      const sub = plan.audio.length === 1 ? 'AAC' : `${plan.audio.length} tracks, AAC`
      const { el, row } = progressRow(AUDIO_ROW, 'Audio', sub)
      this.rows.set(AUDIO_ROW, row)
      encodeRows.push(el)
    }
    const upload = progressRow('upload', 'Upload', 'to the server', true)
    this.upload = upload.row
    this.notice = h('div', { hidden: true })
    this.cancel = h(
      'button',
      { type: 'button', class: 'btn btn-danger', onclick: () => this.actions.onCancel() },
      'Cancel',
    )
    this.element = h(
      'section',
      { class: 'panel panel-pad', 'aria-labelledby': 'run-title' },
      h(
        'div',
        { class: 'run-head' },
        this.poster,
        h('div', { class: 'run-title' }, h('h2', { id: 'run-title', tabindex: -1 }, title), this.status),
      ),
      this.announcer,
      h('div', { class: 'progress-section' }, h('h3', null, 'Encoding', this.engine), encodeRows),
      h('div', { class: 'progress-section' }, h('h3', null, 'Uploading'), upload.el),
      this.notice,
      h('div', { class: 'run-actions' }, this.cancel),
    )
  }

  focus(): void {
    this.element.querySelector<HTMLElement>('#run-title')?.focus()
  }

  update(s: SessionSnapshot): void {
    const encoder = s.encode
    if (encoder && this.engine.dataset.engine !== encoder.backend) {
      this.engine.dataset.engine = encoder.backend
      this.engine.textContent = ` · by ${encoder.encoder}${encoder.pausesForConsumer ? '' : ' (without pausing for slow uploads: this page is not cross-origin isolated)'}`
      this.engine.title = encoder.encoderDetail
    }
    if (s.posterUrl && this.poster.hidden) {
      this.poster.src = s.posterUrl
      this.poster.hidden = false
    }
    for (const r of s.encode?.renditions ?? []) {
      const row = this.rows.get(r.id)
      if (!row) continue
      row.bar.value = r.fraction
      row.bar.classList.toggle('is-done', r.state === 'done')
      row.meta.textContent =
        r.state === 'done'
          ? 'done'
          : r.state === 'queued' || r.state === 'loading'
            ? 'starting…'
            : r.state === 'waiting'
              ? 'waiting for upload'
              : `${r.fps > 0 ? `${r.fps.toFixed(1)} fps · ` : ''}${eta(r.eta)}`
    }
    const up = s.upload
    const total = Math.max(s.expectedBytes, up?.queuedBytes ?? 0)
    const done = up?.doneBytes ?? 0
    this.upload.bar.value = total > 0 ? Math.min(1, done / total) : 0
    this.upload.bar.classList.toggle('is-done', s.phase === 'done')
    const rate = up?.bytesPerSecond ?? 0
    const uploadEta = rate > 0 ? (total - done) / rate : null
    const skipped = up?.skippedFiles ? ` · ${up.skippedFiles} already there` : ''
    this.upload.meta.textContent = up
      ? up.state === 'offline'
        ? 'offline, waiting for the network'
        : up.state === 'retrying'
          ? `retrying in ${Math.max(1, Math.round(((up.retry?.at ?? Date.now()) - Date.now()) / 1000))} s`
          : `${formatBytes(done)} of ${s.encodeDone ? '' : '~'}${formatBytes(total)}${rate > 0 ? ` · ${formatBytes(rate)}/s` : ''}${skipped}`
      : 'waiting'
    if (up && up.state !== 'offline' && up.state !== 'retrying' && s.encodeDone && rate > 0) {
      this.upload.meta.textContent += ` · ${eta(uploadEta)}`
    }

    const fraction = s.encode?.fraction ?? 0
    const statusText = {
      creating: 'Creating the movie…',
      encoding: s.encodeDone
        ? 'Encoding done, uploading the last parts…'
        : `Encoding ${Math.round(fraction * 100)}% · uploaded ${Math.round(this.upload.bar.value * 100)}% · ${eta(s.encode?.eta)}`,
      paused: 'Paused',
      publishing: 'Publishing…',
      done: 'Published',
      failed: 'Stopped',
      cancelled: 'Cancelled',
    }[s.phase]
    this.status.textContent = statusText
    // Screen readers hear phase changes and every tenth of the way, not every tick.
    const spoken =
      s.phase === 'encoding' && !s.encodeDone ? `Encoding ${Math.floor(fraction * 10) * 10}%` : statusText
    if (spoken !== this.lastAnnounced) {
      this.lastAnnounced = spoken
      this.announcer.textContent = spoken
    }

    const stopped = s.phase === 'paused' || s.phase === 'failed'
    this.notice.hidden = !stopped || !s.error
    if (stopped && s.error) {
      const retry = s.error.retryable
        ? h(
            'button',
            { type: 'button', class: 'btn btn-sm btn-primary', onclick: () => this.actions.onRetry() },
            icon('retry'),
            s.fallback && s.phase === 'failed' ? 'Retry with ffmpeg.wasm' : 'Retry',
          )
        : null
      mount(this.notice, errorNotice(s.error, [retry]))
    }
    this.cancel.hidden = s.phase === 'done' || s.phase === 'cancelled'
  }
}

/** The published movie, with a link to watch it. */
export function renderDone(movie: Movie, posterUrl: string | null, onAnother: () => void): HTMLElement {
  const block = stateBlock({
    icon: 'check',
    success: true,
    title: `“${movie.name}” is published`,
    text: movie.active
      ? 'It is in the catalog now, streaming in every quality level.'
      : 'It is ready to stream; it stays out of the catalog until you make it active.',
    actions: [
      h(
        'a',
        { class: 'btn btn-primary', href: `/movies/${encodeURIComponent(movie.id)}` },
        icon('play'),
        'Watch it',
      ),
      h('button', { type: 'button', class: 'btn', onclick: onAnother }, 'Upload another video'),
    ],
  })
  if (posterUrl)
    block.prepend(h('img', { class: 'done-poster', src: posterUrl, alt: `Poster of ${movie.name}` }))
  return block
}

/** Shown instead of everything when nobody is signed in. */
export function renderSignedOut(): HTMLElement {
  return stateBlock({
    icon: 'lock',
    title: 'Sign in to upload',
    text: 'Uploading is for admins and uploaders. Sign in, and you will come straight back here.',
    actions: [h('a', { class: 'btn btn-primary', href: signInHref('/upload') }, 'Sign in')],
  })
}
