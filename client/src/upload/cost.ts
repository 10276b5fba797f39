/**
 * @module What an upload will cost before it starts: the output size from the plan's bitrates, and
 * the encoding time on this machine from a one-second calibration (the browser's H.264 encoder
 * encoding a moving, noisy 720p picture as fast as it can), scaled by the pixels the ladder needs.
 * Sources the browser cannot decode go to ffmpeg.wasm, measured at about eight times slower. Rungs
 * the plan gives to x264 in ffmpeg.wasm (ladder.ts, `x264Rungs`) run beside the browser's encoders,
 * one thread per worker at X264_PIXEL_COST times their time per pixel: the estimate is the longer
 * of the browser's encoders sharing the cores with the x264 workers, and the slowest x264 worker.
 */
import { X264_PIXEL_COST, x264Groups } from '../encode/ladder.ts'
import type { LadderPlan, VideoRendition } from '../encode/types.ts'
import { estimateBytes } from './session.ts'

/** Encoded pixels per second this machine manages, or null when it has no WebCodecs H.264 encoder. */
export type Calibration = { pixelsPerSecond: number } | null

const WIDTH = 1280
const HEIGHT = 720
/** Decoding the source and scaling cost about this much on top of encoding. */
const DECODE_OVERHEAD = 1.25
/** ffmpeg.wasm (two instances, x264 in wasm) against WebCodecs (DESIGN.md: 4.2× vs 0.55× native). */
const WASM_FACTOR = 8
/** Codecs this Chromium decodes with WebCodecs; others (HEVC on most machines) go to ffmpeg.wasm. */
const BROWSER_DECODES = new Set(['h264', 'vp8', 'vp9', 'av1'])

let measured: Promise<Calibration> | null = null

/** Measures once per page (about a second), then answers from memory. */
export function calibrate(seconds = 1): Promise<Calibration> {
  measured ??= measure(seconds).catch(() => null)
  return measured
}

async function measure(seconds: number): Promise<Calibration> {
  if (typeof VideoEncoder === 'undefined') return null
  const config: VideoEncoderConfig = {
    codec: 'avc1.64001f',
    width: WIDTH,
    height: HEIGHT,
    bitrate: 2_500_000,
    framerate: 30,
    latencyMode: 'quality',
    avc: { format: 'avc' },
  }
  if (!(await VideoEncoder.isConfigSupported(config)).supported) return null
  let out = 0
  const encoder = new VideoEncoder({ output: () => out++, error: () => undefined })
  encoder.configure(config)
  const canvas = new OffscreenCanvas(WIDTH, HEIGHT)
  const context = canvas.getContext('2d')!
  // Noise in a moving picture, so the encoder works about as hard as on real video.
  const noise = context.createImageData(256, 256)
  for (let i = 0; i < noise.data.length; i++) noise.data[i] = (i * 2654435761) >>> 24
  const started = performance.now()
  let n = 0
  while (performance.now() - started < seconds * 1000) {
    context.fillStyle = `hsl(${(n * 7) % 360} 60% 50%)`
    context.fillRect(0, 0, WIDTH, HEIGHT)
    for (let x = 0; x < WIDTH; x += 256) context.putImageData(noise, (x + n * 4) % WIDTH, (n * 3) % HEIGHT)
    const frame = new VideoFrame(canvas, { timestamp: (n * 1e6) / 30 })
    encoder.encode(frame, { keyFrame: n % 60 === 0 })
    frame.close()
    n++
    while (encoder.encodeQueueSize > 2) {
      await new Promise((resolve) => encoder.addEventListener('dequeue', resolve, { once: true }))
    }
  }
  await encoder.flush()
  const elapsed = (performance.now() - started) / 1000
  encoder.close()
  return out > 0 ? { pixelsPerSecond: (out * WIDTH * HEIGHT) / elapsed } : null
}

export interface Cost {
  /** Bytes of the encoded ladder. */
  bytes: number
  /** Seconds of encoding on this machine, or null when it cannot be estimated. */
  seconds: number | null
  /** Which encoder will do the video. */
  engine: 'webcodecs' | 'ffmpeg.wasm'
}

/** Pixels the rungs encode in the whole source. */
const pixelsOf = (rungs: readonly VideoRendition[], duration: number) =>
  rungs.reduce((sum, r) => sum + r.width * r.height * (r.frameRate.num / r.frameRate.den) * duration, 0)

/**
 * The estimated size and encoding time of a plan, from the calibration, on a machine of `cores`
 * (this one's by default).
 */
export function estimateCost(
  plan: LadderPlan,
  calibration: Calibration,
  cores = globalThis.navigator?.hardwareConcurrency || 2,
): Cost {
  const bytes = estimateBytes(plan)
  const source = plan.source
  const browser = calibration !== null && BROWSER_DECODES.has(source.videoCodec) && !source.interlaced
  if (!calibration) return { bytes, seconds: null, engine: 'ffmpeg.wasm' }
  const { pixelsPerSecond } = calibration
  if (!browser) {
    const seconds = (pixelsOf(plan.renditions, source.duration) / pixelsPerSecond) * DECODE_OVERHEAD
    return { bytes, seconds: seconds * WASM_FACTOR, engine: 'ffmpeg.wasm' }
  }
  const x264 = plan.renditions.filter((r) => r.x264)
  const own = plan.renditions.filter((r) => !r.x264)
  const encoders = (pixelsOf(own, source.duration) / pixelsPerSecond) * DECODE_OVERHEAD
  // One thread each; X264_PIXEL_COST was measured on two cores, where the browser's encoders run
  // at the calibrated speed, which grows with the cores as x264's one thread does not.
  const workers = x264Groups(x264, cores).map(
    (group) =>
      (pixelsOf(group, source.duration) * X264_PIXEL_COST * Math.max(1, cores / 2)) / pixelsPerSecond,
  )
  const shared = encoders + workers.reduce((sum, s) => sum + s, 0) / cores
  return { bytes, seconds: Math.max(shared, ...workers), engine: 'webcodecs' }
}

/** "about 12 min", "about 1 h 10 min". */
export function roughTime(seconds: number): string {
  if (seconds < 60) return 'under a minute'
  const minutes = Math.round(seconds / 60)
  if (minutes < 60) return `about ${minutes} min`
  return `about ${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`
}
