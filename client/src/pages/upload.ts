/**
 * The upload page: pick or drop a video, review what will be encoded, then watch the browser encode
 * it into a DASH ladder while each finished part uploads, and publish. Cross-origin isolated, so
 * the encoders can pause (shared memory) when the upload falls behind.
 * @module
 */
import '../upload/upload.css'
import { api, call, type User } from '../api.ts'
import { planLadder } from '../encode/ladder.ts'
import { preloadEngine, probe } from '../encode/lazy.ts'
import { subtitleFormatOf } from '../encode/subtitles/formats.ts'
import { applyTrackChoices } from '../encode/tracks.ts'
import type { LadderPlan, ProbeResult } from '../encode/types.ts'
import { pageHead, stateBlock } from '../ui/blocks.ts'
import { confirmDialog } from '../ui/dialog.ts'
import { h, mount } from '../ui/dom.ts'
import { type SeriesChoice, seriesField } from '../ui/series-field.ts'
import { currentUser, initShell } from '../ui/shell.ts'
import { toast } from '../ui/toast.ts'
import { type BatchEntry, UploadBatch } from '../upload/batch.ts'
import { checkLimits, type Explanation, explain } from '../upload/messages.ts'
import {
  type PlannedFile,
  QueueView,
  SeasonPlanView,
  type SeriesChoice as SeasonSeries,
} from '../upload/season-view.ts'
import type { MovieFields } from '../upload/session.ts'
import { listUploads } from '../upload/store.ts'
import { createTrackPicker } from '../upload/tracks-view.ts'
import {
  errorNotice,
  type Picked,
  RunView,
  renderDone,
  renderPicker,
  renderPlan,
  renderProbing,
  renderSignedOut,
} from '../upload/view.ts'

const main = initShell('upload', { mainClass: 'upload-page' })
document.title = 'Upload · anime-die-heart'
const head = pageHead(
  'Upload a video',
  'Encoded for streaming right here in your browser, then published to the catalog.',
)
const body = document.createElement('div')
mount(main, head, body)

const batch = new UploadBatch((entry) => changed(entry))
/** The one-video view, while one runs on its own. */
let single: { entry: BatchEntry; view: RunView } | null = null
let queue: QueueView | null = null
const dirty = new Set<BatchEntry>()
let frame = 0
let user: User | null = null

/** Leaving mid-upload stops the encoders (the queue picks up again when the page is back), so the browser asks first. */
window.addEventListener('beforeunload', (e) => {
  const busy = batch.entries.some((entry) => {
    const phase = entry.snapshot?.phase
    return !entry.removed && phase && phase !== 'done' && phase !== 'cancelled' && phase !== 'failed'
  })
  if (busy) e.preventDefault()
})

function changed(entry: BatchEntry) {
  const snapshot = entry.snapshot
  if (single?.entry === entry && snapshot) {
    if (snapshot.phase === 'done' && snapshot.movie) {
      const movie = snapshot.movie
      single = null
      show(renderDone(movie, snapshot.posterUrl, () => showPicker()))
      focusHeading()
      return
    }
    if (snapshot.phase === 'cancelled') {
      single = null
      showPicker()
      return
    }
  }
  dirty.add(entry)
  // Progress arrives many times a second from several encoders; paint once per frame.
  if (frame === 0) {
    frame = requestAnimationFrame(() => {
      frame = 0
      for (const e of dirty) {
        if (single?.entry === e && e.snapshot) single.view.update(e.snapshot)
        queue?.update(e)
      }
      dirty.clear()
    })
  }
}

function show(...children: HTMLElement[]) {
  mount(body, ...children)
}

/** Moves focus to the new step's heading, so keyboard and screen-reader users land on it. */
function focusHeading(selector = 'h2') {
  const heading = body.querySelector<HTMLElement>(selector)
  heading?.setAttribute('tabindex', '-1')
  heading?.focus()
}

function showPicker(error: Explanation | null = null) {
  single = null
  show(renderPicker((files) => void chooseFiles(files), error))
  if (error) body.querySelector<HTMLElement>('[role="alert"]')?.focus()
}

/** One video (with the subtitle files that came with it) gets the full plan; several make a season. */
function chooseFiles(files: Picked[]) {
  const videos = files.filter((f) => subtitleFormatOf(f.file.name) === null && !f.file.name.startsWith('.'))
  const subtitles = files.filter((f) => subtitleFormatOf(f.file.name) !== null).map((f) => f.file)
  if (videos.length === 0) {
    return showPicker({
      title: 'Choose the video too',
      message: 'Subtitle files are added to a video: drop or choose them together with it.',
      retryable: false,
      signIn: false,
    })
  }
  if (videos.length === 1) return choose(videos[0]!, subtitles)
  return chooseSeason(videos, subtitles)
}

async function chooseSeason(videos: Picked[], subtitles: File[]) {
  const series = await call(
    api.series.$get({ query: user?.role === 'admin' ? { limit: '100' } : { mine: 'true', limit: '100' } }),
  ).then(
    (page) => page.items,
    () => [],
  )
  const view = new SeasonPlanView(videos, subtitles, series, {
    onReset: () => showPicker(),
    onStart: (planned, choice) => void startSeason(planned, choice, view.element),
  })
  show(view.element)
  focusHeading('#season-title')
}

async function startSeason(planned: PlannedFile[], choice: SeasonSeries, form: HTMLElement) {
  let seriesId: string | null = null
  try {
    if (choice.kind === 'new') seriesId = (await call(api.series.$post({ json: { name: choice.name } }))).id
    if (choice.kind === 'existing') seriesId = choice.id
  } catch (error) {
    form.querySelector('.season-error')?.remove()
    const notice = errorNotice(explain(error))
    notice.classList.add('season-error')
    form.prepend(notice)
    notice.focus()
    return
  }
  const view = showQueue()
  for (const p of planned) {
    const entry = batch.add({
      file: p.file,
      handle: p.handle,
      plan: p.plan,
      fields: { ...p.fields, ...(seriesId ? { seriesId } : {}) },
      sidecars: p.sidecars,
    })
    view.add(entry)
  }
  view.focus()
}

/** The queue of every file on this page (and those brought back after a reload). */
function showQueue(): QueueView {
  single = null
  queue ??= new QueueView({
    onRetry: (entry) => batch.retry(entry),
    onRenumber: (entry, episode) => batch.renumber(entry, episode),
    onRemove: async (entry) => {
      const sure = await confirmDialog({
        title: `Remove “${entry.stored.fields.name}”?`,
        body: 'Its encoding stops and the parts uploaded so far are deleted. Published videos stay.',
        confirmLabel: 'Remove',
        danger: true,
      })
      if (sure) await batch.remove(entry)
    },
    onResume: (entry, file) => void resume(entry, file),
    onResumeAll: () => {
      for (const entry of batch.entries) if (!entry.session && !entry.removed) void resume(entry)
    },
    onAnother: () => showPicker(),
  })
  show(queue.element)
  for (const entry of batch.entries) if (!entry.removed) queue.add(entry)
  return queue
}

async function resume(entry: BatchEntry, file?: File) {
  if (await batch.resume(entry, file)) return
  if (file) return queue?.wrongFile(entry, file)
  // The kept handle or copy is gone (or permission was refused): ask for the file.
  entry.stored.kept = null
  queue?.update(entry)
}

async function choose(picked: Picked, sidecars: File[] = []) {
  const { file } = picked
  const tooBig = checkLimits(file)
  if (tooBig) return showPicker(tooBig)
  show(renderProbing(file))
  let info: ProbeResult
  let plan: LadderPlan
  try {
    info = await probe(file)
    const tooLong = checkLimits(file, info)
    if (tooLong) return showPicker(tooLong)
    plan = planLadder(info)
  } catch (error) {
    return showPicker(explain(error))
  }
  // Uploaders put movies into their own series; admins into any.
  const series = seriesField({ id: 'upload', mine: user?.role !== 'admin', allowCreate: true })
  const tracks = createTrackPicker(file, info, plan, sidecars)
  show(
    renderPlan(
      file,
      info,
      plan,
      {
        onStart: (fields) => {
          const selection = tracks.selection()
          const chosen = applyTrackChoices(plan, selection.choices, selection.extra)
          void startIn(series.value(), picked, chosen, fields, selection.files)
        },
        onReset: () => showPicker(),
      },
      tracks.element,
      series.element,
    ),
  )
  focusHeading('#plan-title')
}

/** Starts once the series is known (a new one is created first). */
async function startIn(
  choice: Promise<SeriesChoice | null>,
  picked: Picked,
  plan: LadderPlan,
  fields: MovieFields,
  sidecars: File[],
) {
  try {
    const { seriesId, season, episode } = (await choice) ?? { seriesId: null }
    start(picked, plan, seriesId ? { ...fields, seriesId, season, episode } : fields, sidecars)
  } catch (err) {
    toast(err instanceof Error ? err.message : String(err), 'error')
  }
}

function start(picked: Picked, plan: LadderPlan, fields: MovieFields, sidecars: File[] = []) {
  const entry = batch.add({ file: picked.file, handle: picked.handle, plan, fields, sidecars })
  const view = new RunView(fields.name, plan, {
    onCancel: async () => {
      const sure = await confirmDialog({
        title: 'Cancel this upload?',
        body: 'Encoding stops and the parts uploaded so far are deleted.',
        confirmLabel: 'Cancel upload',
        danger: true,
      })
      if (sure) await batch.remove(entry)
    },
    onRetry: () => batch.retry(entry),
  })
  single = { entry, view }
  show(view.element)
  view.focus()
}

currentUser().then(
  async (me) => {
    user = me
    if (!me) return show(renderSignedOut())
    if (me.role === 'viewer') {
      return show(
        stateBlock({
          icon: 'lock',
          title: 'Viewers do not upload',
          text: 'Your account is for watching. Ask an admin of this server if you need to upload movies.',
          actions: [h('a', { class: 'btn btn-primary', href: '/' }, 'Back to the catalog')],
        }),
      )
    }
    // The engine loads while the person picks a file.
    preloadEngine()
    const unfinished = (await listUploads()).filter((u) => u.state !== 'done')
    if (unfinished.length === 0) return showPicker()
    batch.restore(unfinished)
    showQueue().focus()
  },
  () => showPicker(),
)
