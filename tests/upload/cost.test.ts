/**
 * The upload page's time estimate: the browser's encoders from the one-second calibration, and the
 * rungs x264 makes in ffmpeg.wasm beside them, against what bench:encode measured on two cores
 * (BENCHMARKS.md: 240p by x264 1.19× the pure WebCodecs ladder, 480p+360p+240p of a 720p ladder 5.6×).
 */
import { describe, expect, it } from 'vitest'
import { planLadder, X264_PIXEL_COST } from '../../client/src/encode/ladder.ts'
import type { LadderPlan } from '../../client/src/encode/types.ts'
import { estimateCost } from '../../client/src/upload/cost.ts'
import { probed } from '../encode/support/fixtures.ts'

const calibration = { pixelsPerSecond: 30e6 }

/** Pixels of these rungs over the whole source. */
const pixels = (plan: LadderPlan, which: (label: string) => boolean) =>
  plan.renditions
    .filter((r) => which(r.label))
    .reduce(
      (sum, r) => sum + r.width * r.height * (r.frameRate.num / r.frameRate.den) * plan.source.duration,
      0,
    )

/** The plan with exactly these rungs given to x264. */
const withX264 = (plan: LadderPlan, labels: string[]): LadderPlan => ({
  ...plan,
  renditions: plan.renditions.map(({ x264: _, ...r }) =>
    labels.includes(r.label) ? { ...r, x264: true } : r,
  ),
})

describe('estimateCost', () => {
  const p1080 = planLadder(probed(), { lowRungs: 'browser' })
  const p720 = planLadder(probed({ width: 1280, height: 720 }), { lowRungs: 'browser' })
  const pure = (plan: LadderPlan) => estimateCost(plan, calibration, 2).seconds!

  it('times a ladder the browser encodes whole by its pixels at the calibrated speed', () => {
    expect(p1080.renditions.some((r) => r.x264)).toBe(false)
    const all = pixels(p1080, () => true)
    const cost = estimateCost(p1080, calibration, 2)
    expect(cost.engine).toBe('webcodecs')
    expect(cost.seconds).toBeCloseTo((all / calibration.pixelsPerSecond) * 1.25, 6)
    // The cores change nothing when no x264 worker runs.
    expect(estimateCost(p1080, calibration, 8).seconds).toBeCloseTo(cost.seconds!, 6)
  })

  it('adds the x264 worker sharing two cores with the browser: 240p of a 1080p ladder, about 1.19×', () => {
    const plan = planLadder(probed(), { cores: 2 })
    expect(plan.renditions.filter((r) => r.x264).map((r) => r.label)).toEqual(['240p'])
    const seconds = estimateCost(plan, calibration, 2).seconds!
    const browser = (pixels(plan, (l) => l !== '240p') / calibration.pixelsPerSecond) * 1.25
    const x264 = (pixels(plan, (l) => l === '240p') * X264_PIXEL_COST) / calibration.pixelsPerSecond
    expect(seconds).toBeCloseTo(browser + x264 / 2, 6)
    expect(seconds / pure(p1080)).toBeGreaterThan(1.1)
    expect(seconds / pure(p1080)).toBeLessThan(1.3)
  })

  it('is the slowest x264 worker when it outlasts the browser: 480p, 360p and 240p of 720p, about 5.6×', () => {
    const plan = withX264(p720, ['480p', '360p', '240p'])
    const seconds = estimateCost(plan, calibration, 2).seconds!
    const x264 = (pixels(plan, (l) => l !== '720p') * X264_PIXEL_COST) / calibration.pixelsPerSecond
    expect(seconds).toBeCloseTo(x264, 6)
    expect(seconds / pure(p720)).toBeGreaterThan(4.5)
    expect(seconds / pure(p720)).toBeLessThan(6.7)
  })

  it('gives each x264 rung its own worker from four cores, each at the speed of one core', () => {
    const plan = planLadder(probed(), { cores: 4 })
    expect(plan.renditions.filter((r) => r.x264).map((r) => r.label)).toEqual(['360p', '240p'])
    const seconds = estimateCost(plan, calibration, 4).seconds!
    // The calibration ran on four cores: one x264 thread is twice as slow against it as on two.
    const worker = (label: string) =>
      (pixels(plan, (l) => l === label) * X264_PIXEL_COST * 2) / calibration.pixelsPerSecond
    const browser = (pixels(plan, (l) => l !== '360p' && l !== '240p') / calibration.pixelsPerSecond) * 1.25
    expect(seconds).toBeCloseTo(Math.max(browser + (worker('360p') + worker('240p')) / 4, worker('360p')), 6)
    expect(seconds).toBeGreaterThan(pure(p1080))
  })

  it('ignores x264 marks when ffmpeg.wasm encodes everything, and knows nothing without a calibration', () => {
    const hevc = planLadder(probed({ videoCodec: 'hevc' }), { cores: 2 })
    const cost = estimateCost(hevc, calibration, 2)
    expect(cost.engine).toBe('ffmpeg.wasm')
    expect(cost.seconds).toBeCloseTo((pixels(hevc, () => true) / calibration.pixelsPerSecond) * 1.25 * 8, 6)
    expect(estimateCost(planLadder(probed(), { cores: 2 }), null, 2).seconds).toBeNull()
  })
})
