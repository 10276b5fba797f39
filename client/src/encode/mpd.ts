/**
 * @module Reading the manifests ffmpeg's DASH muxer writes in each encoder instance and merging them
 * into the one static MPD the player gets: every video rendition a Representation of one video
 * AdaptationSet, one audio AdaptationSet, SegmentTemplate with SegmentTimeline.
 */
import { XMLParser } from 'fast-xml-parser'
import { format, toNumber } from './rational.ts'
import type { LadderPlan } from './types.ts'

/** One media segment of a representation, in its timescale's ticks. */
export interface TimelineSegment {
  number: number
  start: number
  duration: number
}

export interface ParsedRepresentation {
  /** Id inside the instance that wrote it (the stream index, "0", "1", ...). */
  localId: string
  contentType: 'video' | 'audio'
  codecs: string
  bandwidth: number
  width?: number
  height?: number
  sar?: string
  frameRate?: string
  audioSamplingRate?: number
  channels?: number
  timescale: number
  segments: TimelineSegment[]
}

export interface ParsedManifest {
  /** Seconds. */
  duration: number
  representations: ParsedRepresentation[]
}

type Node = Record<string, unknown>

const ARRAYS = new Set(['Period', 'AdaptationSet', 'Representation', 'S'])

/** Seconds from an ISO 8601 duration such as "PT1H2M3.5S". */
export function parseDuration(text: string): number {
  const m =
    /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(
      text.trim(),
    )
  if (!m) throw new Error(`bad duration "${text}"`)
  return Number(m[1] ?? 0) * 86400 + Number(m[2] ?? 0) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0)
}

/** "PT1M2.500S": the shortest exact-to-the-millisecond ISO 8601 duration. */
export function formatDuration(seconds: number): string {
  const ms = Math.round(seconds * 1000)
  const h = Math.floor(ms / 3_600_000)
  const m = Math.floor((ms % 3_600_000) / 60_000)
  const s = (ms % 60_000) / 1000
  return `PT${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s.toFixed(3)}S`
}

function attr(node: Node | undefined, name: string): string | undefined {
  const v = node?.[`@_${name}`]
  return v === undefined ? undefined : String(v)
}

function list(node: Node | undefined, name: string): Node[] {
  const v = node?.[name]
  return Array.isArray(v) ? (v as Node[]) : []
}

function expandTimeline(template: Node | undefined): TimelineSegment[] {
  const timeline = template?.SegmentTimeline as Node | undefined
  let number = Number(attr(template, 'startNumber') ?? 1)
  let time = 0
  const out: TimelineSegment[] = []
  for (const s of list(timeline, 'S')) {
    const t = attr(s, 't')
    if (t !== undefined) time = Number(t)
    const d = Number(attr(s, 'd'))
    const repeat = Number(attr(s, 'r') ?? 0)
    for (let i = 0; i <= repeat; i++) {
      out.push({ number: number++, start: time, duration: d })
      time += d
    }
  }
  return out
}

/** Reads a manifest written by ffmpeg's DASH muxer (SegmentTemplate + SegmentTimeline). */
export function parseFfmpegManifest(xml: string): ParsedManifest {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseAttributeValue: false,
    isArray: (name) => ARRAYS.has(name),
  })
  const doc = parser.parse(xml) as { MPD?: Node }
  const mpd = doc.MPD
  if (!mpd) throw new Error('not an MPD')
  const representations: ParsedRepresentation[] = []
  for (const period of list(mpd, 'Period')) {
    for (const set of list(period, 'AdaptationSet')) {
      for (const rep of list(set, 'Representation')) {
        const mime = attr(rep, 'mimeType') ?? attr(set, 'mimeType') ?? ''
        const contentType = (attr(set, 'contentType') ?? mime.split('/')[0]) === 'audio' ? 'audio' : 'video'
        const template = (rep.SegmentTemplate ?? set.SegmentTemplate) as Node | undefined
        const channels = attr(rep.AudioChannelConfiguration as Node | undefined, 'value')
        const width = attr(rep, 'width')
        const height = attr(rep, 'height')
        const rate = attr(rep, 'audioSamplingRate')
        const sar = attr(rep, 'sar')
        const frameRate = attr(rep, 'frameRate') ?? attr(set, 'frameRate')
        representations.push({
          localId: attr(rep, 'id') ?? String(representations.length),
          contentType,
          codecs: attr(rep, 'codecs') ?? '',
          bandwidth: Number(attr(rep, 'bandwidth') ?? 0),
          ...(width ? { width: Number(width) } : {}),
          ...(height ? { height: Number(height) } : {}),
          ...(sar ? { sar } : {}),
          ...(frameRate ? { frameRate } : {}),
          ...(rate ? { audioSamplingRate: Number(rate) } : {}),
          ...(channels ? { channels: Number(channels) } : {}),
          timescale: Number(attr(template, 'timescale') ?? 1),
          segments: expandTimeline(template),
        })
      }
    }
  }
  return { duration: parseDuration(attr(mpd, 'mediaPresentationDuration') ?? 'PT0S'), representations }
}

/** A parsed representation with its final id ("v0", "a0") across all instances. */
export interface MergeInput extends ParsedRepresentation {
  id: string
}

export const FINAL_NAMES = {
  init: 'init-$RepresentationID$.m4s',
  media: 'chunk-$RepresentationID$-$Number%05d$.m4s',
} as const

/** The file name a template resolves to, e.g. mediaName("v1", 3) = "chunk-v1-00003.m4s". */
export function mediaName(id: string, number: number): string {
  return `chunk-${id}-${String(number).padStart(5, '0')}.m4s`
}

export function initName(id: string): string {
  return `init-${id}.m4s`
}

/**
 * Bandwidth by the DASH buffer model: the smallest rate at which, after `minBufferTime` of
 * prebuffering, every segment has arrived before it is due. Measured on the actual segment sizes,
 * so the players' ABR sees what the encoder really produced rather than the target bitrate.
 */
export function measuredBandwidth(
  rep: MergeInput,
  sizes: ReadonlyMap<string, number>,
  minBufferTime: number,
): number | null {
  let bits = 0
  let worst = 0
  const first = rep.segments[0]?.start ?? 0
  for (const seg of rep.segments) {
    const size = sizes.get(mediaName(rep.id, seg.number))
    if (size === undefined) return null
    bits += size * 8
    const due = minBufferTime + (seg.start - first) / rep.timescale
    worst = Math.max(worst, bits / due)
  }
  return worst > 0 ? Math.ceil(worst / 1000) * 1000 : null
}

function escapeXml(value: string | number): string {
  return String(value).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')
}

function attrs(pairs: Record<string, string | number | undefined | null>): string {
  return Object.entries(pairs)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => ` ${k}="${escapeXml(v as string | number)}"`)
    .join('')
}

function timelineXml(segments: readonly TimelineSegment[], indent: string): string {
  const runs: { t: number | undefined; d: number; r: number }[] = []
  let expected: number | undefined
  for (const seg of segments) {
    const last = runs[runs.length - 1]
    if (last && last.d === seg.duration && seg.start === expected) last.r++
    else runs.push({ t: seg.start === expected ? undefined : seg.start, d: seg.duration, r: 0 })
    expected = seg.start + seg.duration
  }
  const lines = runs.map((run) => `${indent}  <S${attrs({ t: run.t, d: run.d, r: run.r || undefined })}/>`)
  return `${indent}<SegmentTimeline>\n${lines.join('\n')}\n${indent}</SegmentTimeline>`
}

function templateXml(rep: MergeInput, segments: readonly TimelineSegment[], indent: string): string {
  const open = `${indent}<SegmentTemplate${attrs({
    timescale: rep.timescale,
    initialization: FINAL_NAMES.init,
    media: FINAL_NAMES.media,
    startNumber: segments[0]?.number ?? 1,
  })}>`
  return `${open}\n${timelineXml(segments, `${indent}  `)}\n${indent}</SegmentTemplate>`
}

/** Video timelines agree when every segment starts at the same tick; the last may end a frame apart. */
function sharedTimeline(reps: readonly MergeInput[]): TimelineSegment[] | null {
  const [first, ...rest] = reps
  if (!first) return null
  for (const rep of rest) {
    if (rep.timescale !== first.timescale || rep.segments.length !== first.segments.length) return null
    for (let i = 0; i < rep.segments.length; i++) {
      const a = first.segments[i]!
      const b = rep.segments[i]!
      if (a.start !== b.start || a.number !== b.number) return null
      if (i < rep.segments.length - 1 && a.duration !== b.duration) return null
    }
  }
  return first.segments.map((s, i) => ({
    ...s,
    duration: Math.max(...reps.map((r) => r.segments[i]!.duration)),
  }))
}

export interface BuildManifestInput {
  plan: LadderPlan
  /** Largest first, with final ids. */
  video: MergeInput[]
  audio: MergeInput | null
  /** Byte size of every media segment by file name, for measured bandwidth. */
  sizes: ReadonlyMap<string, number>
}

/**
 * Builds the single static MPD for the whole ladder. Video timelines must line up (they do when every
 * instance encoded the same frames with the same GOP); if they somehow do not, each representation
 * keeps its own timeline and the set is not marked segment-aligned, which is still a valid MPD.
 *
 * @throws Error when there is no video representation or a timeline is empty.
 */
export function buildManifest({ plan, video, audio, sizes }: BuildManifestInput): string {
  if (video.length === 0) throw new Error('no video representation to publish')
  for (const rep of [...video, ...(audio ? [audio] : [])]) {
    if (rep.segments.length === 0) throw new Error(`representation ${rep.id} has no segments`)
  }
  const minBufferTime = Math.max(2, plan.segmentDuration)
  const shared = sharedTimeline(video)
  const top = video[0]!
  const end = (rep: MergeInput) => {
    const last = rep.segments[rep.segments.length - 1]!
    return (last.start + last.duration - rep.segments[0]!.start) / rep.timescale
  }
  const duration = end(top)
  const maxSegment = Math.max(
    ...[...video, ...(audio ? [audio] : [])].flatMap((r) => r.segments.map((s) => s.duration / r.timescale)),
  )
  const rendition = (id: string) => plan.renditions.find((r) => r.id === id)
  const bandwidth = (rep: MergeInput) =>
    measuredBandwidth(rep, sizes, minBufferTime) ?? rendition(rep.id)?.maxrate ?? rep.bandwidth
  const frameRate = (id: string) => {
    const r = rendition(id)?.frameRate
    return r ? (r.den === 1 ? String(r.num) : format(r)) : undefined
  }
  const maxRate = plan.renditions.map((r) => r.frameRate).sort((a, b) => toNumber(b) - toNumber(a))[0]

  const out: string[] = []
  out.push('<?xml version="1.0" encoding="utf-8"?>')
  out.push(
    `<MPD${attrs({
      xmlns: 'urn:mpeg:dash:schema:mpd:2011',
      profiles: 'urn:mpeg:dash:profile:isoff-live:2011',
      type: 'static',
      mediaPresentationDuration: formatDuration(duration),
      maxSegmentDuration: formatDuration(maxSegment),
      minBufferTime: formatDuration(minBufferTime),
    })}>`,
  )
  out.push(`  <Period${attrs({ id: '0', start: 'PT0S' })}>`)
  out.push(
    `    <AdaptationSet${attrs({
      id: '0',
      contentType: 'video',
      mimeType: 'video/mp4',
      segmentAlignment: shared ? 'true' : 'false',
      startWithSAP: '1',
      par: format(plan.displayAspect, ':'),
      maxWidth: Math.max(...video.map((r) => r.width ?? 0)),
      maxHeight: Math.max(...video.map((r) => r.height ?? 0)),
      maxFrameRate: maxRate ? (maxRate.den === 1 ? String(maxRate.num) : format(maxRate)) : undefined,
    })}>`,
  )
  if (shared) out.push(templateXml(top, shared, '      '))
  for (const rep of video) {
    const head = `      <Representation${attrs({
      id: rep.id,
      codecs: rep.codecs,
      bandwidth: bandwidth(rep),
      width: rep.width,
      height: rep.height,
      sar: rep.sar ?? '1:1',
      frameRate: frameRate(rep.id) ?? rep.frameRate,
    })}`
    if (shared) out.push(`${head}/>`)
    else out.push(`${head}>\n${templateXml(rep, rep.segments, '        ')}\n      </Representation>`)
  }
  out.push('    </AdaptationSet>')
  if (audio) {
    out.push(
      `    <AdaptationSet${attrs({
        id: '1',
        contentType: 'audio',
        mimeType: 'audio/mp4',
        segmentAlignment: 'true',
        startWithSAP: '1',
        lang: plan.audio?.language ?? undefined,
      })}>`,
    )
    out.push(
      `      <Representation${attrs({
        id: audio.id,
        codecs: audio.codecs,
        bandwidth: bandwidth(audio),
        audioSamplingRate: audio.audioSamplingRate,
      })}>`,
    )
    out.push(
      `        <AudioChannelConfiguration${attrs({
        schemeIdUri: 'urn:mpeg:dash:23003:3:audio_channel_configuration:2011',
        value: audio.channels ?? plan.audio?.channels,
      })}/>`,
    )
    out.push(templateXml(audio, audio.segments, '        '))
    out.push('      </Representation>')
    out.push('    </AdaptationSet>')
  }
  out.push('  </Period>')
  out.push('</MPD>')
  return `${out.join('\n')}\n`
}
