/**
 * @module The ffmpeg.wasm encoder backend: probes with ffprobe in a worker, encodes the ladder in
 * several parallel single-thread instances (or the threaded core), streams finished files out as they
 * complete and merges the instances' manifests into one MPD.
 */

import { Channel } from './channel.ts'
import { canShareMemory, loadCore } from './core-loader.ts'
import { EncodeError, MediaProbeError } from './errors.ts'
import { encodeArgs, posterArgs, probeArgs } from './ffmpeg-args.ts'
import { shiftFragmentTime } from './fmp4.ts'
import { type EncodeJob, planJobs, renameOutput, streamIds } from './jobs.ts'
import { mergeJobManifests } from './merge.ts'
import { parseProbe, unreadableError } from './probe-result.ts'
import { toNumber } from './rational.ts'
import { errorFromLog, runInWorker } from './runner.ts'
import { rate, record, type SpeedSample } from './speed.ts'
import type {
  CoreVariant,
  EncodedFile,
  EncodeOptions,
  EncodeProgress,
  EncoderBackend,
  LadderPlan,
  ProbeResult,
  RenditionProgress,
} from './types.ts'
import { IN_DIR, OUT_DIR, type WorkerEvent } from './worker-protocol.ts'

export const CONTENT_TYPES: Record<EncodedFile['kind'], string> = {
  manifest: 'application/dash+xml',
  init: 'video/mp4',
  segment: 'video/iso.segment',
  poster: 'image/jpeg',
}

/** The published MPD as an output file. */
export function manifestFile(xml: string): EncodedFile {
  return {
    path: 'manifest.mpd',
    bytes: new TextEncoder().encode(xml),
    kind: 'manifest',
    contentType: CONTENT_TYPES.manifest,
  }
}

/** About one instance per core, leaving one for the page when there are many, at most six. */
export function defaultWorkers(): number {
  const cores = globalThis.navigator?.hardwareConcurrency || 2
  return Math.max(1, Math.min(6, cores > 4 ? cores - 1 : cores))
}

/** A name for the input inside the wasm file system; the extension helps ffmpeg with raw formats. */
function inputName(file: Blob & { name?: string }): string {
  const ext = /\.([a-z0-9]{1,5})$/i.exec(file.name ?? '')?.[1]?.toLowerCase()
  return ext ? `source.${ext}` : 'source'
}

/** Encodes raw RGBA pixels as a JPEG with the browser's encoder. */
export async function rgbaToJpeg(rgba: ArrayBuffer, width: number, height: number): Promise<Uint8Array> {
  const canvas = new OffscreenCanvas(width, height)
  const context = canvas.getContext('2d')
  if (!context) throw new EncodeError('ffmpeg-failed', 'This browser cannot draw the poster image.')
  context.putImageData(new ImageData(new Uint8ClampedArray(rgba), width, height), 0, 0)
  const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.85 })
  return new Uint8Array(await blob.arrayBuffer())
}

interface JobState {
  job: EncodeJob
  state: RenditionProgress['state']
  /** Source seconds done in the encode step. */
  seconds: number
  encodeStep: number
  /** Recent (time, seconds done) pairs: speed is measured over the last few seconds. */
  samples: SpeedSample[]
}

/** Source seconds encoded per wall-clock second, over the recent window; 0 until it means something. */
const recentSpeed = (s: JobState) => rate(s.samples)

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
      return parseProbe(result.stdout, file.size)
    },

    encode(file, plan, options = {}) {
      return encodeWithFfmpeg(file, plan, { ...options, core: options.core ?? defaults.core ?? 'core' })
    },
  }
}

/** What another backend may change about an ffmpeg.wasm run (the WebCodecs one runs only the audio here). */
export interface FfmpegRunParts {
  /** The jobs to run instead of those `planJobs` would choose. */
  jobs?: EncodeJob[]
  /**
   * Called with every job's manifest and the segment sizes once all jobs are done; returns the last
   * file to hand out (by default the merged MPD), or null for none.
   */
  finish?: (manifests: ReadonlyMap<string, string>, sizes: ReadonlyMap<string, number>) => EncodedFile | null
}

export async function* encodeWithFfmpeg(
  file: Blob & { name?: string },
  plan: LadderPlan,
  options: EncodeOptions & { core: CoreVariant },
  parts: FfmpegRunParts = {},
): AsyncGenerator<EncodedFile> {
  const threaded = options.core === 'core-mt'
  if (threaded && !canShareMemory()) {
    throw new EncodeError('worker-crashed', 'The multi-threaded encoder needs a cross-origin isolated page.')
  }
  const jobs =
    parts.jobs ??
    planJobs(plan, options.workers ?? (threaded ? 1 : defaultWorkers()), options.split ?? 'auto')
  const core = await loadCore(options.core)
  const name = inputName(file)
  const input = `${IN_DIR}/${name}`
  const limit = options.maxBufferedBytes ?? 64 * 1024 * 1024
  const counter = canShareMemory() ? new SharedArrayBuffer(4) : null
  const buffered = counter ? new Int32Array(counter) : null
  let looseBytes = 0
  const controller = new AbortController()
  const onAbort = () => controller.abort(options.signal?.reason)
  options.signal?.addEventListener('abort', onAbort, { once: true })

  const started = performance.now()
  const states: JobState[] = jobs.map((job) => ({
    job,
    state: 'queued',
    seconds: 0,
    encodeStep: job.poster ? 1 : 0,
    samples: [],
  }))
  const duration = plan.source.duration
  const totalCost = jobs.reduce((sum, j) => sum + j.cost, 0)

  /** Seconds of the source a job covers (a slice, or the whole movie). */
  const lengthOf = (job: EncodeJob) => (job.range ? (job.range.end ?? duration) - job.range.start : duration)
  const jobFraction = (s: JobState) =>
    s.state === 'done' ? 1 : Math.min(1, Math.max(0, s.seconds / Math.max(1e-3, lengthOf(s.job))))

  const report = () => {
    if (!options.onProgress) return
    const now = performance.now()
    const tracks: { id: string; label: string; fps: number }[] = [
      ...plan.renditions.map((r) => ({ id: r.id, label: r.label, fps: toNumber(r.frameRate) })),
      ...(plan.audio ? [{ id: plan.audio.id, label: 'Audio', fps: 0 }] : []),
    ]
    // A rendition may be encoded in several slices at once: add their work and speeds up.
    const rows: RenditionProgress[] = tracks.map((track) => {
      const parts = states.filter((s) => streamIds(s.job).includes(track.id))
      const total = parts.reduce((sum, s) => sum + lengthOf(s.job), 0)
      const done = parts.reduce((sum, s) => sum + jobFraction(s) * lengthOf(s.job), 0)
      const speed = parts.reduce((sum, s) => sum + (s.state === 'done' ? 0 : recentSpeed(s)), 0)
      let eta: number | null = 0
      for (const s of parts) {
        if (s.state === 'done') continue
        const rate = recentSpeed(s)
        eta = eta === null || rate <= 0 ? null : Math.max(eta, (lengthOf(s.job) - s.seconds) / rate)
      }
      const jobStates = parts.map((s) => s.state)
      const state: RenditionProgress['state'] = jobStates.every((x) => x === 'done')
        ? 'done'
        : (['encoding', 'waiting', 'loading', 'queued'] as const).find((x) => jobStates.includes(x))!
      return {
        id: track.id,
        label: track.label,
        seconds: done,
        fraction: total > 0 ? done / total : 0,
        fps: speed * track.fps,
        eta,
        state,
      }
    })
    let eta: number | null = 0
    for (const r of rows) eta = eta === null || r.eta === null ? null : Math.max(eta, r.eta)
    const progress: EncodeProgress = {
      backend: 'ffmpeg.wasm',
      renditions: rows,
      fraction: states.reduce((sum, s) => sum + jobFraction(s) * s.job.cost, 0) / totalCost,
      eta,
      elapsed: (now - started) / 1000,
      bufferedBytes: buffered ? Atomics.load(buffered, 0) : looseBytes,
    }
    options.onProgress(progress)
  }

  const channel = new Channel<EncodedFile>()
  const manifests = new Map<string, string>()
  const sizes = new Map<string, number>()
  const posters: Promise<void>[] = []
  const release = (bytes: number) => {
    if (buffered) {
      Atomics.sub(buffered, 0, bytes)
      Atomics.notify(buffered, 0)
    } else looseBytes -= bytes
  }

  const runJob = async (s: JobState) => {
    const { job } = s
    const target = { input, outDir: OUT_DIR, ...(threaded ? { threads: options.threads ?? 2 } : {}) }
    const steps = [
      ...(job.poster ? [{ tool: 'ffmpeg' as const, args: posterArgs(plan, target) }] : []),
      { tool: 'ffmpeg' as const, args: encodeArgs(plan, job, target) },
    ]
    s.state = 'loading'
    report()
    const onEvent = (event: WorkerEvent) => {
      switch (event.type) {
        case 'loaded':
          s.state = 'encoding'
          break
        case 'stats':
          if (event.step !== s.encodeStep) return
          s.seconds = Math.max(s.seconds, event.time)
          record(s.samples, s.seconds)
          break
        case 'waiting':
          s.state = event.waiting ? 'waiting' : 'encoding'
          break
        case 'file': {
          const out = renameOutput(job, event.name)
          if (!buffered) looseBytes += event.bytes.byteLength
          if (!out) {
            release(event.bytes.byteLength)
            return
          }
          if (out.kind === 'instance-manifest') {
            manifests.set(job.id, new TextDecoder().decode(event.bytes))
            release(event.bytes.byteLength)
            return
          }
          if (out.kind === 'poster') {
            const raw = event.bytes
            release(raw.byteLength)
            posters.push(
              rgbaToJpeg(raw, plan.poster.width, plan.poster.height).then((bytes) => {
                channel.push({ path: out.path, bytes, kind: 'poster', contentType: CONTENT_TYPES.poster })
              }),
            )
            return
          }
          const bytes = new Uint8Array(event.bytes)
          if (out.kind === 'segment' && job.range && job.range.start > 0) {
            shiftFragmentTime(bytes, Math.round(job.range.start * plan.videoTimescale))
          }
          sizes.set(out.path, event.bytes.byteLength)
          channel.push({
            path: out.path,
            bytes,
            kind: out.kind,
            contentType: CONTENT_TYPES[out.kind],
            ...(out.representation ? { representation: out.representation } : {}),
          })
          return
        }
        case 'step-done':
          if (event.step === s.encodeStep && event.code === 0) s.state = 'done'
          break
      }
      report()
    }
    const results = await runInWorker({
      core,
      file,
      inputName: name,
      steps,
      backpressure: counter ? { counter, limit } : null,
      signal: controller.signal,
      stallTimeoutMs: options.stallTimeoutMs ?? 90_000,
      onEvent,
      name: `ffmpeg ${job.id}`,
    })
    const failed = results.find((r) => r.code !== 0)
    if (failed || results.length < steps.length) {
      throw errorFromLog(
        failed?.log ?? [],
        `Encoding ${streamIds(job).join(', ')} failed (ffmpeg exit code ${failed?.code}).`,
      )
    }
  }

  const mergedManifest = (manifests: ReadonlyMap<string, string>, sizes: ReadonlyMap<string, number>) => {
    try {
      return manifestFile(mergeJobManifests(plan, jobs, manifests, sizes))
    } catch (error) {
      throw new EncodeError(
        'ffmpeg-failed',
        `The encoded parts do not fit together: ${(error as Error).message}`,
      )
    }
  }

  const all = Promise.all(states.map(runJob)).then(
    async () => {
      await Promise.all(posters)
      const last = (parts.finish ?? mergedManifest)(manifests, sizes)
      if (last) channel.push(last)
      channel.close()
    },
    (error: unknown) => {
      // One instance failing dooms the ladder; stop the others instead of letting them finish.
      controller.abort(error)
      channel.close(error)
    },
  )
  void all

  try {
    for (;;) {
      const { value, done } = await channel.next()
      if (done) break
      yield value
      // The consumer asked for the next file, so it is done holding on to this one.
      if (value.kind !== 'manifest') release(value.bytes.byteLength)
    }
  } finally {
    controller.abort(new DOMException('Encoding stopped', 'AbortError'))
    options.signal?.removeEventListener('abort', onAbort)
  }
}
