/**
 * The movie page's subtitle editor, for the movie's uploader and admins once it is published: the
 * subtitle tracks with Replace and Delete, and Add. SubRip, ASS/SSA and WebVTT files are converted
 * to WebVTT in the browser (the encoder's converter, loaded when a file is picked) and sent to
 * /api/movies/{id}/subtitles, which publishes a new manifest version; the page then reloads so the
 * player follows it.
 * @module
 */
import { api, call, type Movie } from '../api.ts'
import { subtitleFormatOf } from '../encode/subtitles/formats.ts'
import { sidecarInfo } from '../encode/tracks.ts'
import { confirmDialog, formDialog } from '../ui/dialog.ts'
import { h } from '../ui/dom.ts'
import { icon } from '../ui/icons.ts'
import { toast } from '../ui/toast.ts'
import { SUBTITLE_ACCEPT } from '../upload/tracks-view.ts'

type Subtitle = Movie['subtitles'][number]
type Role = Subtitle['role']

const ROLE_LABELS: Record<Role, string> = {
  subtitle: 'Subtitles',
  'forced-subtitle': 'Forced (signs, foreign lines)',
  caption: 'Captions (SDH)',
}

/** A subtitle file as WebVTT text, converted here. */
async function webVttOf(file: File): Promise<string> {
  const format = subtitleFormatOf(file.name)
  if (!format) throw new Error(`“${file.name}” is not a subtitle file (.srt, .ass, .ssa or .vtt).`)
  const { toWebVtt } = await import('../encode/subtitles/index.ts')
  return toWebVtt(new Uint8Array(await file.arrayBuffer()), format)
}

/** Asks for a file (and its language, name and kind), converts it and sends it. */
function editDialog(movie: Movie, existing: Subtitle | null): Promise<boolean> {
  const file = h('input', { type: 'file', name: 'file', accept: SUBTITLE_ACCEPT, required: !existing })
  const language = h('input', {
    type: 'text',
    name: 'language',
    value: existing?.language ?? '',
    placeholder: 'en, ja, pt-BR…',
    maxlength: 35,
    autocomplete: 'off',
  })
  const label = h('input', { type: 'text', name: 'label', value: existing?.label ?? '', maxlength: 100 })
  const role = h(
    'select',
    { name: 'role' },
    (Object.keys(ROLE_LABELS) as Role[]).map((r) =>
      h('option', { value: r, selected: r === (existing?.role ?? 'subtitle') }, ROLE_LABELS[r]),
    ),
  )
  file.addEventListener('change', () => {
    const picked = file.files?.[0]
    const info = picked ? sidecarInfo(picked.name, movie.name) : null
    if (!info) return
    if (info.language && !language.value) language.value = info.language
    if (!label.value) label.value = info.label
    role.value = info.role
  })
  const field = (text: string, control: HTMLElement, hint?: string) =>
    h(
      'label',
      { class: 'field' },
      h('span', null, text),
      control,
      hint ? h('span', { class: 'hint' }, hint) : null,
    )
  return formDialog({
    title: existing ? `Replace “${existing.label}”` : 'Add subtitles',
    submitLabel: existing ? 'Replace' : 'Add',
    fields: [
      field(
        'Subtitle file',
        file,
        existing ? 'Leave empty to keep the file and change only the details.' : '.srt, .ass, .ssa or .vtt',
      ),
      field('Language', language),
      field('Name', label, 'Shown in the player’s menu, e.g. “English (signs & songs)”.'),
      field('Kind', role),
    ],
    onSubmit: async () => {
      const picked = file.files?.[0]
      const vtt = picked ? await webVttOf(picked) : undefined
      const details = {
        language: language.value.trim() || null,
        ...(label.value.trim() ? { label: label.value.trim() } : {}),
        role: role.value as Role,
      }
      if (existing) {
        await call(
          api.movies[':id'].subtitles[':track'].$put({
            param: { id: movie.id, track: existing.id },
            json: { ...details, ...(vtt ? { vtt } : {}) },
          }),
        )
      } else {
        await call(
          api.movies[':id'].subtitles.$post({ param: { id: movie.id }, json: { ...details, vtt: vtt! } }),
        )
      }
    },
  })
}

/** The editor, or null when the movie is not published (its subtitles come with the upload). */
export function subtitleEditor(movie: Movie): HTMLElement | null {
  if (movie.status !== 'ready') return null
  const changed = (message: string) => {
    toast(message, 'ok')
    // The player holds the manifest it loaded; the new version is the movie's now.
    location.reload()
  }
  const rows = movie.subtitles.map((s) =>
    h(
      'li',
      { class: 'subtitle-row', 'data-subtitle': s.id },
      h(
        'span',
        { class: 'subtitle-name' },
        h('strong', null, s.label),
        h(
          'span',
          null,
          [s.language ?? 'und', s.role !== 'subtitle' ? ROLE_LABELS[s.role].toLowerCase() : null]
            .filter(Boolean)
            .join(' · '),
        ),
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'btn btn-sm',
          'aria-label': `Replace ${s.label}`,
          onclick: async () => {
            if (await editDialog(movie, s)) changed(`“${s.label}” replaced.`)
          },
        },
        icon('edit'),
        'Replace',
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'btn btn-sm btn-ghost',
          'aria-label': `Delete ${s.label}`,
          onclick: async () => {
            const sure = await confirmDialog({
              title: `Delete “${s.label}”?`,
              body: h('p', null, 'Viewers will no longer find it in the subtitles menu.'),
              confirmLabel: 'Delete',
              danger: true,
            })
            if (!sure) return
            try {
              await call(
                api.movies[':id'].subtitles[':track'].$delete({ param: { id: movie.id, track: s.id } }),
              )
              changed(`“${s.label}” deleted.`)
            } catch (err) {
              toast(err instanceof Error ? err.message : String(err), 'error')
            }
          },
        },
        icon('trash'),
        'Delete',
      ),
    ),
  )
  return h(
    'section',
    { class: 'subtitle-editor', 'aria-labelledby': 'subtitle-editor-title' },
    h('h2', { id: 'subtitle-editor-title' }, 'Subtitles'),
    rows.length
      ? h('ul', { class: 'subtitle-rows' }, rows)
      : h('p', { class: 'hint' }, 'This movie has no subtitles yet.'),
    h(
      'button',
      {
        type: 'button',
        class: 'btn btn-sm',
        onclick: async () => {
          if (await editDialog(movie, null)) changed('Subtitles added.')
        },
      },
      icon('upload'),
      'Add subtitles…',
    ),
  )
}
