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
  const video: MergeInput[] = []
  let audio: MergeInput | null = null
  for (const job of jobs) {
    const xml = manifests.get(job.id)
    if (!xml) throw new Error(`instance ${job.id} wrote no manifest`)
    const ids = streamIds(job)
    const reps = parseFfmpegManifest(xml).representations
    for (const id of ids) {
      const rep = reps.find((r) => ids[Number(r.localId)] === id)
      if (!rep) throw new Error(`instance ${job.id} lost representation ${id}`)
      if (rep.contentType === 'audio') audio = { ...rep, id }
      else video.push({ ...rep, id })
    }
  }
  const order = plan.renditions.map((r) => r.id)
  video.sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id))
  return buildManifest({ plan, video, audio, sizes })
}
