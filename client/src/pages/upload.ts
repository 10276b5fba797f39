/**
 * The upload page: pick or drop a video, review what will be encoded, then watch the browser encode
 * it into a DASH ladder while each finished part uploads, and publish. Cross-origin isolated, so
 * the encoders can pause (shared memory) when the upload falls behind.
 * @module
 */
import '../upload/upload.css'
import type { User } from '../api.ts'
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
import { checkLimits, type Explanation, explain } from '../upload/messages.ts'
import { type MovieFields, type SessionSnapshot, UploadSession } from '../upload/session.ts'
import { createTrackPicker } from '../upload/tracks-view.ts'
import {
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

let session: UploadSession | null = null
let user: User | null = null

/** Leaving mid-upload loses the encoding work, so the browser asks first. */
window.addEventListener('beforeunload', (e) => {
  const phase = session?.current.phase
  if (phase && phase !== 'done' && phase !== 'cancelled' && phase !== 'failed') e.preventDefault()
})

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
  session = null
  show(renderPicker((files) => void chooseFiles(files), error))
  if (error) body.querySelector<HTMLElement>('[role="alert"]')?.focus()
}

/** The video among the files picked or dropped, and the subtitle files that came with it. */
function chooseFiles(files: File[]) {
  const video = files.find((f) => subtitleFormatOf(f.name) === null)
  if (!video) {
    return showPicker({
      title: 'Choose the video too',
      message: 'Subtitle files are added to a video: drop or choose them together with it.',
      retryable: false,
      signIn: false,
    })
  }
  return choose(
    video,
    files.filter((f) => f !== video && subtitleFormatOf(f.name) !== null),
  )
}

async function choose(file: File, sidecars: File[] = []) {
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
          void startIn(series.value(), file, chosen, fields, selection.files)
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
  file: File,
  plan: LadderPlan,
  fields: MovieFields,
  sidecars: File[],
) {
  try {
    const { seriesId, season, episode } = (await choice) ?? { seriesId: null }
    start(file, plan, seriesId ? { ...fields, seriesId, season, episode } : fields, sidecars)
  } catch (err) {
    toast(err instanceof Error ? err.message : String(err), 'error')
  }
}

function start(file: File, plan: LadderPlan, fields: MovieFields, sidecars: File[] = []) {
  let frame = 0
  let latest: SessionSnapshot | null = null
  const view = new RunView(fields.name, plan, {
    onCancel: async () => {
      const sure = await confirmDialog({
        title: 'Cancel this upload?',
        body: 'Encoding stops and the parts uploaded so far are deleted.',
        confirmLabel: 'Cancel upload',
        danger: true,
      })
      if (sure) await session?.cancel()
    },
    onRetry: () => void session?.retry(),
  })
  const current = new UploadSession(file, plan, fields, {
    sidecars,
    onChange: (snapshot) => {
      latest = snapshot
      if (snapshot.phase === 'done' && snapshot.movie) {
        const movie = snapshot.movie
        show(renderDone(movie, snapshot.posterUrl, () => showPicker()))
        focusHeading()
        return
      }
      if (snapshot.phase === 'cancelled') {
        showPicker()
        return
      }
      // Progress arrives many times a second from several encoders; paint once per frame.
      if (frame === 0) {
        frame = requestAnimationFrame(() => {
          frame = 0
          if (latest && session === current) view.update(latest)
        })
      }
    },
  })
  session = current
  show(view.element)
  view.focus()
  void current.start()
}

currentUser().then(
  (me) => {
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
    showPicker()
    // The engine loads while the person picks a file.
    preloadEngine()
  },
  () => showPicker(),
)
