/** @module Choosing the bitrate ladder for a source: sizes, bitrates, frame rates, GOP and segment length. */
import { approximate, format, lcm, type Rational, reduce, toNumber } from './rational.ts'
import { planAudio, planSubtitles, planThumbnails } from './tracks.ts'
import type { LadderPlan, ProbeResult, VideoRendition, X264Preset } from './types.ts'

/**
 * The named rungs. A rung is a 16:9 bounding box (1280x720 for "720p"); sources of another shape are
 * fitted inside it. Bitrates are for the full box at up to 30 fps with x264 `veryfast`.
 */
export const RUNGS = [
  { label: '1080p', short: 1080, bitrate: 5_000_000 },
  { label: '720p', short: 720, bitrate: 2_500_000 },
  { label: '480p', short: 480, bitrate: 1_000_000 },
  { label: '360p', short: 360, bitrate: 500_000 },
  { label: '240p', short: 240, bitrate: 250_000 },
] as const

/** Frame rates people actually record at; a measured average close to one of them snaps to it. */
const STANDARD_RATES: Rational[] = [
  { num: 24000, den: 1001 },
  { num: 24, den: 1 },
  { num: 25, den: 1 },
  { num: 30000, den: 1001 },
  { num: 30, den: 1 },
  { num: 50, den: 1 },
  { num: 60000, den: 1001 },
  { num: 60, den: 1 },
]

export interface PlanOptions {
  /** Target segment length in seconds (2..4); default 2, or 4 for sources longer than 30 minutes. */
  segmentTarget?: number
  preset?: X264Preset
  /** At most this many video renditions, dropping the smallest first (never fewer than two). */
  maxRenditions?: number
  /**
   * Who encodes the low rungs when the browser's encoder does the rest: x264 in ffmpeg.wasm where it
   * keeps up (the default: far better per bit there, see {@link x264Rungs}), or the browser alone
   * (the pure WebCodecs ladder).
   */
  lowRungs?: 'x264' | 'browser'
  /** Cores of the machine that will encode (default: this one's), for {@link x264Rungs}. */
  cores?: number
}

/** The largest short side (pixels) of a rung the browser's engine may leave to x264 in ffmpeg.wasm. */
export const X264_MAX_SHORT = 360

/**
 * Wall time per output pixel of x264 veryfast in wasm (one thread, no SIMD) against the browser's
 * H.264 encoders (which use every core), measured with bench:encode on this project's 2-core machine:
 * 360p and 240p by x264 made a 1080p ladder take 1.8× as long, 240p alone 1.2× (BENCHMARKS.md,
 * quality per bit).
 */
export const X264_PIXEL_COST = 15

/**
 * Which rungs x264 in ffmpeg.wasm makes beside the browser's encoder: the smallest first, below the
 * top (the rung most people watch, and where x264 costs most), up to {@link X264_MAX_SHORT}, as long as
 * x264's work stays within the browser encoders' (times the spare cores beyond two): then its worker
 * runs beside them on a core of its own and the ladder takes about as long as before.
 */
export function x264Rungs(
  rungs: readonly Pick<VideoRendition, 'width' | 'height' | 'frameRate'>[],
  cores: number,
): boolean[] {
  const rate = (r: (typeof rungs)[number]) => r.width * r.height * toNumber(r.frameRate)
  let browser = rungs.reduce((sum, r) => sum + rate(r), 0)
  let x264 = 0
  const out = rungs.map(() => false)
  for (let i = rungs.length - 1; i > 0; i--) {
    const r = rungs[i]!
    if (Math.min(r.width, r.height) > X264_MAX_SHORT) break
    if ((x264 + rate(r)) * X264_PIXEL_COST > (browser - rate(r)) * Math.max(1, cores / 2)) break
    x264 += rate(r)
    browser -= rate(r)
    out[i] = true
  }
  return out
}

/** Rounds to the nearest even integer, at least 2: 4:2:0 chroma needs even dimensions. */
export function even(x: number): number {
  return Math.max(2, 2 * Math.round(x / 2))
}

function evenFloor(x: number): number {
  return Math.max(2, 2 * Math.floor(x / 2))
}

/** The picture a viewer sees: stored size with non-square pixels stretched and rotation applied. */
export function displaySize(p: Pick<ProbeResult, 'width' | 'height' | 'rotation' | 'sampleAspectRatio'>): {
  width: number
  height: number
} {
  const w = p.width * toNumber(p.sampleAspectRatio)
  const h = p.height
  return p.rotation === 90 || p.rotation === 270 ? { width: h, height: w } : { width: w, height: h }
}

/** Output frame rate: a standard rate when the source is within 0.5% of one, halved until at most 60. */
export function outputFrameRate(fps: number): Rational {
  let rate = fps > 0 && Number.isFinite(fps) ? fps : 30
  while (rate > 61) rate /= 2
  const error = (r: Rational) => Math.abs(toNumber(r) - rate) / toNumber(r)
  const nearest = [...STANDARD_RATES].sort((a, b) => error(a) - error(b))[0]!
  if (error(nearest) < 0.005) return nearest
  return reduce(Math.max(1, Math.round(rate * 1000)), 1000)
}

/** Size of a rung's box fitted to the source's shape, portrait boxes standing up. */
function fitToBox(short: number, aspect: number): { width: number; height: number } {
  const long = (short * 16) / 9
  if (aspect >= 1) {
    return aspect >= 16 / 9
      ? { width: even(long), height: even(long / aspect) }
      : { width: even(short * aspect), height: even(short) }
  }
  return 1 / aspect >= 16 / 9
    ? { width: even(long * aspect), height: even(long) }
    : { width: even(short), height: even(short / aspect) }
}

function roundBitrate(bps: number): number {
  return Math.max(50_000, Math.round(bps / 10_000) * 10_000)
}

/**
 * Plans the DASH ladder for a probed source.
 *
 * Never upscales; keeps the display aspect ratio (portrait, rotated and anamorphic sources included)
 * with even sizes; tags every rendition with the same display aspect ratio so they can share one
 * adaptation set; gives at least two renditions whenever the source is 360p or larger. Renditions
 * below 720p of a source above 30 fps run at half the frame rate. Every rendition's GOP is exactly
 * one segment long, so keyframes line up across the ladder. Every audio and text subtitle track is
 * kept (tracks.ts), and previews for the seek bar are planned.
 *
 * @example
 * const plan = planLadder(await probe(file))
 * plan.renditions.map((r) => `${r.label} ${r.width}x${r.height}`) // ["720p 1280x720", "480p 854x480", ...]
 */
export function planLadder(source: ProbeResult, options: PlanOptions = {}): LadderPlan {
  const display = displaySize(source)
  if (!(display.width > 0 && display.height > 0)) throw new RangeError('source has no picture size')
  const aspect = display.width / display.height
  const displayAspect = approximate(aspect, 1000)
  const srcShort = Math.min(display.width, display.height)
  const srcPixels = display.width * display.height

  const topRate = outputFrameRate(source.fps)
  const highRate = toNumber(topRate) > 31
  const segmentTarget = Math.min(4, Math.max(2, options.segmentTarget ?? (source.duration > 1800 ? 4 : 2)))
  // Even so that half-rate renditions get a whole number of frames per segment too.
  const gop = Math.max(2, 2 * Math.round((segmentTarget * toNumber(topRate)) / 2))
  const segmentDuration = (gop * topRate.den) / topRate.num

  type Size = { label: string; width: number; height: number; boxPixels: number; baseBitrate: number }
  const sizes: Size[] = []
  for (const rung of RUNGS) {
    const size = fitToBox(rung.short, aspect)
    // Never upscale: the fitted rung must fit inside the picture the viewer would see.
    if (size.width > display.width || size.height > display.height) continue
    if (sizes.some((s) => s.width === size.width && s.height === size.height)) continue
    const boxPixels = rung.short * ((rung.short * 16) / 9)
    sizes.push({ label: rung.label, ...size, boxPixels, baseBitrate: rung.bitrate })
  }
  // A source between rungs (900p, or a hair under 720p) would lose a lot by dropping to the next rung
  // down, so its own size joins the ladder when it has clearly more pixels than the top rung.
  const top = sizes[0]
  if (!top || (srcShort < 1080 && srcPixels > 1.4 * top.width * top.height)) {
    const width = evenFloor(display.width)
    const height = evenFloor(display.height)
    const short = Math.min(width, height)
    sizes.unshift({
      label: `${short}p`,
      width,
      height,
      boxPixels: width * height,
      baseBitrate: interpolateBitrate(width * height),
    })
  }
  const limit = Math.max(2, options.maxRenditions ?? RUNGS.length)
  const kept = sizes.slice(0, limit)

  const renditions: VideoRendition[] = kept.map((s, i) => {
    const pixels = s.width * s.height
    const halfRate = highRate && Math.min(s.width, s.height) < 720
    const frameRate = halfRate ? reduce(topRate.num, topRate.den * 2) : topRate
    let bitrate = s.baseBitrate * (pixels / s.boxPixels) ** 0.75 * (halfRate || !highRate ? 1 : 1.5)
    // Spending more bits than the source has buys nothing but bigger files.
    if (source.videoBitrate && source.videoBitrate > 0) {
      bitrate = Math.min(bitrate, 1.2 * source.videoBitrate * Math.min(1, pixels / srcPixels) ** 0.75)
    }
    bitrate = roundBitrate(bitrate)
    return {
      id: `v${i}`,
      label: s.label,
      width: s.width,
      height: s.height,
      frameRate,
      gop: halfRate ? gop / 2 : gop,
      bitrate,
      maxrate: roundBitrate(bitrate * 1.5),
      bufsize: roundBitrate(bitrate * 2),
    }
  })
  if (options.lowRungs !== 'browser') {
    const cores = options.cores ?? (globalThis.navigator?.hardwareConcurrency || 2)
    x264Rungs(renditions, cores).forEach((x264, i) => {
      if (x264) renditions[i]!.x264 = true
    })
  }

  // Every video track gets the same timescale, a multiple of each frame rate's numerator so that
  // frame durations are whole ticks, and at least 90 kHz for fine-grained timestamps.
  const numerators = renditions.map((r) => r.frameRate.num).reduce((a, b) => lcm(a, b), 1)
  const videoTimescale = numerators * Math.ceil(90_000 / numerators)

  const first = renditions[0]!
  const posterWidth = Math.min(first.width, first.height >= first.width ? 720 : 1280)
  return {
    source,
    displayAspect,
    segmentDuration,
    videoTimescale,
    preset: options.preset ?? 'veryfast',
    renditions,
    audio: planAudio(source),
    subtitles: planSubtitles(source),
    thumbnails: planThumbnails(source.duration, first.frameRate, aspect),
    poster: {
      time: Math.max(0, Math.min(source.duration * 0.1, source.duration - 0.1)),
      width: even(posterWidth),
      height: even(posterWidth / aspect),
    },
  }
}

/** Bitrate for a size between rungs, interpolated on pixel count along the named rungs. */
function interpolateBitrate(pixels: number): number {
  const points = RUNGS.map((r) => ({ pixels: r.short * ((r.short * 16) / 9), bitrate: r.bitrate })).reverse()
  const first = points[0]!
  const last = points[points.length - 1]!
  if (pixels <= first.pixels) return first.bitrate * (pixels / first.pixels) ** 0.75
  if (pixels >= last.pixels) return last.bitrate * (pixels / last.pixels) ** 0.75
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!
    const b = points[i]!
    if (pixels <= b.pixels)
      return a.bitrate + ((b.bitrate - a.bitrate) * (pixels - a.pixels)) / (b.pixels - a.pixels)
  }
  return last.bitrate
}

/** "1280x720 @ 30 fps, 2.5 Mb/s" style summary of a rendition, for logs and the page. */
export function describeRendition(r: VideoRendition): string {
  const fps = toNumber(r.frameRate)
  return `${r.width}x${r.height} @ ${Number.isInteger(fps) ? fps : fps.toFixed(2)} fps, ${(r.bitrate / 1e6).toFixed(2)} Mb/s`
}

/**
 * The x264 rungs shared out between workers: one each where the machine has cores to spare beside
 * the browser's encoders and the page, else one worker for all of them (two cores).
 */
export function x264Groups(
  renditions: readonly VideoRendition[],
  cores = globalThis.navigator?.hardwareConcurrency || 2,
): VideoRendition[][] {
  if (renditions.length === 0) return []
  return cores > 3 ? renditions.map((r) => [r]) : [[...renditions]]
}

/**
 * Which rungs x264 in ffmpeg.wasm encodes beside the browser's encoder, for the plan shown before
 * encoding ("360p, 240p: x264 (wasm)"), or null when the browser's encoder does them all.
 */
export function describeEncoders(plan: Pick<LadderPlan, 'renditions'>): string | null {
  const wasm = plan.renditions.filter((r) => r.x264)
  return wasm.length > 0 ? `${wasm.map((r) => r.label).join(', ')}: x264 (wasm)` : null
}

export { format as formatRational }
