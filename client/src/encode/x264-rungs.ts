/**
 * @module The low rungs made by x264 beside the browser's encoders. The browser's H.264 encoder
 * (CAVLC, one reference frame, no B-frames) needs far more bits than x264 for the same picture at
 * low resolutions, where x264 in wasm costs least (BENCHMARKS.md, quality per bit). So the rungs a
 * plan marks `x264` are encoded by one ffmpeg.wasm worker running the ffmpeg.wasm backend's own job
 * (`runJob`: the same x264 arguments, GOP, DASH muxer and segment names), fed the frames the page
 * decodes anyway (the browser's decoder, or ffmpeg.wasm's on the hybrid path) through a pipe of
 * shared memory (frame-pipe.ts): the reverse of the hybrid path's plumbing. ffmpeg scales them to
 * each rung's size, as it does in the ffmpeg.wasm ladder.
 *
 * At most a few frames wait in the pipe, so the page's decoder runs at the pace of the slower of
 * x264 and the browser's encoders, and the x264 worker's segments count against the pipeline's byte
 * budget like any other worker's.
 */
import { loadCore } from './core-loader.ts'
import { EncodeError } from './errors.ts'
import type { RawInput } from './ffmpeg-args.ts'
import { runJob } from './ffmpeg-backend.ts'
import { FramePipe } from './frame-pipe.ts'
import type { EncodeJob } from './jobs.ts'
import type { Track } from './manifest.ts'
import { jobTracks } from './merge.ts'
import { misfit, type Pipeline, type WorkUnit } from './pipeline.ts'
import { toNumber } from './rational.ts'
import type { VideoRendition } from './types.ts'

/** Frames that may wait between the page and x264. */
const PIPE_SLOTS = 3

/**
 * x264 veryfast in wasm against the browser's encoder, CPU per output pixel (about 10 Mpx/s for one
 * wasm instance, jobs.ts): weights the x264 row in the overall progress.
 */
const X264_COST = 4

/** How the browser's pixel formats travel to ffmpeg: its name for them and bytes per pixel. */
const RAW_FORMATS: Record<string, { pixelFormat: string; bytesPerPixel: number; subsampled: boolean }> = {
  I420: { pixelFormat: 'yuv420p', bytesPerPixel: 1.5, subsampled: true },
  I420A: { pixelFormat: 'yuva420p', bytesPerPixel: 2.5, subsampled: true },
  I422: { pixelFormat: 'yuv422p', bytesPerPixel: 2, subsampled: true },
  I444: { pixelFormat: 'yuv444p', bytesPerPixel: 3, subsampled: false },
  NV12: { pixelFormat: 'nv12', bytesPerPixel: 1.5, subsampled: true },
  I420P10: { pixelFormat: 'yuv420p10le', bytesPerPixel: 3, subsampled: true },
  I422P10: { pixelFormat: 'yuv422p10le', bytesPerPixel: 4, subsampled: true },
  I444P10: { pixelFormat: 'yuv444p10le', bytesPerPixel: 6, subsampled: false },
  RGBA: { pixelFormat: 'rgba', bytesPerPixel: 4, subsampled: false },
  RGBX: { pixelFormat: 'rgb0', bytesPerPixel: 4, subsampled: false },
  BGRA: { pixelFormat: 'bgra', bytesPerPixel: 4, subsampled: false },
  BGRX: { pixelFormat: 'bgr0', bytesPerPixel: 4, subsampled: false },
}

/**
 * How to hand frames like `frame` to ffmpeg: as they are where ffmpeg reads their layout (copied
 * tightly packed), else converted by the browser to RGBA (a canvas frame, an unusual format, an odd
 * size a subsampled format cannot be cut to).
 */
export function rawLayout(frame: VideoFrame): {
  input: Omit<RawInput, 'rate'>
  copy: VideoFrameCopyToOptions
  bytes: number
} {
  const rect = frame.visibleRect
  const width = rect?.width ?? frame.codedWidth
  const height = rect?.height ?? frame.codedHeight
  const known = frame.format ? RAW_FORMATS[frame.format] : undefined
  const aligned = [width, height, rect?.x ?? 0, rect?.y ?? 0].every((v) => v % 2 === 0)
  if (known && (aligned || !known.subsampled)) {
    const bytes = width * height * known.bytesPerPixel
    try {
      if (frame.allocationSize() === bytes)
        return { input: { pixelFormat: known.pixelFormat, width, height }, copy: {}, bytes }
    } catch {
      // Not copyable as it is: converted below.
    }
  }
  return {
    input: { pixelFormat: 'rgba', width, height },
    copy: { format: 'RGBA' },
    bytes: width * height * 4,
  }
}

/** Rungs of a plan that x264 encodes beside the browser's encoders, in one ffmpeg.wasm worker. */
export class X264Rungs {
  /** Their progress row (one for the worker, shared by its rungs). */
  readonly unit: WorkUnit
  /** The first frame (at the top rung's rate) it needs: a resumed encode's first missing segment. */
  readonly firstFrame: number
  private readonly job: EncodeJob
  private readonly fullRate: VideoRendition['frameRate']
  private pipe: FramePipe | null = null
  private copy: VideoFrameCopyToOptions = {}
  private manifest: Promise<string | null> | null = null

  /**
   * @param sourceFrames frames of the source at the top rung's rate
   * @param from the first segment each rendition needs (a resumed encode); 1 when absent
   */
  constructor(
    private readonly pipeline: Pipeline,
    private readonly file: Blob & { name?: string },
    readonly renditions: readonly VideoRendition[],
    sourceFrames: number,
    from: Readonly<Record<string, number>>,
    id = 'x264',
  ) {
    const { plan } = pipeline
    const top = plan.renditions[0]!
    this.fullRate = top.frameRate
    // Every rung from the earliest segment one of them misses (what a rung already has on the server
    // comes out again and is not sent twice); at least the last segment, so that a job always runs
    // and its manifest says what the tracks are.
    const segments = Math.max(1, Math.ceil(sourceFrames / top.gop))
    const first = Math.min(segments, ...renditions.map((r) => from[r.id] ?? 1))
    this.firstFrame = (first - 1) * top.gop
    const resumed = first > 1
    this.job = {
      id,
      renditions: [...renditions],
      audio: [],
      poster: false,
      subtitles: false,
      thumbnails: false,
      cost: 0,
      range: resumed
        ? { start: (first - 1) * plan.segmentDuration, end: null, firstSegment: first - 1 }
        : null,
      ...(resumed ? { resumed: true } : {}),
    }
    this.unit = pipeline.unit({
      name: `The x264 encoder of ${renditions.map((r) => r.label).join(' and ')} (ffmpeg.wasm)`,
      tracks: renditions.map((r) => r.id),
      length: Math.max(1, sourceFrames - this.firstFrame) / toNumber(this.fullRate),
      cost: X264_COST * renditions.reduce((sum, r) => sum + r.width * r.height * toNumber(r.frameRate), 0),
    })
  }

  /**
   * Hands source frame `n` (at the top rung's rate) to x264, waiting while the pipe is full. The
   * first frame starts the worker, shaped after it.
   */
  async push(frame: VideoFrame, n: number): Promise<void> {
    if (n < this.firstFrame || this.pipeline.signal.aborted) return
    this.pipe ??= await this.start(frame)
    await this.pipe.write(frame, this.copy, this.pipeline.signal)
  }

  /**
   * No more frames: waits for x264 to write its last segments, and resolves with the rungs' tracks
   * for the manifest (a resumed encode's stored segments included).
   * @throws EncodeError when the worker fails or the tracks do not fit
   */
  async finish(): Promise<Track[]> {
    if (!this.pipe || !this.manifest) throw new EncodeError('ffmpeg-failed', 'x264 was given no frame.')
    this.pipe.close()
    const manifest = await this.manifest
    if (!manifest) throw new EncodeError('ffmpeg-failed', 'The x264 encoder wrote no manifest.')
    try {
      const { video } = jobTracks(this.pipeline.plan, [this.job], new Map([[this.job.id, manifest]]))
      return video.map((track) => this.withStored(track))
    } catch (error) {
      throw misfit(error)
    }
  }

  private async start(frame: VideoFrame): Promise<FramePipe> {
    const { input, copy, bytes } = rawLayout(frame)
    this.copy = copy
    const pipe = new FramePipe(bytes, PIPE_SLOTS)
    const core = await loadCore('core')
    const raw = { input: { ...input, rate: this.fullRate }, pipe: pipe.spec }
    this.manifest = runJob(this.pipeline, { core, file: this.file, raw }, this.job, this.unit)
    // A failed worker reads no more frames: the whole encode stops rather than wait for it.
    this.manifest.catch((error: unknown) => this.pipeline.fail(error))
    return pipe
  }

  /** A resumed rung's track: the segments the server already has come first, where their GOPs start. */
  private withStored(track: Track): Track {
    const first = this.job.range?.firstSegment ?? 0
    if (first === 0) return track
    const r = this.renditions.find((x) => x.id === track.id)!
    const { timescale } = track
    const startOf = (i: number) => Math.round(((i * r.gop) / toNumber(r.frameRate)) * timescale)
    const stored = Array.from({ length: first }, (_, i) => ({
      number: i + 1,
      start: startOf(i),
      duration: startOf(i + 1) - startOf(i),
    }))
    return { ...track, segments: [...stored, ...track.segments] }
  }
}
