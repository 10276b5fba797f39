/**
 * @module Merging the manifests of parallel ffmpeg.wasm instances into the tracks of the one MPD that
 * is published: each instance's manifest is read by the DASH module's reader (the one publish uses),
 * its stream indexes renamed to the ladder's ids, and time slices joined end to end.
 */
import { mediaAttributes, parseMpd } from '../../../server/lib/dash/index.ts'
import { type EncodeJob, streamIds } from './jobs.ts'
import { buildManifest, type Track } from './manifest.ts'
import type { LadderPlan } from './types.ts'

/**
 * The ladder's tracks from each job's own manifest (keyed by job id): video largest first, and every
 * audio rendition in the plan's order.
 *
 * @throws Error when a job's manifest is missing, unreadable, or lacks one of its representations,
 * or when slices do not follow each other
 */
export function jobTracks(
  plan: LadderPlan,
  jobs: readonly EncodeJob[],
  manifests: ReadonlyMap<string, string>,
): { video: Track[]; audio: Track[] } {
  const parts = new Map<string, Track[]>()
  for (const job of jobs) {
    const xml = manifests.get(job.id)
    if (!xml) throw new Error(`instance ${job.id} wrote no manifest`)
    const ids = streamIds(job)
    const reps = parseMpd(xml).representations
    for (const id of ids) {
      const rep = reps.find((r) => ids[Number(r.id)] === id)
      if (!rep?.timeline || (rep.kind !== 'video' && rep.kind !== 'audio'))
        throw new Error(`instance ${job.id} lost representation ${id}`)
      const { timescale } = rep.timeline
      // A slice's times start at zero and its segments at 1: move both to the slice's place.
      const ticks = Math.round((job.range?.start ?? 0) * timescale)
      const first = job.range?.firstSegment ?? 0
      const track: Track = {
        id,
        contentType: rep.kind,
        bandwidth: rep.bandwidth,
        ...mediaAttributes(rep),
        timescale,
        segments: rep.timeline.segments.map((s) => ({
          number: s.number + first,
          start: s.start + ticks,
          duration: s.duration,
        })),
      }
      parts.set(id, [...(parts.get(id) ?? []), track])
    }
  }
  const joined = [...parts.entries()].map(([id, slices]) => joinSlices(id, slices))
  const order = plan.renditions.map((r) => r.id)
  const video = joined
    .filter((r) => r.contentType === 'video')
    .sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id))
  const audioOrder = plan.audio.flatMap((t) => t.renditions.map((r) => r.id))
  const audio = joined
    .filter((r) => r.contentType === 'audio')
    .sort((a, b) => audioOrder.indexOf(a.id) - audioOrder.indexOf(b.id))
  return { video, audio }
}

/**
 * Builds the published MPD from each job's own manifest (keyed by job id).
 *
 * @param sizes byte size of every media segment by final file name, for measured bandwidth
 * @throws Error as {@link jobTracks} and {@link buildManifest} do
 */
export function mergeJobManifests(
  plan: LadderPlan,
  jobs: readonly EncodeJob[],
  manifests: ReadonlyMap<string, string>,
  sizes: ReadonlyMap<string, number>,
): string {
  return buildManifest({ plan, ...jobTracks(plan, jobs, manifests), sizes })
}

/** One representation from its slices in time order, which must follow each other without a gap. */
function joinSlices(id: string, slices: Track[]): Track {
  const ordered = [...slices].sort((a, b) => (a.segments[0]?.start ?? 0) - (b.segments[0]?.start ?? 0))
  const first = ordered[0]!
  const segments = [...first.segments]
  for (const slice of ordered.slice(1)) {
    const last = segments[segments.length - 1]
    const next = slice.segments[0]
    if (!last || !next) throw new Error(`representation ${id} has an empty slice`)
    if (slice.timescale !== first.timescale) throw new Error(`representation ${id} changes timescale`)
    if (next.number !== last.number + 1 || next.start !== last.start + last.duration) {
      throw new Error(`representation ${id}: segment ${next.number} does not follow segment ${last.number}`)
    }
    segments.push(...slice.segments)
  }
  return { ...first, segments }
}
