/**
 * The upload page: pick or drop a video, review what will be encoded, then watch the browser encode
 * it into a DASH ladder while each finished part uploads, and publish. Cross-origin isolated, so
 * the encoders can pause (shared memory) when the upload falls behind.
 * @module
 */
import '../upload/upload.css'
import { planLadder } from '../encode/ladder.ts'
import { preloadEngine, probe } from '../encode/lazy.ts'
import { subtitleFormatOf } from '../encode/subtitles/formats.ts'
import { applyTrackChoices } from '../encode/tracks.ts'
import type { LadderPlan, ProbeResult } from '../encode/types.ts'
import { pageHead } from '../ui/blocks.ts'
import { confirmDialog } from '../ui/dialog.ts'
import { mount } from '../ui/dom.ts'
import { currentUser, initShell } from '../ui/shell.ts'
import { checkLimits, type Explanation, explain } from '../upload/messages.ts'
import { type SessionSnapshot, UploadSession } from '../upload/session.ts'
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
          start(file, chosen, fields, selection.files)
        },
        onReset: () => showPicker(),
      },
      tracks.element,
    ),
  )
  focusHeading('#plan-title')
}

function start(
  file: File,
  plan: LadderPlan,
  fields: { name: string; description: string; active: boolean },
  sidecars: File[] = [],
) {
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
  (user) => {
    if (!user) return show(renderSignedOut())
    showPicker()
    // The engine loads while the person picks a file.
    preloadEngine()
  },
  () => showPicker(),
)
