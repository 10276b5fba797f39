/**
 * The upload page's track list: every audio and subtitle track found in the file, and the subtitle
 * files dropped with it, each ticked by default, with a label and a language the uploader may edit
 * (and, for subtitles, what they are for). Picture-based subtitles are listed as tracks that cannot
 * be converted. The page asks it for the uploader's choices when encoding starts.
 * @module
 */

import type { SubtitleRole } from '../../../server/lib/dash/tracks.ts'
import { canonicalLanguage, languageName } from '../../../server/lib/languages.ts'
import { SIDECAR_EXTENSIONS } from '../encode/subtitles/formats.ts'
import { hasSurround, sidecarInfo, type TrackChoice } from '../encode/tracks.ts'
import type { LadderPlan, ProbeResult, SubtitlePlan } from '../encode/types.ts'
import { h } from '../ui/dom.ts'

/** What the uploader decided: the plan's tracks to keep and rename, and the sidecar files to add. */
export interface TrackSelection {
  choices: TrackChoice[]
  /** Sidecar subtitles, in the order they are listed. */
  extra: Omit<SubtitlePlan, 'id'>[]
  /** The files those sidecars are read from. */
  files: File[]
}

export interface TrackPicker {
  element: HTMLElement
  /** Adds subtitle files (dropped or chosen later). */
  addFiles(files: readonly File[]): void
  selection(): TrackSelection
}

const ROLES: { value: SubtitleRole; label: string }[] = [
  { value: 'subtitle', label: 'Subtitles' },
  { value: 'forced-subtitle', label: 'Forced (signs, foreign lines)' },
  { value: 'caption', label: 'Captions (SDH)' },
]

/** Languages offered as you type; anything else that is a language tag works too. */
const COMMON = [
  'ja',
  'en',
  'es',
  'fr',
  'de',
  'it',
  'pt',
  'pt-BR',
  'ru',
  'zh',
  'ko',
  'ar',
  'pl',
  'tr',
  'id',
  'th',
  'vi',
]

/** Subtitle files a person may add, for the file chooser. */
export const SUBTITLE_ACCEPT = Object.keys(SIDECAR_EXTENSIONS)
  .map((e) => `.${e}`)
  .join(',')

interface Row {
  element: HTMLElement
  choice(): TrackChoice | null
  sidecar?: { file: File; plan: () => Omit<SubtitlePlan, 'id'> | null }
}

let rowCount = 0

/** One track: keep it?, its label, its language, and (subtitles) its kind. */
function trackRow(spec: {
  id: string
  kind: 'audio' | 'subtitles'
  /** Its place in its list, from 1. */
  number: number
  label: string
  language: string | null
  role?: SubtitleRole
  facts: string
  convertible: boolean
}): { element: HTMLElement; read: () => TrackChoice } {
  const n = ++rowCount
  // Numbered, not named: a track's own title is the uploader's text, and may say anything.
  const name = `${spec.kind === 'audio' ? 'audio' : 'subtitle'} track ${spec.number}`
  const keep = h('input', {
    type: 'checkbox',
    id: `track-keep-${n}`,
    checked: spec.convertible,
    disabled: !spec.convertible,
    'aria-label': `Keep ${name}`,
  })
  const label = h('input', {
    type: 'text',
    class: 'track-label',
    value: spec.label,
    maxlength: 100,
    'aria-label': `Label of ${name}`,
    disabled: !spec.convertible,
  })
  const language = h('input', {
    type: 'text',
    class: 'track-language',
    value: spec.language ?? '',
    placeholder: 'und',
    list: 'track-languages',
    maxlength: 35,
    size: 6,
    spellcheck: 'false',
    autocomplete: 'off',
    'aria-label': `Language of ${name}`,
    title: 'A language code: ja, en, fr, pt-BR…',
    disabled: !spec.convertible,
  })
  const role = spec.role
    ? h(
        'select',
        { class: 'track-role', 'aria-label': `Kind of ${name}`, disabled: !spec.convertible },
        ROLES.map((r) => h('option', { value: r.value, selected: r.value === spec.role }, r.label)),
      )
    : null
  const element = h(
    'div',
    { class: `track-row${spec.convertible ? '' : ' is-unusable'}`, 'data-track': spec.id },
    keep,
    h('div', { class: 'track-fields' }, label, language, role),
    h('span', { class: 'track-facts' }, spec.facts),
  )
  language.addEventListener('change', () => {
    const text = language.value.trim()
    const canonical = canonicalLanguage(text)
    const invalid = text !== '' && canonical === null
    language.toggleAttribute('aria-invalid', invalid)
    if (canonical) language.value = canonical
  })
  keep.addEventListener('change', () => element.classList.toggle('is-off', !keep.checked))
  return {
    element,
    read: () => ({
      id: spec.id,
      keep: keep.checked,
      language: canonicalLanguage(language.value),
      label: label.value.trim() || spec.label,
      ...(role ? { role: role.value as SubtitleRole } : {}),
    }),
  }
}

/** Speaker layouts by channel count, where ffprobe names none. */
const LAYOUTS: Record<number, string> = {
  1: 'mono',
  2: 'stereo',
  3: '2.1',
  4: '4.0',
  5: '5.0',
  6: '5.1',
  7: '6.1',
  8: '7.1',
}

/**
 * What a track's sound becomes (planAudio): a stereo rendition always, and a 5.1 one beside it
 * for 5.0 (its LFE silent) and from six channels up, more than six mixed down to it;
 * "5.1 → stereo + 5.1", "5.0 → stereo + 5.1", "4.1 → stereo".
 */
export function audioOutcome(channels: number, layout: string | null): string {
  const source = (layout?.replace(/\(.*\)$/, '') || LAYOUTS[channels]) ?? `${channels} channels`
  if (channels === 2) return 'stereo'
  if (!hasSurround({ channels, channelLayout: layout })) return `${source} → stereo`
  return `${source} → stereo + 5.1${channels > 6 ? ' (mixed down)' : ''}`
}

/**
 * @param plan the plan of the file, with every track (planLadder's)
 * @param files subtitle files dropped with the video
 */
export function createTrackPicker(
  video: File,
  probe: ProbeResult,
  plan: LadderPlan,
  files: readonly File[],
): TrackPicker {
  const rows: Row[] = []
  const audioList = h('div', { class: 'track-list', role: 'group', 'aria-labelledby': 'tracks-audio' })
  const subtitleList = h('div', { class: 'track-list', role: 'group', 'aria-labelledby': 'tracks-subtitles' })

  for (const track of plan.audio) {
    const source = probe.audioTracks.find((t) => t.index === track.source)
    const row = trackRow({
      id: track.id,
      kind: 'audio',
      number: audioList.childElementCount + 1,
      label: track.label,
      language: track.language,
      facts: [
        (source?.codec ?? 'audio').toUpperCase(),
        audioOutcome(source?.channels ?? 2, source?.channelLayout ?? null),
        track.main ? 'default' : null,
      ]
        .filter(Boolean)
        .join(' · '),
      convertible: true,
    })
    rows.push({ element: row.element, choice: row.read })
    audioList.append(row.element)
  }

  for (const track of probe.subtitleTracks) {
    const planned = plan.subtitles.find((s) => s.source.kind === 'embedded' && s.source.index === track.index)
    const row = trackRow({
      id: planned?.id ?? `unusable-${track.index}`,
      kind: 'subtitles',
      number: subtitleList.childElementCount + 1,
      label: planned?.label ?? track.title ?? (track.language ? languageName(track.language) : 'Subtitles'),
      language: track.language,
      role: planned?.role ?? 'subtitle',
      facts: planned
        ? [
            track.codec === 'subrip' ? 'SRT' : track.codec.toUpperCase(),
            track.forced ? 'forced' : null,
            track.default ? 'default' : null,
          ]
            .filter(Boolean)
            .join(' · ')
        : `${track.codec.toUpperCase()} (pictures): cannot be converted to text`,
      convertible: planned !== undefined,
    })
    rows.push({ element: row.element, choice: () => (planned ? row.read() : null) })
    subtitleList.append(row.element)
  }

  const empty = h(
    'p',
    { class: 'hint track-empty' },
    'No subtitles in this file. Add .srt, .ass or .vtt files below.',
  )
  const picker = h('input', {
    type: 'file',
    accept: SUBTITLE_ACCEPT,
    multiple: true,
    class: 'visually-hidden',
    tabindex: -1,
    'aria-hidden': 'true',
  })
  picker.addEventListener('change', () => {
    addFiles([...(picker.files ?? [])])
    picker.value = ''
  })

  function addFiles(list: readonly File[]) {
    for (const file of list) {
      const info = sidecarInfo(file.name, video.name)
      if (!info || rows.some((r) => r.sidecar?.file.name === file.name)) continue
      const row = trackRow({
        id: `sidecar-${file.name}`,
        kind: 'subtitles',
        number: subtitleList.childElementCount + 1,
        label: info.label,
        language: info.language,
        role: info.role,
        facts: `${file.name} · added`,
        convertible: true,
      })
      const plan = () => {
        const c = row.read()
        if (!c.keep) return null
        return {
          source: { kind: 'sidecar' as const, name: file.name, format: info.format },
          language: c.language,
          label: c.label,
          role: c.role ?? info.role,
        }
      }
      rows.push({ element: row.element, choice: () => null, sidecar: { file, plan } })
      subtitleList.append(row.element)
    }
    empty.hidden = subtitleList.childElementCount > 0
  }
  addFiles(files)
  empty.hidden = subtitleList.childElementCount > 0

  const element = h(
    'section',
    { class: 'tracks', 'aria-labelledby': 'tracks-title' },
    h('h3', { id: 'tracks-title' }, 'Tracks'),
    h(
      'datalist',
      { id: 'track-languages' },
      COMMON.map((tag) => h('option', { value: tag }, languageName(tag))),
    ),
    h('h4', { id: 'tracks-audio' }, 'Audio'),
    plan.audio.length > 0 ? audioList : h('p', { class: 'hint' }, 'This file has no sound.'),
    plan.audio.length > 0
      ? h(
          'p',
          { class: 'hint', id: 'tracks-audio-kept' },
          'Each ticked track is published in AAC: in stereo, which every device plays, and for tracks of 5.0 or more also in 5.1 for surround speakers (5.0 with a silent LFE; 7.1 is mixed down to 5.1; fewer channels only to stereo). ' +
            'Unticked tracks are left out; with none ticked, the movie has no sound.',
        )
      : null,
    h('h4', { id: 'tracks-subtitles' }, 'Subtitles'),
    subtitleList,
    empty,
    h(
      'button',
      { type: 'button', class: 'btn btn-sm', onclick: () => picker.click() },
      'Add subtitle files…',
    ),
    picker,
    h(
      'p',
      { class: 'hint' },
      'Subtitles become WebVTT; italics and positions are kept where players can show them. Untick what should not be published.',
    ),
  )

  return {
    element,
    addFiles,
    selection() {
      const sidecars = rows.flatMap((r) => {
        const p = r.sidecar?.plan()
        return p && r.sidecar ? [{ plan: p, file: r.sidecar.file }] : []
      })
      return {
        choices: rows.map((r) => r.choice()).filter((c): c is TrackChoice => c !== null),
        extra: sidecars.map((s) => s.plan),
        files: sidecars.map((s) => s.file),
      }
    },
  }
}
