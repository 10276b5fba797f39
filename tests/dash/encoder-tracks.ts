/**
 * The tracks an encoder backend hands buildManifest, made up from a plan: what the DASH round-trip
 * and the HLS playlist tests build manifests from.
 * @module
 */
import type { Track } from '../../client/src/encode/manifest.ts'
import type { LadderPlan } from '../../client/src/encode/types.ts'
import { initName, mediaName, type TimelineSegment } from '../../server/lib/dash/index.ts'

export const AUDIO_TIMESCALE = 48_000
/** AAC frames are 1024 samples: an audio segment is a whole number of them, so never exactly 2 s. */
export const AAC_SEGMENT = 94 * 1024

/** Segments of `seconds` of a rendition, one GOP each, the last one short; numbered from `first`. */
export function videoSegments(plan: LadderPlan, seconds: number, first = 1): TimelineSegment[] {
  const ts = plan.videoTimescale
  const length = Math.round(plan.segmentDuration * ts)
  const end = Math.round(seconds * ts)
  const out: TimelineSegment[] = []
  for (let start = 0, n = first; start < end; start += length, n++) {
    out.push({ number: n, start, duration: Math.min(length, end - start) })
  }
  return out
}

export function audioSegments(seconds: number): TimelineSegment[] {
  const end = Math.round(seconds * AUDIO_TIMESCALE)
  const out: TimelineSegment[] = []
  for (let start = 0, n = 1; start < end; start += AAC_SEGMENT, n++) {
    out.push({ number: n, start, duration: Math.min(AAC_SEGMENT, end - start) })
  }
  return out
}

/** The tracks the WebCodecs backend hands buildManifest for a plan (its RenditionEncoders and the audio job). */
export function webCodecsTracks(plan: LadderPlan): { video: Track[]; audio: Track[] } {
  const video = plan.renditions.map(
    (r): Track => ({
      id: r.id,
      contentType: 'video',
      codecs: 'avc1.64001f',
      bandwidth: r.maxrate,
      width: r.width,
      height: r.height,
      sar: '1:1',
      timescale: plan.videoTimescale,
      segments: videoSegments(plan, plan.source.duration),
    }),
  )
  const audio = plan.audio.flatMap((t) =>
    t.renditions.map(
      (a): Track => ({
        id: a.id,
        contentType: 'audio',
        codecs: 'mp4a.40.2',
        bandwidth: a.bitrate,
        audioSamplingRate: a.sampleRate,
        channels: a.channels,
        timescale: AUDIO_TIMESCALE,
        segments: audioSegments(plan.source.duration),
      }),
    ),
  )
  return { video, audio }
}

/** Every file an encoder writes for these tracks, by the DASH module's names. */
export function filesOf(tracks: readonly Track[]): string[] {
  return tracks.flatMap((t) => [initName(t.id), ...t.segments.map((s) => mediaName(t.id, s.number))])
}

/** Made-up sizes for every media segment, growing with the rung, for measured bandwidth. */
export function sizesOf(tracks: readonly Track[]): Map<string, number> {
  return new Map(
    tracks.flatMap((t, i) =>
      t.segments.map((s) => [mediaName(t.id, s.number), 40_000 * (5 - i) + s.number * 7]),
    ),
  )
}
