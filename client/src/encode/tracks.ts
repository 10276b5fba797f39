/**
 * @module Which tracks beside the picture a movie is published with: every audio track (AAC stereo,
 * plus 5.1 for surround sources: five channels and up), every subtitle track that is text (embedded, or a sidecar file
 * dropped with the video), and the seek-bar previews. The plan keeps all of them; the upload page
 * lets the uploader untick any and rename them (`applyTrackChoices`).
 */
import type { SubtitleRole } from '../../../server/lib/dash/tracks.ts'
import { canonicalLanguage, languageName } from '../../../server/lib/languages.ts'
import { type Rational, toNumber } from './rational.ts'
import { subtitleFormatOf } from './subtitles/formats.ts'
import type {
  AudioTrackPlan,
  LadderPlan,
  ProbeResult,
  SourceAudioTrack,
  SubtitleFormat,
  SubtitlePlan,
  ThumbnailPlan,
} from './types.ts'

/** AAC bitrates: stereo for every device, 5.1 for those with surround speakers. */
export const STEREO_BITRATE = 128_000
export const SURROUND_BITRATE = 320_000
const SAMPLE_RATE = 48_000

/** "Japanese", or the file's own title when it has one, or a number. */
function labelFor(title: string | null, language: string | null, fallback: string): string {
  return title?.slice(0, 100) || (language ? languageName(language) : fallback)
}

/**
 * Whether a track gets a 5.1 rendition beside the stereo one: from six channels (7.1 mixed down),
 * and 5.0, whose five channels ffmpeg's resampler keeps as they are with the LFE silent. A five-channel
 * layout with an LFE (4.1) is not: the resampler drops its LFE on the way to 5.1.
 */
export function hasSurround(track: Pick<SourceAudioTrack, 'channels' | 'channelLayout'>): boolean {
  return track.channels >= 6 || (track.channels === 5 && !/\.1|LFE/i.test(track.channelLayout ?? ''))
}

/** Every audio track of the source as AAC: the file's default track is the main one. */
export function planAudio(source: ProbeResult): AudioTrackPlan[] {
  if (!source.hasAudio) return []
  const main = source.audioTracks.find((t) => t.default) ?? source.audioTracks[0]
  return source.audioTracks.map((track, i) => {
    const id = `a${i}`
    const renditions: AudioTrackPlan['renditions'] = [
      {
        id,
        codec: 'aac',
        bitrate: STEREO_BITRATE,
        sampleRate: SAMPLE_RATE,
        channels: 2,
        source: track.index,
      },
    ]
    if (hasSurround(track)) {
      renditions.push({
        id: `${id}-6ch`,
        codec: 'aac',
        bitrate: SURROUND_BITRATE,
        sampleRate: SAMPLE_RATE,
        channels: 6,
        source: track.index,
      })
    }
    return {
      id,
      source: track.index,
      language: track.language,
      label: labelFor(track.title, track.language, `Audio ${i + 1}`),
      main: track === main,
      renditions,
    }
  })
}

/** What a subtitle track is for, from the file's flags. */
export function roleFor(flags: { forced?: boolean; hearingImpaired?: boolean }): SubtitleRole {
  return flags.forced ? 'forced-subtitle' : flags.hearingImpaired ? 'caption' : 'subtitle'
}

/** Every text subtitle track of the source; picture-based ones cannot be converted and are left out. */
export function planSubtitles(source: ProbeResult): SubtitlePlan[] {
  return source.subtitleTracks
    .filter((t) => t.format !== null)
    .map((track, i) => ({
      id: `s${i}`,
      source: { kind: 'embedded', index: track.index, format: track.format! },
      language: track.language,
      label: labelFor(track.title, track.language, `Subtitles ${i + 1}`),
      role: roleFor(track),
    }))
}

/** What a sidecar file's name says: `movie.fr.srt` is French, `movie.en.forced.srt` forced English. */
export interface SidecarInfo {
  format: SubtitleFormat
  language: string | null
  label: string
  role: SubtitleRole
  /** Whether its name starts with the video's name (`movie.fr.srt` beside `movie.mkv`). */
  matchesVideo: boolean
}

const base = (name: string) => name.replace(/\.[^.]+$/, '')

/**
 * @returns null for a file that is not a subtitle file we convert
 * @example sidecarInfo('Show - 01.fr.srt', 'Show - 01.mkv') // { format: 'srt', language: 'fr', label: 'French', role: 'subtitle', matchesVideo: true }
 */
export function sidecarInfo(fileName: string, videoName: string): SidecarInfo | null {
  const format = subtitleFormatOf(fileName)
  if (!format) return null
  const video = base(videoName)
  const stem = base(fileName)
  const matchesVideo = stem === video || stem.startsWith(`${video}.`)
  const tags = (matchesVideo ? stem.slice(video.length) : stem).split('.').filter(Boolean)
  const words = tags.map((t) => t.toLowerCase())
  const forced = words.includes('forced')
  const hearingImpaired = words.includes('sdh') || words.includes('cc') || words.includes('hi')
  // The language is the suffix that reads as a 2- or 3-letter code (or a region form, pt-BR).
  const language =
    tags
      .slice()
      .reverse()
      .filter(
        (t) => /^[a-z]{2,3}([-_][a-z0-9]{2,4})?$/i.test(t) && !['cc', 'hi', 'sdh'].includes(t.toLowerCase()),
      )
      .map((t) => canonicalLanguage(t))
      .find((t) => t !== null) ?? null
  const role = roleFor({ forced, hearingImpaired })
  const name = language ? languageName(language) : matchesVideo ? 'Subtitles' : stem.slice(0, 80)
  const label = role === 'forced-subtitle' ? `${name} (forced)` : role === 'caption' ? `${name} (SDH)` : name
  return { format, language, label, role, matchesVideo }
}

/**
 * The subtitle files among `files` that belong to the video `videoName` (`Show - 01.en.srt`
 * beside `Show - 01.mkv`), as the plans of the text tracks they add, each as its name says.
 */
export function sidecarsOf(
  files: readonly File[],
  videoName: string,
): { files: File[]; plans: Omit<SubtitlePlan, 'id'>[] } {
  const matched = files.flatMap((file) => {
    const info = sidecarInfo(file.name, videoName)
    return info?.matchesVideo ? [{ file, info }] : []
  })
  return {
    files: matched.map((m) => m.file),
    plans: matched.map(({ file, info }) => ({
      source: { kind: 'sidecar' as const, name: file.name, format: info.format },
      language: info.language,
      label: info.label,
      role: info.role,
    })),
  }
}

/** Nice intervals between previews, in seconds. */
const INTERVALS = [1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30, 45, 60, 90, 120, 180, 300]
const TARGET_PREVIEWS = 250
const MAX_PREVIEWS = 400
/** The box a tile fits in: 160 wide for landscape pictures, 160 tall for portrait ones. */
const TILE_BOX = 160

/**
 * A preview every N seconds, N chosen so that a movie has 100 to 400 of them (a short clip has one
 * a second), each a whole number of frames apart so both encoders pick the very same frames.
 */
export function planThumbnails(duration: number, frameRate: Rational, aspect: number): ThumbnailPlan {
  const target = duration / TARGET_PREVIEWS
  const interval =
    INTERVALS.find((n) => n >= target && duration / n <= MAX_PREVIEWS) ?? INTERVALS[INTERVALS.length - 1]!
  const fps = toNumber(frameRate)
  const step = Math.max(1, Math.round(interval * fps))
  const even = (x: number) => Math.max(2, 2 * Math.round(x / 2))
  const landscape = aspect >= 1
  return {
    step,
    interval: (step * frameRate.den) / frameRate.num,
    width: landscape ? TILE_BOX : even(TILE_BOX * aspect),
    height: landscape ? even(TILE_BOX / aspect) : TILE_BOX,
    columns: 10,
    rows: 10,
  }
}

/** What the uploader decided about one track on the upload page. */
export interface TrackChoice {
  /** The plan's track id ("a1", "s0"). */
  id: string
  keep: boolean
  language: string | null
  label: string
  /** Subtitles only. */
  role?: SubtitleRole
}

/**
 * The plan with only the tracks kept, relabelled as chosen. Audio ids are given again in order
 * ("a0", "a1"…), so a movie whose first track was dropped still starts at "a0"; if the main track
 * was dropped, the first one kept becomes main.
 */
export function applyTrackChoices(
  plan: LadderPlan,
  choices: readonly TrackChoice[],
  extraSubtitles: readonly Omit<SubtitlePlan, 'id'>[] = [],
): LadderPlan {
  const chosen = new Map(choices.map((c) => [c.id, c]))
  const apply = <T extends { id: string; language: string | null; label: string }>(t: T): T | null => {
    const c = chosen.get(t.id)
    if (!c) return t
    if (!c.keep) return null
    return { ...t, language: canonicalLanguage(c.language), label: c.label.trim().slice(0, 100) || t.label }
  }
  const kept = plan.audio.map(apply).filter((t) => t !== null)
  const hasMain = kept.some((t) => t.main)
  const audio = kept.map((t, i) => {
    const id = `a${i}`
    return {
      ...t,
      id,
      main: hasMain ? t.main : i === 0,
      renditions: t.renditions.map((r) => ({ ...r, id: r.channels > 2 ? `${id}-6ch` : id })),
    }
  })
  const subtitles = [
    ...plan.subtitles
      .map((s) => {
        const kept = apply(s)
        const role = chosen.get(s.id)?.role
        return kept && role ? { ...kept, role } : kept
      })
      .filter((s) => s !== null),
    ...extraSubtitles.map((s) => ({ ...s, id: '' })),
  ].map((s, i) => ({ ...s, id: `s${i}` }))
  return { ...plan, audio, subtitles }
}

/** Every audio rendition of the plan, track by track. */
export function audioRenditions(plan: Pick<LadderPlan, 'audio'>) {
  return plan.audio.flatMap((t) => t.renditions)
}
