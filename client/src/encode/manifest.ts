/**
 * @module The one static MPD published for a ladder: every video rendition a Representation of one
 * video AdaptationSet; each audio track an AdaptationSet of its own (`lang`, `Label`, `Role` main
 * for the main track, alternate for the others) holding its stereo rendition and, for surround
 * sources, a 5.1 one; each subtitle track a text AdaptationSet with one WebVTT file; the seek-bar
 * previews a DASH-IF thumbnail AdaptationSet. SegmentTemplate with SegmentTimeline, file names from
 * the DASH module's templates. Written by the DASH module's writer (server/lib/dash), which the
 * server's reader reads back at publish.
 */
import {
  type AdaptationSet,
  alignedTimeline,
  INIT_TEMPLATE,
  MEDIA_TEMPLATE,
  type MediaAttributes,
  measuredBandwidth,
  mediaName,
  type Representation,
  type SegmentAddressing,
  type SubtitleTrack,
  type Timeline,
  textAdaptationSet,
  thumbnailAdaptationSet,
  timelineSeconds,
  writeMpd,
} from '../../../server/lib/dash/index.ts'
import { format, toNumber } from './rational.ts'
import type { LadderPlan, ThumbnailPlan } from './types.ts'

/** An encoded track: its final id, what the encoder says of its media, and its segments in ticks. */
export interface Track extends MediaAttributes, Timeline {
  id: string
  contentType: 'video' | 'audio'
  /** Bits per second to declare when the segments' sizes are unknown. */
  bandwidth: number
  /**
   * Declare at least the bitrate of its busiest segment: the browser's encoder overshoots its target
   * 2–5× on sharp, busy pictures (anime-like line art, BENCHMARKS.md), and the player's ABR trusts
   * the declared bandwidth more than a buffer of one segment can absorb.
   */
  declarePeak?: boolean
}

export interface BuildManifestInput {
  plan: LadderPlan
  /** Largest first, with final ids. */
  video: Track[]
  /** Every audio rendition, with final ids ("a0", "a0-6ch", "a1"…). */
  audio: Track[]
  /** Subtitle tracks converted, in the plan's order. */
  subtitles?: readonly SubtitleTrack[]
  /** The preview sprites, when they were made: the grid and what the sheets cost per second. */
  thumbnails?: { plan: ThumbnailPlan; bandwidth: number } | null
  /** Byte size of every media segment by file name, for measured bandwidth. */
  sizes: ReadonlyMap<string, number>
}

/**
 * Builds the single static MPD for the whole ladder. Video timelines must line up (they do when every
 * instance encoded the same frames with the same GOP); if they somehow do not, each representation
 * keeps its own timeline and the set is not marked segment-aligned, which is still a valid MPD.
 *
 * @throws Error when there is no video representation or a timeline is empty.
 * @example
 * const xml = buildManifest({ plan, video: [v0, v1], audio: [a0], sizes })
 */
export function buildManifest(input: BuildManifestInput): string {
  const { plan, video, audio, sizes } = input
  if (video.length === 0) throw new Error('no video representation to publish')
  const tracks = [...video, ...audio]
  for (const track of tracks) {
    if (track.segments.length === 0) throw new Error(`representation ${track.id} has no segments`)
  }
  const minBufferTime = Math.max(2, plan.segmentDuration)
  const shared = alignedTimeline(video)
  const top = video[0]!
  const rendition = (id: string) => plan.renditions.find((r) => r.id === id)
  const plannedChannels = (id: string) =>
    plan.audio.flatMap((t) => t.renditions).find((r) => r.id === id)?.channels
  const rate = (r: { num: number; den: number }) => (r.den === 1 ? String(r.num) : format(r))
  const fastest = plan.renditions.map((r) => r.frameRate).sort((a, b) => toNumber(b) - toNumber(a))[0]
  const addressing = (track: Timeline, segments = track.segments): SegmentAddressing => ({
    timescale: track.timescale,
    initialization: INIT_TEMPLATE,
    media: MEDIA_TEMPLATE,
    segments,
  })
  const representation = (track: Track, own: boolean): Representation => {
    const planned = rendition(track.id)
    return {
      id: track.id,
      codecs: track.codecs,
      bandwidth: Math.max(
        measuredBandwidth(track, sizes, minBufferTime) ?? planned?.maxrate ?? track.bandwidth,
        track.declarePeak ? peakBandwidth(track, sizes) : 0,
      ),
      width: track.width,
      height: track.height,
      sar: track.contentType === 'video' ? (track.sar ?? '1:1') : undefined,
      frameRate: planned
        ? rate(planned.frameRate)
        : track.contentType === 'video'
          ? track.frameRate
          : undefined,
      audioSamplingRate: track.audioSamplingRate,
      channels: track.contentType === 'audio' ? (track.channels ?? plannedChannels(track.id)) : undefined,
      ...(own ? { addressing: addressing(track) } : {}),
    }
  }

  const videoSet: AdaptationSet = {
    id: '0',
    contentType: 'video',
    mimeType: 'video/mp4',
    segmentAlignment: shared !== null,
    startWithSAP: 1,
    par: format(plan.displayAspect, ':'),
    maxWidth: Math.max(...video.map((r) => r.width ?? 0)),
    maxHeight: Math.max(...video.map((r) => r.height ?? 0)),
    maxFrameRate: fastest ? rate(fastest) : undefined,
    ...(shared ? { addressing: addressing(top, shared) } : {}),
    representations: video.map((track) => representation(track, shared === null)),
  }
  const sets: AdaptationSet[] = [videoSet]
  for (const planned of plan.audio) {
    const encoded = planned.renditions
      .map((r) => audio.find((t) => t.id === r.id))
      .filter((t): t is Track => t !== undefined)
    if (encoded.length === 0) continue
    sets.push({
      id: String(sets.length),
      contentType: 'audio',
      mimeType: 'audio/mp4',
      segmentAlignment: true,
      startWithSAP: 1,
      lang: planned.language ?? undefined,
      labels: [planned.label],
      roles: [planned.main ? 'main' : 'alternate'],
      representations: encoded.map((t) => representation(t, true)),
    })
  }
  for (const subtitle of input.subtitles ?? []) sets.push(textAdaptationSet(String(sets.length), subtitle))
  const thumbnails = input.thumbnails
  if (thumbnails) {
    const { plan: t } = thumbnails
    const rate = plan.renditions[0]!.frameRate
    sets.push(
      thumbnailAdaptationSet(
        String(sets.length),
        {
          columns: t.columns,
          rows: t.rows,
          tileWidth: t.width,
          tileHeight: t.height,
          // Ticks of the frame rate's numerator: a tile lasts `step` frames exactly.
          timescale: rate.num,
          tileDuration: t.step * rate.den,
        },
        thumbnails.bandwidth,
      ),
    )
  }
  return writeMpd({
    duration: timelineSeconds(top),
    maxSegmentDuration: Math.max(...tracks.flatMap((t) => t.segments.map((s) => s.duration / t.timescale))),
    minBufferTime,
    periods: [{ id: '0', start: 0, adaptationSets: sets }],
  })
}

/**
 * The bitrate of a track's busiest segment (stored ones included), rounded up to a kbit/s. The last
 * segment counts only when it is the only one: a short tail is mostly its keyframe.
 */
function peakBandwidth(track: Track, sizes: ReadonlyMap<string, number>): number {
  const { segments, timescale } = track
  const full = segments.length > 1 ? segments.slice(0, -1) : segments
  let peak = 0
  for (const s of full) {
    const bytes = sizes.get(mediaName(track.id, s.number))
    if (bytes !== undefined && s.duration > 0) peak = Math.max(peak, (bytes * 8 * timescale) / s.duration)
  }
  return Math.ceil(peak / 1000) * 1000
}
