/**
 * Shared plumbing of the encoding benchmarks (bench/encode*.ts): native ffmpeg runs and quality
 * measurements, the engine driven in the page, the tab's peak memory, and writing tables into
 * BENCHMARKS.md.
 * @module
 */

import { execFile } from 'node:child_process'
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { cpus } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { CDPSession } from 'playwright-core'
import { encodeArgs, posterArgs, probeArgs } from '../client/src/encode/ffmpeg-args.ts'
import type { EncodeJob } from '../client/src/encode/jobs.ts'
import { parseProbe } from '../client/src/encode/probe-result.ts'
import { audioRenditions } from '../client/src/encode/tracks.ts'
import type { LadderPlan, VideoRendition } from '../client/src/encode/types.ts'
import { parseSegmentName } from '../server/lib/dash/names.ts'
import type { openEngine } from '../tests/encode/support/browser.ts'
import { writeSection as writeBenchSection } from './lib.ts'

export const run = promisify(execFile)
export type Session = Awaited<ReturnType<typeof openEngine>>

export interface PageRun {
  wallMs: number
  bytes: number
  files: number
  workers: number
  backend: string
  /** Bytes of the preview sprite sheets. */
  spriteBytes: number
  /** Every progress report: seconds since the start, weighted fraction done, ETA in seconds. */
  trace: { t: number; fraction: number; eta: number | null }[]
}

/** SSIM and PSNR (all planes) of an encoded stream against the source scaled to its size. */
export async function qualityOf(
  encoded: string,
  source: string,
  size: Pick<VideoRendition, 'width' | 'height'>,
): Promise<{ ssim: number; psnr: number }> {
  const { stderr } = await run(
    'ffmpeg',
    [
      '-nostdin',
      '-i',
      encoded,
      '-i',
      source,
      '-lavfi',
      `[1:v]scale=${size.width}:${size.height}:flags=bicubic,format=yuv420p,split[r1][r2];` +
        '[0:v]format=yuv420p,split[o1][o2];[o1][r1]ssim;[o2][r2]psnr',
      '-f',
      'null',
      '-',
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  )
  const ssim = Number(/SSIM .* All:([0-9.]+)/.exec(stderr)?.[1] ?? Number.NaN)
  const psnr = Number(/PSNR .* average:([0-9.inf]+)/.exec(stderr)?.[1] ?? Number.NaN)
  return { ssim, psnr }
}

/** One rendition's init and media segments in a folder, joined into one playable MP4. */
export async function joinRendition(dir: string, id: string, init: string): Promise<string> {
  const joined = join(dir, `joined-${id}.mp4`)
  const parts = await Promise.all([init, ...(await segmentFiles(dir, id))].map((f) => readFile(join(dir, f))))
  await writeFile(joined, Buffer.concat(parts))
  return joined
}

/** SSIM of one rendition (its init segment and media segments, concatenated) against the source. */
export async function ssimOf(source: string, dir: string, init: string, id: string, plan: LadderPlan) {
  const joined = await joinRendition(dir, id, init)
  const { ssim } = await qualityOf(joined, source, plan.renditions[0]!)
  return Number.isNaN(ssim) ? null : ssim
}

/** A representation's media segments in a folder, in play order. */
export async function segmentFiles(dir: string, id: string): Promise<string[]> {
  return (await readdir(dir))
    .filter((f) => {
      const segment = parseSegmentName(f)
      return segment?.kind === 'media' && segment.id === id
    })
    .sort()
}

export async function probeNative(path: string) {
  const { stdout } = await run('ffprobe', probeArgs(path))
  return parseProbe(stdout, (await stat(path)).size)
}

/**
 * Native ffmpeg running the ffmpeg.wasm backend's own arguments for the whole ladder (and the
 * poster), one command; `preset` replaces x264's preset. Returns the wall time in ms.
 */
export async function nativeEncode(
  source: string,
  plan: LadderPlan,
  out: string,
  opts: { preset?: string; poster?: boolean } = {},
): Promise<number> {
  await mkdir(out, { recursive: true })
  const job: EncodeJob = {
    id: 'native',
    renditions: plan.renditions,
    audio: audioRenditions(plan),
    poster: opts.poster ?? true,
    subtitles: false,
    thumbnails: false,
    cost: 0,
    range: null,
  }
  let args = encodeArgs(plan, job, { input: source, outDir: out })
  if (opts.preset) args = args.map((a) => (a === 'veryfast' ? opts.preset! : a))
  const started = performance.now()
  if (job.poster) await run('ffmpeg', ['-nostdin', '-y', ...posterArgs(plan, { input: source, outDir: out })])
  await run('ffmpeg', ['-nostdin', '-y', ...args], { maxBuffer: 64 * 1024 * 1024 })
  return performance.now() - started
}

async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '')
  const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1]
  return kb ? Number(kb) * 1024 : 0
}

/**
 * Samples the resident size of every renderer process every 250 ms (its workers and wasm heaps
 * live in it) until `stop()`, which resolves with the largest seen.
 */
export function trackPeakMemory(cdp: CDPSession): { stop(): Promise<number>; peakSoFar(): Promise<number> } {
  let peak = 0
  const sample = async () => {
    const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as {
      processInfo: { type: string; id: number }[]
    }
    for (const p of processInfo.filter((p) => p.type === 'renderer'))
      peak = Math.max(peak, await rssBytes(p.id))
  }
  const timer = setInterval(() => void sample().catch(() => undefined), 250)
  return {
    async peakSoFar() {
      return peak
    },
    async stop() {
      clearInterval(timer)
      await sample().catch(() => undefined)
      return peak
    },
  }
}

/**
 * The setup's name in the tables, by the backend that really ran (a fallback shows as such) and the
 * rungs the plan gave x264 beside the browser's encoder.
 */
export function setupName(result: PageRun, named?: string, plan?: LadderPlan): string {
  const x264 = plan?.renditions.filter((r) => r.x264).map((r) => r.label) ?? []
  const low = x264.length > 0 ? `, ${x264.join('/')} by x264 (wasm)` : ''
  if (result.backend === 'hybrid')
    return `ours: hybrid (ffmpeg.wasm decodes, WebCodecs encodes${low}) + ffmpeg.wasm audio`
  if (result.backend === 'webcodecs')
    return `ours: WebCodecs video${x264.length > 0 ? low : plan ? ' (every rung)' : ''} + ffmpeg.wasm audio`
  return named ? `ours: ${named}` : `ours: ffmpeg.wasm alone, ${result.workers} × core`
}

export const mb = (b: number) => `${Math.round(b / 1024 / 1024)} MB`
export const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`

export async function runNote(chromium: string): Promise<string> {
  const load = await readFile('/proc/loadavg', 'utf8')
  return (
    `Run ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores, Chromium ${chromium}, ` +
    `load average ${load.split(' ').slice(0, 3).join(' ')} at the end.`
  )
}

/**
 * Encodes the file in the page's file input with the engine (no probe: the plan is given) and
 * reports what came out. `keep` names representations whose files are saved into `saveTo` once the
 * clock has stopped (they are held in the tab until then, so leave it empty for long sources).
 */
export async function encodeInBench(
  session: Session,
  plan: LadderPlan,
  options: Record<string, unknown>,
  saveTo: string,
  keep: readonly string[] = [plan.renditions[0]!.id],
): Promise<PageRun> {
  // tsx keeps function names by wrapping functions in `__name(...)`, which the page does not have.
  await session.page.evaluate('globalThis.__name ??= (fn) => fn')
  return session.page.evaluate(
    async ({ engineUrl, plan, options, saveTo, keep }) => {
      const load = new Function('url', 'return import(url)') as (
        url: string,
      ) => Promise<typeof import('../client/src/encode/index.ts')>
      const engine = await load(engineUrl)
      const [file, ...sidecars] = [
        ...(document.getElementById('engine-test-file') as HTMLInputElement).files!,
      ]
      if (!file) throw new Error('no file chosen')
      const { backend: which, ...encodeOptions } = options
      engine.useBackend(
        which === 'ffmpeg.wasm'
          ? engine.ffmpegWasmBackend()
          : engine.webCodecsBackend({ fallback: engine.ffmpegWasmBackend() }),
      )
      let bytes = 0
      let files = 0
      let spriteBytes = 0
      let backend = ''
      let workers = 0
      const trace: { t: number; fraction: number; eta: number | null }[] = []
      const kept: { path: string; bytes: Uint8Array }[] = []
      const started = performance.now()
      for await (const out of engine.encode(file, plan, {
        ...encodeOptions,
        sidecars,
        onProgress: (p) => {
          backend = p.backend
          workers = p.workers
          const t = (performance.now() - started) / 1000
          // Every 5% a line the bench prints as it goes, so a run cut short still tells how far it got.
          const step = Math.floor(p.fraction * 20)
          if (step > Math.floor((trace.at(-1)?.fraction ?? 0) * 20))
            console.info(
              `[bench-progress] ${Math.round(p.fraction * 100)}% at ${t.toFixed(0)} s, ETA ${p.eta?.toFixed(0) ?? '—'} s`,
            )
          trace.push({ t, fraction: p.fraction, eta: p.eta })
        },
      })) {
        bytes += out.bytes.byteLength
        files++
        if (out.kind === 'sprite') spriteBytes += out.bytes.byteLength
        if (out.representation && keep.includes(out.representation)) kept.push(out)
      }
      const wallMs = performance.now() - started
      const save = (
        window as unknown as { __saveEncodedFile: (d: string, p: string, b: string) => Promise<void> }
      ).__saveEncodedFile
      for (const out of kept) {
        let binary = ''
        for (let i = 0; i < out.bytes.length; i += 0x8000) {
          binary += String.fromCharCode(...out.bytes.subarray(i, i + 0x8000))
        }
        await save(saveTo, out.path, btoa(binary))
      }
      return { wallMs, bytes, files, workers, backend, spriteBytes, trace }
    },
    { engineUrl: session.engineUrl, plan, options, saveTo, keep },
  )
}

/** An encode table and its run note into their marked block of BENCHMARKS.md (bench/lib.ts). */
export const writeSection = (heading: string, marker: string, table: string, note: string) =>
  writeBenchSection(heading, marker, `${table}\n\n${note}`, 'npm run bench:encode')
