/**
 * @module The ffmpeg.wasm encoder: probes with ffprobe in a worker, and encodes the ladder in several
 * parallel single-thread instances (or the threaded core), each one a job from `planJobs` run by
 * `runJob` in its own worker and plugged into the pipeline (pipeline.ts): files go out as the DASH
 * muxer finishes them, and the instances' manifests become the ladder's tracks. `encodeAudio` runs
 * one such job for the AAC track alone, beside the WebCodecs encoder.
 */

import { canShareMemory, loadCore } from './core-loader.ts'
import { EncodeError, MediaProbeError } from './errors.ts'
import { encodeArgs, posterArgs, probeArgs, type RawInput, subtitleArgs } from './ffmpeg-args.ts'
import { shiftFragmentTime } from './fmp4.ts'
import type { PipeSpec } from './frame-pipe.ts'
import { type EncodeJob, planJobs, renameOutput, streamIds } from './jobs.ts'
import type { Track } from './manifest.ts'
import { jobTracks } from './merge.ts'
import {
  type EncodedTracks,
  type Engine,
  misfit,
  type Pipeline,
  posterFile,
  runPipeline,
  type WorkUnit,
} from './pipeline.ts'
import { parseProbe, unreadableError } from './probe-result.ts'
import { errorFromLog, runInWorker } from './runner.ts'
import { withReadableLength } from './truncation.ts'
import type { CoreVariant, EncodeOptions, EncoderBackend, LadderPlan, ProbeResult } from './types.ts'
import { type CoreLocation, IN_DIR, OUT_DIR, PIPE_PATH, type WorkerEvent } from './worker-protocol.ts'

/** About one instance per core, leaving one for the page when there are many, at most six. */
export function defaultWorkers(): number {
  const cores = globalThis.navigator?.hardwareConcurrency || 2
  return Math.max(1, Math.min(6, cores > 4 ? cores - 1 : cores))
}

/** A name for the input inside the wasm file system; the extension helps ffmpeg with raw formats. */
export function inputName(file: Blob & { name?: string }): string {
  const ext = /\.([a-z0-9]{1,5})$/i.exec(file.name ?? '')?.[1]?.toLowerCase()
  return ext ? `source.${ext}` : 'source'
}

/** Creates the ffmpeg.wasm backend. */
export function ffmpegWasmBackend(defaults: { core?: CoreVariant } = {}): EncoderBackend {
  return {
    name: 'ffmpeg.wasm',

    async probe(file, options = {}): Promise<ProbeResult> {
      if (file.size === 0) throw new MediaProbeError('empty', 'This file is empty.')
      const core = await loadCore('core')
      const name = inputName(file)
      const [result] = await runInWorker({
        core,
        file,
        inputName: name,
        steps: [{ tool: 'ffprobe', args: probeArgs(`${IN_DIR}/${name}`) }],
        backpressure: null,
        stallTimeoutMs: 60_000,
        name: 'ffprobe',
        ...(options.signal ? { signal: options.signal } : {}),
      })
      // The core's ffprobe reports -1 whether or not it succeeded; the JSON tells.
      if (!result?.stdout.includes('"format"')) {
        const head = new Uint8Array(await file.slice(0, 512).arrayBuffer())
        throw unreadableError(head, result?.log.join('\n') ?? '')
      }
      // ffprobe believes the header; a file cut off after it holds less.
      return withReadableLength(file, parseProbe(result.stdout, file.size))
    },

    encode(file, plan, options = {}) {
      const core = options.core ?? defaults.core ?? 'core'
      return runPipeline(plan, options, ffmpegEngine(file, plan, { ...options, core }))
    },
  }
}

/** The ffmpeg.wasm engine: the plan's jobs in parallel workers, their manifests merged. */
function ffmpegEngine(
  file: Blob & { name?: string },
  plan: LadderPlan,
  options: EncodeOptions & { core: CoreVariant },
): Engine {
  const threaded = options.core === 'core-mt'
  const jobs = planJobs(plan, options.workers ?? (threaded ? 1 : defaultWorkers()), options.split ?? 'auto')
  const n = jobs.length
  return {
    info: {
      backend: 'ffmpeg.wasm',
      encoder:
        n === 1 ? 'ffmpeg.wasm, in your browser' : `${n} parallel ffmpeg.wasm encoders, in your browser`,
      encoderDetail:
        'ffmpeg.wasm reads every format, but takes about four times as long as a native encoder.',
      workers: n,
      pausesForConsumer: canShareMemory(),
    },
    async run(pipeline: Pipeline): Promise<EncodedTracks> {
      if (threaded && !canShareMemory()) {
        throw new EncodeError(
          'worker-crashed',
          'The multi-threaded encoder needs a cross-origin isolated page.',
        )
      }
      const units = jobs.map((job) => jobUnit(pipeline, job, job.cost, 'queued'))
      const core = await loadCore(options.core)
      const threads = threaded ? (options.threads ?? 2) : undefined
      // One instance failing dooms the ladder: the pipeline then aborts the others.
      const manifests = await Promise.all(
        jobs.map((job, i) => runJob(pipeline, { core, file, threads }, job, units[i]!)),
      )
      try {
        return jobTracks(plan, jobs, collect(jobs, manifests))
      } catch (error) {
        throw misfit(error)
      }
    },
  }
}

/**
 * What the browser's own encoders cannot do, done by ffmpeg.wasm workers beside them: every AAC
 * rendition (WebCodecs cannot encode AAC in Chromium on Linux), one worker per audio track so that
 * a second language does not double the time the audio takes, and copying the embedded subtitle
 * tracks out of the source (in the first worker's pass). Their files go out through the pipeline
 * like any other; resolves with the audio tracks for the manifest (none when the plan has no audio).
 *
 * @param cost the audio's share of all the work, in the units of the other work's costs
 */
export async function encodeAudio(
  pipeline: Pipeline,
  file: Blob & { name?: string },
  cost: number,
): Promise<Track[]> {
  const { plan } = pipeline
  const subtitles = plan.subtitles.some((s) => s.source.kind === 'embedded')
  const groups = plan.audio.length > 0 ? plan.audio.map((t) => t.renditions) : [[]]
  const jobs: EncodeJob[] = groups.map((audio, i) => ({
    id: `audio${i}`,
    renditions: [],
    audio,
    poster: false,
    subtitles: subtitles && i === 0,
    thumbnails: false,
    cost: cost / groups.length,
    range: null,
  }))
  const units = jobs.map((job) => jobUnit(pipeline, job, job.cost, 'loading'))
  const core = await loadCore('core')
  const manifests = await Promise.all(jobs.map((job, i) => runJob(pipeline, { core, file }, job, units[i]!)))
  if (plan.audio.length === 0) return []
  let audio: Track[]
  try {
    audio = jobTracks(plan, jobs, collect(jobs, manifests)).audio
  } catch (error) {
    throw misfit(error)
  }
  if (audio.length === 0) throw new EncodeError('ffmpeg-failed', 'The audio encoder wrote no track.')
  return audio
}

/** Each job's manifest by job id, leaving out jobs that wrote none. */
function collect(jobs: readonly EncodeJob[], manifests: readonly (string | null)[]): Map<string, string> {
  const out = new Map<string, string>()
  jobs.forEach((job, i) => {
    const xml = manifests[i]
    if (xml) out.set(job.id, xml)
  })
  return out
}

/** A job's progress unit: every stream it writes, over the slice it covers. */
function jobUnit(pipeline: Pipeline, job: EncodeJob, cost: number, state: WorkUnit['state']): WorkUnit {
  const { duration } = pipeline.plan.source
  return pipeline.unit({
    name:
      job.renditions.length > 0
        ? 'The ffmpeg.wasm encoder'
        : job.audio.length > 0
          ? 'The audio encoder (ffmpeg.wasm)'
          : 'The subtitle reader (ffmpeg.wasm)',
    tracks: streamIds(job),
    // Seconds of the source a job covers (a slice, or the whole movie).
    length: job.range ? (job.range.end ?? duration) - job.range.start : duration,
    cost,
    state,
  })
}

/** Where a job runs and what it reads. */
export interface JobSite {
  core: CoreLocation
  file: Blob & { name?: string }
  threads?: number | undefined
  /** Raw frames from the page through a pipe, read instead of the file (frame-pipe.ts). */
  raw?: { input: RawInput; pipe: PipeSpec }
}

/**
 * Runs one job in its own worker: the poster first when the job has it, then the encode. Every file
 * the muxer finishes goes to the pipeline under its final name (a later slice's segments moved to
 * their place on the timeline). Resolves with the instance's own manifest, or null if it wrote none.
 * @throws EncodeError worded from ffmpeg's log when a step fails
 */
export async function runJob(
  pipeline: Pipeline,
  where: JobSite,
  job: EncodeJob,
  unit: WorkUnit,
): Promise<string | null> {
  const { plan } = pipeline
  const { core, file, threads, raw } = where
  const name = inputName(file)
  const target = {
    input: raw ? PIPE_PATH : `${IN_DIR}/${name}`,
    outDir: OUT_DIR,
    ...(threads ? { threads } : {}),
    ...(raw ? { raw: raw.input } : {}),
  }
  // The poster first (the catalog wants it early); subtitles come out of the encode's own pass, or
  // of a pass of their own in an instance that encodes nothing.
  const encodes = job.renditions.length > 0 || job.audio.length > 0
  const subtitles = job.subtitles && !encodes ? subtitleArgs(plan, target) : null
  const steps = [
    ...(job.poster ? [{ tool: 'ffmpeg' as const, args: posterArgs(plan, target) }] : []),
    ...(subtitles ? [{ tool: 'ffmpeg' as const, args: subtitles }] : []),
    ...(encodes ? [{ tool: 'ffmpeg' as const, args: encodeArgs(plan, job, target) }] : []),
  ]
  const encodeStep = steps.length - 1
  let manifest: string | null = null
  let poster: Promise<void> = Promise.resolve()

  const onFile = (fileName: string, data: ArrayBuffer) => {
    const out = renameOutput(job, fileName)
    // The worker counted every file's bytes; the ones that never reach the consumer as they are
    // come off again.
    if (!out || (out.kind !== 'init' && out.kind !== 'segment')) pipeline.discardWorkerBytes(data.byteLength)
    if (!out) return
    if (out.kind === 'instance-manifest') {
      manifest = new TextDecoder().decode(data)
    } else if (out.kind === 'subtitle-source') {
      pipeline.subtitle(out.index!, new Uint8Array(data))
    } else if (out.kind === 'tile') {
      const tiles = plan.thumbnails
      if (!tiles || data.byteLength !== tiles.width * tiles.height * 4) {
        pipeline.fail(new EncodeError('ffmpeg-failed', `Preview tile ${out.index} came out the wrong size.`))
        return
      }
      const pixels = new ImageData(new Uint8ClampedArray(data), tiles.width, tiles.height)
      pipeline.tile(out.index!, (context, x, y) => context.putImageData(pixels, x, y))
    } else if (out.kind === 'poster') {
      // Raw RGBA from ffmpeg, made a JPEG by the browser's own encoder.
      const { width, height } = plan.poster
      const pixels = new ImageData(new Uint8ClampedArray(data), width, height)
      poster = posterFile(plan, (context) => context.putImageData(pixels, 0, 0)).then((jpeg) =>
        pipeline.emit(jpeg),
      )
    } else {
      const bytes = new Uint8Array(data)
      if (out.kind === 'segment' && job.range && job.range.start > 0) {
        shiftFragmentTime(bytes, Math.round(job.range.start * plan.videoTimescale))
      }
      pipeline.emit(
        {
          path: out.path,
          bytes,
          kind: out.kind as 'init' | 'segment',
          ...(out.representation ? { representation: out.representation } : {}),
        },
        { countedByWorker: true },
      )
    }
  }

  const onEvent = (event: WorkerEvent) => {
    unit.alive()
    switch (event.type) {
      case 'loaded':
        unit.setState('encoding')
        break
      case 'stats':
        if (event.step === encodeStep) unit.advance(event.time)
        break
      case 'waiting':
        unit.setState(event.waiting ? 'waiting' : 'encoding')
        break
      case 'file':
        onFile(event.name, event.bytes)
        break
      case 'step-done':
        if (event.step === encodeStep && event.code === 0) unit.setState('done')
        break
    }
  }

  unit.setState('loading')
  const results = await runInWorker({
    core,
    file,
    inputName: name,
    steps,
    backpressure: pipeline.backpressure,
    signal: pipeline.signal,
    onEvent,
    name: `ffmpeg ${job.id}`,
    ...(raw ? { pipe: raw.pipe } : {}),
  })
  const failed = results.find((r) => r.code !== 0)
  if (failed || results.length < steps.length) {
    throw errorFromLog(
      failed?.log ?? [],
      `Encoding ${streamIds(job).join(', ')} failed (ffmpeg exit code ${failed?.code}).`,
    )
  }
  await poster
  return manifest
}
