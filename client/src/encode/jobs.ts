/**
 * @module Splitting the work between parallel encoder instances: by rendition (each instance
 * encodes some rungs of the whole movie) or by time (each instance encodes every rung of a slice of
 * the movie, a whole number of segments long), whichever is estimated to finish first.
 */
import {
  initName,
  MANIFEST_NAME,
  mediaName,
  POSTER_NAME,
  parseSegmentName,
} from '../../../server/lib/dash/names.ts'
import { POSTER_RAW, parseSubtitleSourceName, parseTileName } from './ffmpeg-args.ts'
import { toNumber } from './rational.ts'
import { audioRenditions } from './tracks.ts'
import type { AudioRendition, LadderPlan, VideoRendition, X264Preset } from './types.ts'

/** A slice of the movie, on segment boundaries. */
export interface TimeRange {
  /** Seconds from the start; a whole number of segments. */
  start: number
  /** Seconds, or null for the end of the movie. */
  end: number | null
  /** Segments before this slice: its segment n (from 1) is segment n + firstSegment of the movie. */
  firstSegment: number
}

/** The work one encoder instance does in one ffmpeg run. */
export interface EncodeJob {
  id: string
  renditions: VideoRendition[]
  /** AAC renditions this instance encodes (every audio track's, or none). */
  audio: AudioRendition[]
  /** Whether this instance also grabs the poster frame (before encoding, so it uploads first). */
  poster: boolean
  /** Whether it copies the plan's embedded subtitle tracks out of the source (before encoding). */
  subtitles: boolean
  /** Whether it writes the seek-bar preview tiles of its slice (of the whole movie without one). */
  thumbnails: boolean
  /** Estimated work in seconds of one core; only a guide for scheduling. */
  cost: number
  /** The slice this job encodes, or null for the whole movie. */
  range: TimeRange | null
  /**
   * Hands out its init segments even though its slice starts after the first segment: a resumed
   * encode, which has no earlier slice to take them from.
   */
  resumed?: boolean
}

export type SplitStrategy = 'auto' | 'renditions' | 'time'

// Relative CPU per output pixel for x264 presets in wasm (no SIMD assembly), veryfast = 1.
const PRESET_COST: Record<X264Preset, number> = {
  ultrafast: 0.35,
  superfast: 0.7,
  veryfast: 1,
  faster: 1.6,
  fast: 2.2,
  medium: 2.8,
}
// Measured here: one wasm instance encodes about 10 Mpx/s with veryfast (720p30 at 10 fps), decodes
// H.264 about eight times faster, and takes about a second to start.
const ENCODE_PX_PER_SECOND = 10e6
const DECODE_COST = 0.12
const AUDIO_PX_EQUIVALENT = 0.01 * 1280 * 720 * 30
const STARTUP_SECONDS = 1.5
// A slice seeks to the source keyframe before its start and decodes from there.
const PREROLL_SECONDS = 2
/** A slice shorter than this many segments is not worth an instance. */
const MIN_SEGMENTS_PER_SLICE = 2

function renditionRate(r: VideoRendition, preset: X264Preset): number {
  return r.width * r.height * toNumber(r.frameRate) * PRESET_COST[preset]
}

function decodeRate(plan: LadderPlan): number {
  return plan.source.width * plan.source.height * Math.min(plan.source.fps || 30, 120) * DECODE_COST
}

/** Seconds of one core to decode the source once, the work every whole-movie instance repeats. */
export function decodeCost(plan: LadderPlan): number {
  return (decodeRate(plan) * plan.source.duration) / ENCODE_PX_PER_SECOND
}

function seconds(plan: LadderPlan, pxRate: number, duration = plan.source.duration): number {
  return (pxRate * duration) / ENCODE_PX_PER_SECOND
}

/** The estimated wall time of a set of jobs on `workers` cores. */
export function estimateWallTime(jobs: readonly EncodeJob[], workers: number): number {
  const longest = Math.max(...jobs.map((j) => j.cost))
  const total = jobs.reduce((sum, j) => sum + j.cost, 0)
  return Math.max(longest, total / Math.max(1, workers))
}

function byRendition(plan: LadderPlan, workers: number): EncodeJob[] {
  const renditions = [...plan.renditions].sort(
    (a, b) => renditionRate(b, plan.preset) - renditionRate(a, plan.preset),
  )
  const upper = Math.max(1, Math.min(workers, renditions.length))
  let best: EncodeJob[] | null = null
  let bestSpan = Number.POSITIVE_INFINITY
  for (let k = 1; k <= upper; k++) {
    const jobs: EncodeJob[] = Array.from({ length: k }, (_, i) => ({
      id: `j${i}`,
      renditions: [],
      audio: [],
      poster: false,
      subtitles: false,
      thumbnails: false,
      cost: STARTUP_SECONDS + decodeCost(plan),
      range: null,
    }))
    for (const r of renditions) {
      const target = jobs.reduce((a, b) => (b.cost < a.cost ? b : a))
      target.renditions.push(r)
      target.cost += seconds(plan, renditionRate(r, plan.preset))
    }
    const lightest = jobs.reduce((a, b) => (b.cost < a.cost ? b : a))
    const audio = audioRenditions(plan)
    if (audio.length > 0) {
      lightest.audio = audio
      lightest.cost += seconds(plan, AUDIO_PX_EQUIVALENT * audio.length)
    }
    lightest.poster = true
    lightest.subtitles = plan.subtitles.some((s) => s.source.kind === 'embedded')
    lightest.thumbnails = plan.thumbnails !== null
    const span = estimateWallTime(jobs, workers)
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

/**
 * Slices of the movie, each encoding every rendition, plus one job for the audio (AAC's encoder
 * delay would click at every slice boundary) and the poster when there is audio. Null when the movie is too short to
 * slice, or its segment length is not a whole number of microseconds (ffmpeg's -ss resolution), so
 * slices could not start exactly on a segment boundary.
 */
function byTime(plan: LadderPlan, workers: number): EncodeJob[] | null {
  const micros = plan.segmentDuration * 1e6
  if (Math.abs(micros - Math.round(micros)) > 1e-6) return null
  const segments = Math.ceil(plan.source.duration / plan.segmentDuration - 1e-9)
  const slices = Math.min(workers, Math.floor(segments / MIN_SEGMENTS_PER_SLICE))
  if (slices < 2) return null
  const perRate =
    decodeRate(plan) + plan.renditions.reduce((sum, r) => sum + renditionRate(r, plan.preset), 0)
  const jobs: EncodeJob[] = []
  let first = 0
  for (let i = 0; i < slices; i++) {
    const count = Math.floor(segments / slices) + (i < segments % slices ? 1 : 0)
    const start = (first * Math.round(micros)) / 1e6
    const last = i === slices - 1
    const end = last ? null : ((first + count) * Math.round(micros)) / 1e6
    const length = (end ?? plan.source.duration) - start
    jobs.push({
      id: `s${i}`,
      renditions: [...plan.renditions],
      audio: [],
      poster: false,
      subtitles: false,
      thumbnails: plan.thumbnails !== null,
      cost:
        STARTUP_SECONDS +
        (i > 0 ? seconds(plan, decodeRate(plan), PREROLL_SECONDS) : 0) +
        seconds(plan, perRate, length),
      range: { start, end, firstSegment: first },
    })
    first += count
  }
  const audio = audioRenditions(plan)
  const subtitles = plan.subtitles.some((s) => s.source.kind === 'embedded')
  if (audio.length > 0) {
    jobs.push({
      id: 'audio',
      renditions: [],
      audio,
      poster: true,
      subtitles,
      thumbnails: false,
      cost: STARTUP_SECONDS + seconds(plan, AUDIO_PX_EQUIVALENT * audio.length),
      range: null,
    })
  } else {
    // No audio job to carry them: the last slice is the shortest, and the poster is one frame.
    jobs[jobs.length - 1]!.poster = true
    jobs[jobs.length - 1]!.subtitles = subtitles
  }
  return jobs
}

/**
 * Splits the work into jobs for at most `maxWorkers` busy instances. Splitting by rendition repeats
 * the decode in every instance and is capped by the largest rendition; slicing by time decodes each
 * frame once and spreads evenly, but needs a movie long enough to cut and starts an extra small job
 * for the audio. `auto` takes whichever is estimated to finish first.
 *
 * @example
 * planJobs(plan, 2, 'renditions').map((j) => j.renditions.map((r) => r.label)) // [["720p"], ["480p", "360p", "240p"]]
 */
export function planJobs(
  plan: LadderPlan,
  maxWorkers: number,
  strategy: SplitStrategy = 'auto',
): EncodeJob[] {
  const workers = Math.max(1, Math.floor(maxWorkers))
  const renditions = byRendition(plan, workers)
  if (strategy === 'renditions' || workers < 2) return renditions
  const time = byTime(plan, workers)
  if (!time) return renditions
  if (strategy === 'time') return time
  // Slicing costs more memory (every instance runs every encoder), so it must win clearly.
  return estimateWallTime(time, workers) < estimateWallTime(renditions, workers) * 0.9 ? time : renditions
}

/** Final representation ids in the order the job's ffmpeg run numbers its output streams. */
export function streamIds(job: EncodeJob): string[] {
  return [...job.renditions.map((r) => r.id), ...job.audio.map((a) => a.id)]
}

export type OutputKind = 'init' | 'segment' | 'poster' | 'instance-manifest' | 'subtitle-source' | 'tile'

/**
 * Where a file written inside one instance ends up: "init-1.m4s" of a job encoding [v1, v3] becomes
 * "init-v3.m4s", and segment 4 of a slice that starts after 30 segments becomes segment 34, so names
 * stay unique across instances and match the merged manifest's templates. Null for files nobody
 * needs: anything unknown, and the init segments of later slices (the first slice's serves all).
 */
export function renameOutput(
  job: EncodeJob,
  name: string,
): { path: string; kind: OutputKind; representation?: string; index?: number } | null {
  if (name === POSTER_RAW) return { path: POSTER_NAME, kind: 'poster' }
  const subtitle = parseSubtitleSourceName(name)
  if (subtitle !== null) return { path: name, kind: 'subtitle-source', index: subtitle }
  const tile = parseTileName(name)
  if (tile !== null) return { path: name, kind: 'tile', index: tile }
  if (name === MANIFEST_NAME) return { path: name, kind: 'instance-manifest' }
  const segment = parseSegmentName(name)
  // Inside an instance, representation ids are its output stream indexes.
  const id = segment && /^\d+$/.test(segment.id) ? streamIds(job)[Number(segment.id)] : undefined
  if (!segment || !id) return null
  if (segment.kind === 'init') {
    if (job.range && job.range.firstSegment > 0 && !job.resumed) return null
    return { path: initName(id), kind: 'init', representation: id }
  }
  return {
    path: mediaName(id, segment.number + (job.range?.firstSegment ?? 0)),
    kind: 'segment',
    representation: id,
  }
}
