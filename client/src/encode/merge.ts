/** @module Merging the manifests of parallel encoder instances into the one MPD that is published. */
import { type EncodeJob, streamIds } from './jobs.ts'
import { buildManifest, type MergeInput, parseFfmpegManifest } from './mpd.ts'
import type { LadderPlan } from './types.ts'

/**
 * Builds the published MPD from each job's own manifest (keyed by job id), renaming each instance's
 * stream indexes to the ladder's representation ids.
 *
 * @param sizes byte size of every media segment by final file name, for measured bandwidth
 * @throws Error when a job's manifest is missing or lacks one of its representations
 */
export function mergeJobManifests(
  plan: LadderPlan,
  jobs: readonly EncodeJob[],
  manifests: ReadonlyMap<string, string>,
  sizes: ReadonlyMap<string, number>,
): string {
  const parts = new Map<string, MergeInput[]>()
  for (const job of jobs) {
    const xml = manifests.get(job.id)
    if (!xml) throw new Error(`instance ${job.id} wrote no manifest`)
    const ids = streamIds(job)
    const reps = parseFfmpegManifest(xml).representations
    for (const id of ids) {
      const rep = reps.find((r) => ids[Number(r.localId)] === id)
      if (!rep) throw new Error(`instance ${job.id} lost representation ${id}`)
      // A slice's times start at zero and its segments at 1: move both to the slice's place.
      const ticks = Math.round((job.range?.start ?? 0) * rep.timescale)
      const first = job.range?.firstSegment ?? 0
      const segments = rep.segments.map((s) => ({
        number: s.number + first,
        start: s.start + ticks,
        duration: s.duration,
      }))
      parts.set(id, [...(parts.get(id) ?? []), { ...rep, id, segments }])
    }
  }
  const joined = [...parts.entries()].map(([id, slices]) => joinSlices(id, slices))
  const order = plan.renditions.map((r) => r.id)
  const video = joined
    .filter((r) => r.contentType === 'video')
    .sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id))
  const audio = joined.find((r) => r.contentType === 'audio') ?? null
  return buildManifest({ plan, video, audio, sizes })
}

/** One representation from its slices in time order, which must follow each other without a gap. */
function joinSlices(id: string, slices: MergeInput[]): MergeInput {
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
