/**
 * @module The one static MPD published for a ladder: every video rendition a Representation of one
 * video AdaptationSet, the audio in its own, SegmentTemplate with SegmentTimeline, file names from
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
  type Representation,
  type SegmentAddressing,
  type Timeline,
  timelineSeconds,
  writeMpd,
} from '../../../server/lib/dash/index.ts'
import { format, toNumber } from './rational.ts'
import type { LadderPlan } from './types.ts'

/** An encoded track: its final id, what the encoder says of its media, and its segments in ticks. */
export interface Track extends MediaAttributes, Timeline {
  id: string
  contentType: 'video' | 'audio'
  /** Bits per second to declare when the segments' sizes are unknown. */
  bandwidth: number
}

export interface BuildManifestInput {
  plan: LadderPlan
  /** Largest first, with final ids. */
  video: Track[]
  audio: Track | null
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
 * const xml = buildManifest({ plan, video: [v0, v1], audio: a0, sizes })
 */
export function buildManifest({ plan, video, audio, sizes }: BuildManifestInput): string {
  if (video.length === 0) throw new Error('no video representation to publish')
  const tracks = [...video, ...(audio ? [audio] : [])]
  for (const track of tracks) {
    if (track.segments.length === 0) throw new Error(`representation ${track.id} has no segments`)
  }
  const minBufferTime = Math.max(2, plan.segmentDuration)
  const shared = alignedTimeline(video)
  const top = video[0]!
  const rendition = (id: string) => plan.renditions.find((r) => r.id === id)
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
      bandwidth: measuredBandwidth(track, sizes, minBufferTime) ?? planned?.maxrate ?? track.bandwidth,
      width: track.width,
      height: track.height,
      sar: track.contentType === 'video' ? (track.sar ?? '1:1') : undefined,
      frameRate: planned
        ? rate(planned.frameRate)
        : track.contentType === 'video'
          ? track.frameRate
          : undefined,
      audioSamplingRate: track.audioSamplingRate,
      channels: track.contentType === 'audio' ? (track.channels ?? plan.audio?.channels) : undefined,
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
  const audioSet: AdaptationSet | null = audio && {
    id: '1',
    contentType: 'audio',
    mimeType: 'audio/mp4',
    segmentAlignment: true,
    startWithSAP: 1,
    lang: plan.audio?.language ?? undefined,
    representations: [representation(audio, true)],
  }
  return writeMpd({
    duration: timelineSeconds(top),
    maxSegmentDuration: Math.max(...tracks.flatMap((t) => t.segments.map((s) => s.duration / t.timescale))),
    minBufferTime,
    periods: [{ id: '0', start: 0, adaptationSets: audioSet ? [videoSet, audioSet] : [videoSet] }],
  })
}
