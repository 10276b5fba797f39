/**
 * HLS (RFC 8216bis, version 7) beside DASH over the same CMAF segments: the playlists are derived
 * from a manifest as {@link parseMpd} read it, so there is one reader and one truth about segments.
 *
 * - one media playlist per video and audio Representation: `EXT-X-MAP` naming its init segment,
 *   one `EXTINF` per segment of its timeline (exact to the microsecond; the last one cut at the
 *   presentation's end), `EXT-X-TARGETDURATION` ≥ every EXTINF rounded, VOD, ENDLIST;
 * - one media playlist per sidecar WebVTT subtitle (the whole file as one segment);
 * - a multivariant playlist: an `AUDIO` group per audio codec and channel count holding one
 *   rendition per language, a `SUBTITLES` group, and a `STREAM-INF` per video Representation and
 *   audio group with the peak and average bit rates measured from the stored segment sizes.
 *
 * Only single-Period presentations whose video and audio are fragmented MP4 with an init segment
 * and a SegmentTemplate get HLS ({@link hlsUnsupported} says why not otherwise). No I-frame
 * playlists: they need each keyframe's byte range inside the segments, which means reading every
 * segment; players fall back to ordinary segments for trick play.
 * @module
 */
import { canonicalLanguage } from '../languages.ts'
import { hlsMasterName, hlsMediaName, manifestVersion } from './names.ts'
import type { Mpd, MpdRepresentation } from './read.ts'

/** One playlist to store beside the manifest: its path in the movie and its text. */
export interface HlsFile {
  path: string
  text: string
}

export interface HlsPlaylists {
  /** Path of the multivariant playlist, e.g. `master.m3u8`. */
  master: string
  /** Every playlist, the multivariant one first. */
  files: HlsFile[]
}

export interface HlsOptions {
  /** Path of the manifest the playlists stand beside; its version names the multivariant playlist. */
  manifestPath: string
  /** Stored size of each file, by path: the bit rates are measured from them. */
  sizes?: ReadonlyMap<string, number>
}

const MEDIA_EXTENSIONS = /\.(m4s|mp4|cmfv|cmfa)$/

/**
 * Why a manifest gets no HLS, or null when it does.
 * @example hlsUnsupported(parseMpd(webmMpd)) // 'Representation "v0" is not fragmented MP4 …'
 */
export function hlsUnsupported(mpd: Mpd): string | null {
  if (mpd.type !== 'static') return 'only static (on-demand) presentations get HLS'
  if (new Set(mpd.representations.map((r) => r.periodId)).size > 1) return 'the manifest has several Periods'
  if (mpd.duration === null) return 'the presentation has no known duration'
  const av = mpd.representations.filter((r) => r.kind === 'video' || r.kind === 'audio')
  if (!av.some((r) => r.kind === 'video')) return 'the manifest has no video'
  for (const r of av) {
    const where = `Representation "${r.id}"`
    if (!/\/mp4$/.test(r.mimeType ?? '')) return `${where} is not fragmented MP4 (${r.mimeType ?? 'no type'})`
    if (!r.initialization) return `${where} has no init segment`
    if (!r.timeline || r.timeline.segments.length === 0)
      return `${where} is not addressed by a SegmentTemplate`
    if (!r.segments.every((s) => MEDIA_EXTENSIONS.test(s))) return `${where} names segments that are not CMAF`
    if (!r.codecs) return `${where} does not say its codecs`
  }
  return null
}

/**
 * The HLS playlists of a manifest, or null when it cannot have them ({@link hlsUnsupported}).
 * @example
 * const hls = hlsPlaylists(parseMpd(xml), { manifestPath: 'manifest.mpd', sizes })
 * hls?.master // 'master.m3u8'
 * hls?.files  // [{ path: 'master.m3u8', text: '#EXTM3U…' }, { path: 'hls-v0.m3u8', … }, …]
 */
export function hlsPlaylists(mpd: Mpd, opts: HlsOptions): HlsPlaylists | null {
  if (hlsUnsupported(mpd) !== null) return null
  const duration = mpd.duration!
  const sizes = opts.sizes ?? new Map<string, number>()
  const reps = mpd.representations
  const names = playlistKeys(reps)
  const media: HlsFile[] = []
  const rates = new Map<MpdRepresentation, Rates>()
  for (const rep of reps) {
    if (rep.kind !== 'video' && rep.kind !== 'audio') continue
    const extinf = segmentSeconds(rep, duration)
    media.push({ path: hlsMediaName(names.get(rep)!), text: mediaPlaylist(rep, extinf) })
    rates.set(rep, measuredRates(rep, extinf, sizes))
  }
  const subtitles = reps.filter((r) => r.kind === 'text' && !r.timeline && r.segments.length === 1)
  for (const rep of subtitles)
    media.push({ path: hlsMediaName(names.get(rep)!), text: wholeFile(rep, duration) })

  const version = manifestVersion(opts.manifestPath.slice(opts.manifestPath.lastIndexOf('/') + 1)) ?? 1
  const master = hlsMasterName(version)
  const text = multivariant(reps, names, rates, subtitles)
  return { master, files: [{ path: master, text }, ...media] }
}

// ───────────────────────────── media playlists ─────────────────────────────

function mediaPlaylist(rep: MpdRepresentation, extinf: number[]): string {
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    `#EXT-X-TARGETDURATION:${targetDuration(extinf)}`,
    `#EXT-X-MEDIA-SEQUENCE:${rep.timeline!.segments[0]!.number}`,
    '#EXT-X-PLAYLIST-TYPE:VOD',
    '#EXT-X-INDEPENDENT-SEGMENTS',
    `#EXT-X-MAP:URI="${rep.initialization}"`,
  ]
  for (const [i, uri] of rep.segments.entries()) lines.push(`#EXTINF:${seconds(extinf[i]!)},`, uri)
  lines.push('#EXT-X-ENDLIST')
  return `${lines.join('\n')}\n`
}

/** A sidecar WebVTT file as a one-segment subtitle playlist spanning the presentation. */
function wholeFile(rep: MpdRepresentation, duration: number): string {
  return `${[
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    `#EXT-X-TARGETDURATION:${targetDuration([duration])}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    `#EXTINF:${seconds(duration)},`,
    rep.segments[0]!,
    '#EXT-X-ENDLIST',
  ].join('\n')}\n`
}

/**
 * Each segment's length in seconds, from the timeline's ticks; the last one ends with the
 * presentation (a SegmentTimeline's `r="-1"` or a fixed `@duration` runs past it).
 */
function segmentSeconds(rep: MpdRepresentation, duration: number): number[] {
  const { timescale, segments } = rep.timeline!
  const out = segments.map((s) => s.duration / timescale)
  const first = segments[0]!
  const last = segments.at(-1)!
  const overrun = (last.start + last.duration - first.start) / timescale - duration
  if (overrun > 1e-6 && out.at(-1)! > overrun) out[out.length - 1] = out.at(-1)! - overrun
  return out
}

/** RFC 8216bis 4.4.3.1: every EXTINF, rounded to the nearest integer, is at most the target. */
function targetDuration(extinf: number[]): number {
  return Math.max(1, ...extinf.map((d) => Math.round(d)))
}

/** Microseconds are finer than any frame or audio sample, and every parser reads six decimals. */
const seconds = (s: number) => s.toFixed(6)

// ───────────────────────────── the multivariant playlist ─────────────────────────────

interface Rates {
  /** Bits per second of the busiest segment. */
  peak: number
  /** Bits per second over the whole presentation. */
  average: number
}

/**
 * Peak and average bit rates from the stored segment sizes; the manifest's `@bandwidth` where a
 * size is unknown. A last segment shorter than half the others is left out of the peak: a few
 * frames over a fraction of a second say nothing about the rate a player must sustain.
 */
function measuredRates(rep: MpdRepresentation, extinf: number[], sizes: ReadonlyMap<string, number>): Rates {
  const bytes = rep.segments.map((s) => sizes.get(s))
  if (bytes.some((b) => b === undefined)) return { peak: rep.bandwidth, average: rep.bandwidth }
  const total = extinf.reduce((a, b) => a + b, 0)
  const typical = extinf[0]!
  const rates = bytes.map((b, i) => (b! * 8) / extinf[i]!)
  const counted = rates.filter(
    (_, i) => i < rates.length - 1 || rates.length === 1 || extinf[i]! >= typical / 2,
  )
  return {
    peak: Math.ceil(Math.max(...counted)),
    average: Math.ceil((bytes.reduce((a, b) => a! + b!, 0)! * 8) / total),
  }
}

interface AudioGroup {
  id: string
  codecs: string
  /** One rendition per AdaptationSet (language): its best Representation of this codec. */
  renditions: MpdRepresentation[]
}

function multivariant(
  reps: MpdRepresentation[],
  names: Map<MpdRepresentation, string>,
  rates: Map<MpdRepresentation, Rates>,
  subtitles: MpdRepresentation[],
): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS', '']
  const groups = audioGroups(reps)
  for (const group of groups) {
    const taken = new Set<string>()
    const main = group.renditions.find((r) => r.roles.includes('main')) ?? group.renditions[0]
    for (const rep of group.renditions) {
      lines.push(
        mediaTag({
          TYPE: 'AUDIO',
          'GROUP-ID': quoted(group.id),
          NAME: quoted(uniqueName(rep, taken, 'Audio')),
          ...(languageOf(rep) ? { LANGUAGE: quoted(languageOf(rep)!) } : {}),
          DEFAULT: rep === main ? 'YES' : 'NO',
          AUTOSELECT: 'YES',
          ...(rep.channels ? { CHANNELS: quoted(String(rep.channels)) } : {}),
          URI: quoted(hlsMediaName(names.get(rep)!)),
        }),
      )
    }
  }
  const taken = new Set<string>()
  for (const rep of subtitles) {
    const forced = rep.roles.includes('forced-subtitle')
    lines.push(
      mediaTag({
        TYPE: 'SUBTITLES',
        'GROUP-ID': '"subs"',
        NAME: quoted(uniqueName(rep, taken, 'Subtitles')),
        ...(languageOf(rep) ? { LANGUAGE: quoted(languageOf(rep)!) } : {}),
        DEFAULT: 'NO',
        AUTOSELECT: forced ? 'NO' : 'YES',
        FORCED: forced ? 'YES' : 'NO',
        ...(rep.roles.includes('caption')
          ? {
              CHARACTERISTICS: quoted(
                'public.accessibility.transcribes-spoken-dialog,public.accessibility.describes-music-and-sound',
              ),
            }
          : {}),
        URI: quoted(hlsMediaName(names.get(rep)!)),
      }),
    )
  }
  if (lines.at(-1) !== '') lines.push('')

  const videos = reps.filter((r) => r.kind === 'video').sort((a, b) => b.bandwidth - a.bandwidth)
  // Without audio the variants stand alone; with several groups (stereo and 5.1), each picture
  // is offered with each sound, and the player picks the pair it can play.
  const pairs: (AudioGroup | null)[] = groups.length > 0 ? groups : [null]
  for (const group of pairs) {
    const audioRates = group?.renditions.map((r) => rates.get(r)!) ?? []
    const audioPeak = Math.max(0, ...audioRates.map((r) => r.peak))
    const audioAverage = Math.max(0, ...audioRates.map((r) => r.average))
    for (const video of videos) {
      const own = rates.get(video)!
      const attrs: Record<string, string> = {
        BANDWIDTH: String(own.peak + audioPeak),
        'AVERAGE-BANDWIDTH': String(own.average + audioAverage),
        CODECS: quoted([video.codecs!, ...(group ? [group.codecs] : [])].join(',')),
        ...(video.width && video.height ? { RESOLUTION: `${video.width}x${video.height}` } : {}),
        ...(frameRate(video.frameRate) ? { 'FRAME-RATE': frameRate(video.frameRate)! } : {}),
        ...(group ? { AUDIO: quoted(group.id) } : {}),
        ...(subtitles.length > 0 ? { SUBTITLES: '"subs"' } : {}),
        'CLOSED-CAPTIONS': 'NONE',
      }
      lines.push(`#EXT-X-STREAM-INF:${attributeList(attrs)}`, hlsMediaName(names.get(video)!))
    }
  }
  return `${lines.join('\n')}\n`
}

/** Audio Representations grouped by codec and channel count, each AdaptationSet once per group. */
function audioGroups(reps: MpdRepresentation[]): AudioGroup[] {
  const groups = new Map<string, AudioGroup & { sets: Map<string, MpdRepresentation> }>()
  reps.forEach((rep, index) => {
    if (rep.kind !== 'audio') return
    const key = `${rep.codecs}/${rep.channels ?? 0}`
    let group = groups.get(key)
    if (!group) {
      const channels = rep.channels ? `-${rep.channels}ch` : ''
      group = { id: `audio-${groups.size}${channels}`, codecs: rep.codecs!, renditions: [], sets: new Map() }
      groups.set(key, group)
    }
    const set = rep.adaptationSetId ?? `#${index}`
    const best = group.sets.get(set)
    if (!best || rep.bandwidth > best.bandwidth) group.sets.set(set, rep)
  })
  return [...groups.values()].map(({ id, codecs, sets }) => ({ id, codecs, renditions: [...sets.values()] }))
}

/**
 * The key each playlist is named by: the Representation id where it is a safe file name, else its
 * position; a subtitle's is its file's name, which changes with its content.
 */
function playlistKeys(reps: MpdRepresentation[]): Map<MpdRepresentation, string> {
  const keys = new Map<MpdRepresentation, string>()
  reps.forEach((rep, index) => {
    if (rep.kind === 'text') {
      const file = rep.segments[0] ?? ''
      keys.set(rep, `sub-${file.replace(/\.vtt$/, '').replace(/[^A-Za-z0-9._-]/g, '-')}`)
    } else keys.set(rep, /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$/.test(rep.id) ? rep.id : `r${index}`)
  })
  return keys
}

/** RFC 5646 as HLS's LANGUAGE wants it ("ja", not the "jpn" a file may say). */
function languageOf(rep: MpdRepresentation): string | null {
  return canonicalLanguage(rep.lang)
}

/** A rendition's NAME: its label (or language), unique within its group. */
function uniqueName(rep: MpdRepresentation, taken: Set<string>, fallback: string): string {
  const base = rep.labels[0] ?? languageOf(rep) ?? fallback
  let name = base
  for (let n = 2; taken.has(name); n++) name = `${base} (${n})`
  taken.add(name)
  return name
}

/** "30000/1001" → "29.970"; null when there is no rate. */
function frameRate(rate: string | undefined): string | null {
  if (!rate) return null
  const [num, den = '1'] = rate.split('/')
  const value = Number(num) / Number(den)
  return Number.isFinite(value) && value > 0 ? value.toFixed(3) : null
}

/** A quoted-string attribute value: no double quote, line feed or carriage return may appear in it. */
function quoted(value: string): string {
  return `"${value.replace(/["\r\n]/g, "'")}"`
}

function attributeList(attrs: Record<string, string>): string {
  return Object.entries(attrs)
    .map(([k, v]) => `${k}=${v}`)
    .join(',')
}

function mediaTag(attrs: Record<string, string>): string {
  return `#EXT-X-MEDIA:${attributeList(attrs)}`
}
