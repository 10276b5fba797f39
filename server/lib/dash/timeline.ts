/**
 * SegmentTimeline (ISO/IEC 23009-1 5.3.9.6): expanding its S runs into one entry per segment, and
 * compressing segments back into the fewest runs.
 * @module
 */
import { MpdError } from './error.ts'
import type { Timeline, TimelineSegment } from './types.ts'

/** One S element: start `t`, duration `d`, `r` repeats (-1: until the next `t` or the end), number `n`. */
export interface TimelineRun {
  t?: number
  d: number
  r?: number
  n?: number
}

export interface ExpandOptions {
  /** Number of the first segment unless its S says `n`; SegmentTemplate@startNumber. Default 1. */
  startNumber?: number
  /** Where the last `r="-1"` run stops, in ticks (the Period's end); null when unknown. */
  end?: number | null
  /** Named in error messages, e.g. `Representation "v0"`. */
  where?: string
  /**
   * Called with each run's segment count before the run is expanded; throws to stop a small
   * manifest from naming a billion segments.
   */
  spend?: (segments: number) => void
}

/**
 * Every segment of a SegmentTimeline. A run without `t` starts where the previous one ended, a run
 * without `n` continues the numbering, and `r="-1"` repeats up to the next run's `t` or to `end`.
 * @throws MpdError for a run without a positive whole `d`, or an `r` that cannot be honoured
 * @example
 * expandTimeline([{ t: 0, d: 2, r: 1 }, { d: 1 }])
 * // [{ number: 1, start: 0, duration: 2 }, { number: 2, start: 2, duration: 2 }, { number: 3, start: 4, duration: 1 }]
 */
export function expandTimeline(runs: readonly TimelineRun[], options: ExpandOptions = {}): TimelineSegment[] {
  const where = options.where ?? 'A SegmentTimeline'
  const out: TimelineSegment[] = []
  let time = 0
  let number = options.startNumber ?? 1
  for (const [i, run] of runs.entries()) {
    const d = run.d
    if (!(d > 0) || !Number.isSafeInteger(d)) throw new MpdError(`${where}: an S element has no valid @d.`)
    if (run.t !== undefined) time = run.t
    if (run.n !== undefined) number = run.n
    if (!Number.isSafeInteger(time) || !Number.isSafeInteger(number))
      throw new MpdError(`${where}: an S element has an invalid @t or @n.`)
    let repeat = run.r ?? 0
    if (repeat === -1) {
      const until = runs[i + 1]?.t ?? options.end ?? null
      if (until === null) throw new MpdError(`${where}: S@r="-1" needs a known Period end.`)
      repeat = Math.ceil((until - time) / d - 1e-9) - 1
    }
    if (!Number.isInteger(repeat) || repeat < 0)
      throw new MpdError(`${where}: an S element has an invalid @r.`)
    options.spend?.(repeat + 1)
    for (let k = 0; k <= repeat; k++) {
      out.push({ number, start: time, duration: d })
      time += d
      number += 1
    }
  }
  return out
}

/**
 * The fewest S runs that expand to `segments` with `@startNumber` = the first segment's number: `t`
 * where a segment does not start where the previous one ended (the first always says it), `n` where
 * the numbering jumps, `r` for repeats.
 * @example
 * compressTimeline([{ number: 1, start: 0, duration: 2 }, { number: 2, start: 2, duration: 2 }, { number: 3, start: 5, duration: 1 }])
 * // [{ t: 0, d: 2, r: 1 }, { t: 5, d: 1 }]
 */
export function compressTimeline(segments: readonly TimelineSegment[]): TimelineRun[] {
  const runs: TimelineRun[] = []
  let nextStart: number | undefined
  let nextNumber: number | undefined
  for (const seg of segments) {
    const last = runs.at(-1)
    const follows = seg.start === nextStart && seg.number === nextNumber
    if (last && follows && last.d === seg.duration) last.r = (last.r ?? 0) + 1
    else {
      runs.push({
        ...(seg.start !== nextStart ? { t: seg.start } : {}),
        d: seg.duration,
        ...(nextNumber !== undefined && seg.number !== nextNumber ? { n: seg.number } : {}),
      })
    }
    nextStart = seg.start + seg.duration
    nextNumber = seg.number + 1
  }
  return runs
}

/**
 * One timeline for Representations whose segments start at the same ticks with the same numbers
 * (the last segment may end a frame apart: the shared one takes the longest), or null when they
 * do not line up.
 */
export function alignedTimeline(timelines: readonly Timeline[]): TimelineSegment[] | null {
  const [first, ...rest] = timelines
  if (!first) return null
  for (const other of rest) {
    if (other.timescale !== first.timescale || other.segments.length !== first.segments.length) return null
    for (let i = 0; i < other.segments.length; i++) {
      const a = first.segments[i]!
      const b = other.segments[i]!
      if (a.start !== b.start || a.number !== b.number) return null
      if (i < other.segments.length - 1 && a.duration !== b.duration) return null
    }
  }
  return first.segments.map((s, i) => ({
    ...s,
    duration: Math.max(...timelines.map((t) => t.segments[i]!.duration)),
  }))
}

/** Seconds from the first segment's start to the last one's end. */
export function timelineSeconds(timeline: Timeline): number {
  const first = timeline.segments[0]
  const last = timeline.segments.at(-1)
  if (!first || !last) return 0
  return (last.start + last.duration - first.start) / timeline.timescale
}
