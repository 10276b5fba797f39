/**
 * Encoding in the browser against native ffmpeg, same source, same ladder, same run.
 *
 * Sources are made by native ffmpeg (testsrc2 + a sine tone, H.264/AAC): 10 s and 60 s, at 720p and
 * 1080p. Each is planned with `planLadder` and encoded into the same ladder by:
 *   - ours: the production build of the engine in headless Chromium, from the `encode()` call to the
 *     last file out, poster included: the default engine (WebCodecs H.264 for the video, one
 *     ffmpeg.wasm worker for the AAC track), then ffmpeg.wasm alone (parallel single-thread workers);
 *   - native: Debian's ffmpeg running the same per-rendition arguments (`encodeArgs`) as one command
 *     with all renditions, plus the same poster command, using every core as it likes.
 * Quality: SSIM of the top rendition against the source (scaled to its size by bicubic), for ours
 * and for native x264 at the same bitrate.
 * Peak memory is the largest resident size of the tab's renderer process while encoding (its
 * workers and their wasm heaps live in it), sampled every 250 ms through CDP and /proc.
 *
 *   npm run bench:encode                 # all four sources
 *   npm run bench:encode -- --quick      # the 10 s sources only
 *   npm run bench:encode -- --mt         # also the threaded core (one instance, -threads 2)
 *   npm run bench:encode -- --write      # also replace the section in BENCHMARKS.md
 *   npm run bench:encode -- --tracks     # only the rows of every track (below)
 *
 * Every track (issue 13): a 60 s 720p anime-style MKV (two AAC tracks, an ASS and a SubRip
 * track) with a SubRip sidecar, encoded with everything (two audio tracks, three subtitle tracks
 * converted to WebVTT, seek-bar previews) against the very same file with the first audio track
 * only, nothing else; each setup twice, alternating, by both backends. The preview sprites'
 * bytes are scaled to an hour of video.
 * @module
 */
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { cpus, tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { encodeArgs, posterArgs, probeArgs } from '../client/src/encode/ffmpeg-args.ts'
import type { EncodeJob } from '../client/src/encode/jobs.ts'
import { planLadder } from '../client/src/encode/ladder.ts'
import { parseProbe } from '../client/src/encode/probe-result.ts'
import { audioRenditions } from '../client/src/encode/tracks.ts'
import type { LadderPlan } from '../client/src/encode/types.ts'
import { initName, parseSegmentName } from '../server/lib/dash/names.ts'
import { allowFileSaving, openEngine } from '../tests/encode/support/browser.ts'
import { makeAnimeClip, makeClip, makeSidecar } from '../tests/support/media.ts'
import { writeSection } from './lib.ts'

const run = promisify(execFile)
const argv = new Set(process.argv.slice(2))
const QUICK = argv.has('--quick')
const WITH_MT = argv.has('--mt')
const WRITE = argv.has('--write')
const ONLY_TRACKS = argv.has('--tracks')
const HEADING = '## Encoding in the browser (issue 4)'
const TRACKS_HEADING = '## Every track: audio languages, subtitles, previews (issue 13)'

interface PageRun {
  wallMs: number
  bytes: number
  files: number
  workers: number
  backend: string
  /** Bytes of the preview sprite sheets. */
  spriteBytes: number
}

interface Row {
  source: string
  seconds: number
  setup: string
  wallMs: number
  nativeMs: number
  peakRss: number | null
  bytes: number
  ssim: number | null
  nativeSsim: number | null
}

/** SSIM of one rendition (its init segment and media segments, concatenated) against the source. */
async function ssimOf(source: string, dir: string, init: string, chunks: string[], plan: LadderPlan) {
  const joined = join(dir, 'top-rendition.mp4')
  const parts = await Promise.all([init, ...chunks].map((f) => readFile(join(dir, f))))
  await writeFile(joined, Buffer.concat(parts))
  const top = plan.renditions[0]!
  const { stderr } = await run(
    'ffmpeg',
    [
      '-nostdin',
      '-i',
      joined,
      '-i',
      source,
      '-lavfi',
      `[1:v]scale=${top.width}:${top.height}:flags=bicubic,format=yuv420p[ref];[0:v]format=yuv420p[out];[out][ref]ssim`,
      '-f',
      'null',
      '-',
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  )
  const all = /SSIM .* All:([0-9.]+)/.exec(stderr)?.[1]
  return all ? Number(all) : null
}

/** A representation's media segments in a folder, in play order. */
async function segmentFiles(dir: string, id: string): Promise<string[]> {
  return (await readdir(dir))
    .filter((f) => {
      const segment = parseSegmentName(f)
      return segment?.kind === 'media' && segment.id === id
    })
    .sort()
}

async function probeNative(path: string) {
  const { stdout } = await run('ffprobe', probeArgs(path))
  return parseProbe(stdout, (await stat(path)).size)
}

async function nativeEncode(source: string, plan: LadderPlan, out: string): Promise<number> {
  await mkdir(out, { recursive: true })
  const job: EncodeJob = {
    id: 'native',
    renditions: plan.renditions,
    audio: audioRenditions(plan),
    poster: true,
    subtitles: false,
    thumbnails: false,
    cost: 0,
    range: null,
  }
  const started = performance.now()
  await run('ffmpeg', ['-nostdin', '-y', ...posterArgs(plan, { input: source, outDir: out })])
  await run('ffmpeg', ['-nostdin', '-y', ...encodeArgs(plan, job, { input: source, outDir: out })], {
    maxBuffer: 64 * 1024 * 1024,
  })
  return performance.now() - started
}

async function rssBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '')
  const kb = /VmRSS:\s+(\d+)/.exec(status)?.[1]
  return kb ? Number(kb) * 1024 : 0
}

const mb = (b: number) => `${Math.round(b / 1024 / 1024)} MB`
const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'adh-bench-encode-'))
  const session = await openEngine()
  await allowFileSaving(session.page)
  const cdp = await session.browser.newBrowserCDPSession()
  const rows: Row[] = []
  const chromium = session.browser.version()
  let tracks: string | null = null
  try {
    tracks = await tracksTable(session, dir)
    if (ONLY_TRACKS) {
      await finishTracks(tracks, chromium)
      return
    }
    const sources: { seconds: number; width: number; height: number }[] = []
    for (const seconds of QUICK ? [10] : [10, 60]) {
      for (const [width, height] of [
        [1280, 720],
        [1920, 1080],
      ] as const) {
        sources.push({ seconds, width, height })
      }
    }
    for (const src of sources) {
      const label = `${src.seconds} s ${src.height}p`
      const path = await makeClip(dir, `${src.seconds}s-${src.height}p.mp4`, { ...src, audio: true })
      const plan = planLadder(await probeNative(path))
      const ladder = plan.renditions.map((r) => r.label).join('/')
      console.error(`\n${label}: ladder ${ladder} + ${plan.audio.length ? 'AAC' : 'no audio'}`)

      const nativeDir = join(dir, `native-${src.seconds}-${src.height}`)
      const nativeMs = await nativeEncode(path, plan, nativeDir)
      // Native ffmpeg names streams by index: the top rendition is stream 0.
      const nativeSsim = await ssimOf(
        path,
        nativeDir,
        initName('0'),
        await segmentFiles(nativeDir, '0'),
        plan,
      )
      console.error(`  native ffmpeg: ${sec(nativeMs)}, top rung SSIM ${nativeSsim}`)

      await session.page.setInputFiles('#engine-test-file', path)
      const setups: { name: string; options: Record<string, unknown> }[] = [
        { name: 'ours', options: { backend: 'default' } },
        { name: 'ffmpeg.wasm', options: { backend: 'ffmpeg.wasm' } },
      ]
      if (WITH_MT && src.seconds === 10) {
        setups.push({
          name: 'ffmpeg.wasm core-mt ×1, -threads 2',
          options: { backend: 'ffmpeg.wasm', core: 'core-mt', workers: 1, threads: 2 },
        })
      }
      for (const setup of setups) {
        let peak = 0
        const sample = async () => {
          const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as {
            processInfo: { type: string; id: number }[]
          }
          for (const p of processInfo.filter((p) => p.type === 'renderer'))
            peak = Math.max(peak, await rssBytes(p.id))
        }
        const timer = setInterval(() => void sample().catch(() => undefined), 250)
        const out = await mkdtemp(join(dir, 'ours-'))
        let result: PageRun
        try {
          result = await encodeInBench(session, plan, setup.options, out)
        } finally {
          clearInterval(timer)
        }
        await sample()
        const v0 = plan.renditions[0]!.id
        const ssim = await ssimOf(path, out, initName(v0), await segmentFiles(out, v0), plan)
        const name =
          result.backend === 'webcodecs'
            ? 'ours: WebCodecs video + ffmpeg.wasm audio'
            : setup.name === 'ffmpeg.wasm'
              ? `ours: ffmpeg.wasm, ${result.workers} × core`
              : `ours: ${setup.name}`
        console.error(`  ${name}: ${sec(result.wallMs)}, peak tab ${mb(peak)}, top rung SSIM ${ssim}`)
        rows.push({
          source: `${label} (${ladder})`,
          seconds: src.seconds,
          setup: name,
          wallMs: result.wallMs,
          nativeMs,
          peakRss: peak || null,
          bytes: result.bytes,
          ssim,
          nativeSsim,
        })
      }
    }
  } finally {
    await session.close()
    await rm(dir, { recursive: true, force: true })
  }

  const table = [
    '| source (ladder) | setup | ours wall | native wall | ours / native | realtime (ours) | tab peak memory | output | top rung SSIM, ours / native |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.source} | ${r.setup} | ${sec(r.wallMs)} | ${sec(r.nativeMs)} | ${(r.wallMs / r.nativeMs).toFixed(1)}× | ` +
        `${(r.seconds / (r.wallMs / 1000)).toFixed(2)}× | ${r.peakRss ? mb(r.peakRss) : '—'} | ${mb(r.bytes)} | ` +
        `${r.ssim?.toFixed(4) ?? '—'} / ${r.nativeSsim?.toFixed(4) ?? '—'} |`,
    ),
  ].join('\n')
  const note = await runNote(chromium)
  console.log(`${table}\n\n${note}`)
  if (WRITE) await writeSection(HEADING, 'bench:encode', `${table}\n\n${note}`, 'npm run bench:encode')
  if (tracks) await finishTracks(tracks, chromium)
}

async function runNote(chromium: string): Promise<string> {
  const { stdout: load } = await run('cat', ['/proc/loadavg'])
  return (
    `Run ${new Date().toISOString().slice(0, 10)} on ${cpus().length} cores, Chromium ${chromium}, ` +
    `load average ${load.split(' ').slice(0, 3).join(' ')} at the end.`
  )
}

async function finishTracks(table: string, chromium: string) {
  const note = await runNote(chromium)
  console.log(`\n${table}\n\n${note}`)
  if (WRITE)
    await writeSection(TRACKS_HEADING, 'bench:encode-tracks', `${table}\n\n${note}`, 'npm run bench:encode')
}

/**
 * The anime-style source encoded with every track and previews, against the same file with its
 * first audio track only; both backends, each setup twice, alternating.
 */
async function tracksTable(session: Awaited<ReturnType<typeof openEngine>>, dir: string): Promise<string> {
  const seconds = 60
  const source = await makeAnimeClip(dir, 'Episode 01.mkv', { width: 1280, height: 720, seconds })
  const sidecar = await makeSidecar(dir, 'Episode 01.mkv')
  const full = planLadder(await probeNative(source))
  const everything: LadderPlan = {
    ...full,
    subtitles: [
      ...full.subtitles,
      {
        id: `s${full.subtitles.length}`,
        source: { kind: 'sidecar', name: 'Episode 01.fr.srt', format: 'srt' },
        language: 'fr',
        label: 'French',
        role: 'subtitle',
      },
    ],
  }
  const bare: LadderPlan = { ...full, audio: full.audio.slice(0, 1), subtitles: [], thumbnails: null }
  await session.page.setInputFiles('#engine-test-file', [source, sidecar])
  const rows: string[] = []
  for (const backend of ['default', 'ffmpeg.wasm'] as const) {
    const times = { bare: [] as number[], everything: [] as number[] }
    let sprites = 0
    let name = ''
    for (let round = 0; round < 2; round++) {
      for (const [key, plan] of [
        ['bare', bare],
        ['everything', everything],
      ] as const) {
        const out = await mkdtemp(join(dir, 'tracks-'))
        const result = await encodeInBench(session, plan, { backend }, out)
        times[key].push(result.wallMs)
        if (key === 'everything') sprites = result.spriteBytes
        name =
          result.backend === 'webcodecs'
            ? 'ours: WebCodecs video + ffmpeg.wasm audio'
            : `ours: ffmpeg.wasm, ${result.workers} × core`
        console.error(`  tracks ${backend} ${key}: ${sec(result.wallMs)}`)
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
    const [b, e] = [median(times.bare), median(times.everything)]
    rows.push(
      `| ${seconds} s 720p MKV (${full.renditions.map((r) => r.label).join('/')}) | ${name} | ${sec(b)} | ${sec(e)} | ` +
        `${(((e - b) / b) * 100).toFixed(1)}% | ${mb((sprites * 3600) / seconds)} (${(sprites / 1024).toFixed(0)} kB here) |`,
    )
  }
  return [
    '| source (ladder) | setup | 1 audio track, nothing else | + 2nd audio, 3 subtitles, previews | extra wall time | preview sprites per hour of video |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n')
}

/** Runs probe-free encoding of the chosen file in the page and reports what came out. */
async function encodeInBench(
  session: Awaited<ReturnType<typeof openEngine>>,
  plan: LadderPlan,
  options: Record<string, unknown>,
  saveTo: string,
): Promise<PageRun> {
  // tsx keeps function names by wrapping functions in `__name(...)`, which the page does not have.
  await session.page.evaluate('globalThis.__name ??= (fn) => fn')
  return session.page.evaluate(
    async ({ engineUrl, plan, options, saveTo }) => {
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
      // The top rendition is kept to measure its quality once the clock has stopped.
      const top: { path: string; bytes: Uint8Array }[] = []
      const started = performance.now()
      for await (const out of engine.encode(file, plan, {
        ...encodeOptions,
        sidecars,
        onProgress: (p) => {
          backend = p.backend
          workers = p.workers
        },
      })) {
        bytes += out.bytes.byteLength
        files++
        if (out.kind === 'sprite') spriteBytes += out.bytes.byteLength
        if (out.representation === plan.renditions[0]!.id) top.push(out)
      }
      const wallMs = performance.now() - started
      const save = (
        window as unknown as { __saveEncodedFile: (d: string, p: string, b: string) => Promise<void> }
      ).__saveEncodedFile
      for (const out of top) {
        let binary = ''
        for (let i = 0; i < out.bytes.length; i += 0x8000) {
          binary += String.fromCharCode(...out.bytes.subarray(i, i + 0x8000))
        }
        await save(saveTo, out.path, btoa(binary))
      }
      return { wallMs, bytes, files, workers, backend, spriteBytes }
    },
    { engineUrl: session.engineUrl, plan, options, saveTo },
  )
}

/**
 * Replaces the table between the markers in a section of BENCHMARKS.md (creating the section if
 * there is none), leaving the prose and every other section alone.
 */
await main()
