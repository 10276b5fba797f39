/** @module Splitting a ladder between parallel encoder instances. */
import { toNumber } from './rational.ts'
import type { AudioRendition, LadderPlan, VideoRendition, X264Preset } from './types.ts'

/** The work one encoder instance does in one ffmpeg run. */
export interface EncodeJob {
  id: string
  renditions: VideoRendition[]
  audio: AudioRendition | null
  /** Whether this instance also grabs the poster frame (before encoding, so it uploads first). */
  poster: boolean
  /** Estimated work, in the cost units below; only ratios between jobs mean anything. */
  cost: number
}

// Relative CPU per output pixel for x264 presets in wasm (no SIMD assembly), veryfast = 1.
const PRESET_COST: Record<X264Preset, number> = {
  ultrafast: 0.35,
  superfast: 0.7,
  veryfast: 1,
  faster: 1.6,
  fast: 2.2,
  medium: 2.8,
}
// Measured here: decoding H.264 costs about an eighth of encoding the same pixels with veryfast, and
// every instance decodes the whole source, so a job's cost starts with one full decode.
const DECODE_COST = 0.12
const AUDIO_COST = 0.01 * 1280 * 720 * 30

function renditionCost(r: VideoRendition, preset: X264Preset): number {
  return r.width * r.height * toNumber(r.frameRate) * PRESET_COST[preset]
}

/** Work every instance repeats whatever it encodes: decoding the source. */
export function decodeCost(plan: LadderPlan): number {
  return plan.source.width * plan.source.height * Math.min(plan.source.fps || 30, 120) * DECODE_COST
}

/**
 * Splits the ladder into at most `maxWorkers` jobs, largest renditions first onto the least-loaded
 * instance (longest-processing-time scheduling). Uses fewer instances when another one would save
 * almost nothing: each costs a full decode of the source and a few hundred MB of memory.
 *
 * @example
 * planJobs(plan, 2).map((j) => j.renditions.map((r) => r.label)) // [["720p"], ["480p", "360p", "240p"]]
 */
export function planJobs(plan: LadderPlan, maxWorkers: number): EncodeJob[] {
  const renditions = [...plan.renditions].sort(
    (a, b) => renditionCost(b, plan.preset) - renditionCost(a, plan.preset),
  )
  const decode = decodeCost(plan)
  const upper = Math.max(1, Math.min(Math.floor(maxWorkers), renditions.length))

  let best: EncodeJob[] | null = null
  let bestSpan = Number.POSITIVE_INFINITY
  for (let k = 1; k <= upper; k++) {
    const jobs: EncodeJob[] = Array.from({ length: k }, (_, i) => ({
      id: `j${i}`,
      renditions: [],
      audio: null,
      poster: false,
      cost: decode,
    }))
    for (const r of renditions) {
      const target = jobs.reduce((a, b) => (b.cost < a.cost ? b : a))
      target.renditions.push(r)
      target.cost += renditionCost(r, plan.preset)
    }
    const lightest = jobs.reduce((a, b) => (b.cost < a.cost ? b : a))
    if (plan.audio) {
      lightest.audio = plan.audio
      lightest.cost += AUDIO_COST
    }
    lightest.poster = true
    const span = Math.max(...jobs.map((j) => j.cost))
    // Another instance must cut the wall time by at least 5% to be worth its memory.
    if (span < bestSpan * 0.95) {
      best = jobs
      bestSpan = span
    }
  }
  for (const job of best!) {
    // Keep the manifest order (largest first) inside a job; it only affects stream numbering.
    job.renditions.sort((a, b) => plan.renditions.indexOf(a) - plan.renditions.indexOf(b))
  }
  return best!
}

/** Final representation ids in the order the job's ffmpeg run numbers its output streams. */
export function streamIds(job: EncodeJob): string[] {
  return [...job.renditions.map((r) => r.id), ...(job.audio ? [job.audio.id] : [])]
}

export type OutputKind = 'init' | 'segment' | 'poster' | 'instance-manifest'

/**
 * Where a file written inside one instance ends up: "init-1.m4s" of a job encoding [v1, v3] becomes
 * "init-v3.m4s", so names stay unique across instances and match the merged manifest's templates.
 */
export function renameOutput(
  job: EncodeJob,
  name: string,
): { path: string; kind: OutputKind; representation?: string } | null {
  const ids = streamIds(job)
  if (name === 'poster.rgba') return { path: 'poster.jpg', kind: 'poster' }
  if (name.endsWith('.mpd')) return { path: name, kind: 'instance-manifest' }
  const init = /^init-(\d+)\.m4s$/.exec(name)
  const initId = init ? ids[Number(init[1])] : undefined
  if (initId) return { path: `init-${initId}.m4s`, kind: 'init', representation: initId }
  const chunk = /^chunk-(\d+)-(\d+)\.m4s$/.exec(name)
  const chunkId = chunk ? ids[Number(chunk[1])] : undefined
  if (chunk && chunkId)
    return { path: `chunk-${chunkId}-${chunk[2]}.m4s`, kind: 'segment', representation: chunkId }
  return null
}
