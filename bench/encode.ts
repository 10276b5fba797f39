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
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { planLadder } from '../client/src/encode/ladder.ts'
import type { LadderPlan } from '../client/src/encode/types.ts'
import { initName } from '../server/lib/dash/names.ts'
import { allowFileSaving, openEngine } from '../tests/encode/support/browser.ts'
import { makeAnimeClip, makeClip, makeSidecar } from '../tests/support/media.ts'
import { hevcTable } from './encode-hevc.ts'
import {
  encodeInBench,
  mb,
  nativeEncode,
  type PageRun,
  probeNative,
  runNote,
  type Session,
  sec,
  setupName,
  ssimOf,
  trackPeakMemory,
  writeSection,
} from './encode-lib.ts'
import { longTable } from './encode-long.ts'
import { qualityTable } from './encode-quality.ts'

const argv = new Set(process.argv.slice(2))
const QUICK = argv.has('--quick')
const WITH_MT = argv.has('--mt')
/**
 * The default engine's setups alone (x264 for the low rungs, for none, up to 480p), without
 * ffmpeg.wasm alone or the other tables.
 */
const BROWSER_ONLY = argv.has('--browser-setups')
const WRITE = argv.has('--write')
const HEADING = '## Encoding in the browser (issue 4)'

/** Tables of their own, each in its section of BENCHMARKS.md; a flag runs that table alone. */
const TABLES: {
  flag: string
  heading: string
  marker: string
  /** Left out of a run without flags (it takes an hour). */
  onRequest?: boolean
  make: (session: Session, dir: string) => Promise<string>
}[] = [
  {
    flag: '--tracks',
    heading: '## Every track: audio languages, subtitles, previews (issue 13)',
    marker: 'bench:encode-tracks',
    make: tracksTable,
  },
  {
    flag: '--quality',
    heading: '## Quality per bit (issue 16)',
    marker: 'bench:encode-quality',
    make: qualityTable,
  },
  {
    flag: '--hevc',
    heading: '## HEVC 10-bit sources (issue 16)',
    marker: 'bench:encode-hevc',
    make: hevcTable,
  },
  {
    flag: '--long',
    heading: '## Feature-length sources (issue 16)',
    marker: 'bench:encode-long',
    onRequest: true,
    make: longTable,
  },
]
const CHOSEN = TABLES.filter((t) => argv.has(t.flag))

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

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'adh-bench-encode-'))
  const session = await openEngine()
  await allowFileSaving(session.page)
  const cdp = await session.browser.newBrowserCDPSession()
  const rows: Row[] = []
  const chromium = session.browser.version()
  try {
    // --browser-setups compares the default engine's setups alone: no other table.
    const tables = CHOSEN.length > 0 || BROWSER_ONLY ? CHOSEN : TABLES.filter((t) => !t.onRequest)
    for (const t of tables) {
      const table = await t.make(session, dir)
      const note = await runNote(chromium)
      console.log(`\n${table}\n\n${note}`)
      if (WRITE) await writeSection(t.heading, t.marker, table, note)
    }
    if (CHOSEN.length > 0) return
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
      const nativeSsim = await ssimOf(path, nativeDir, initName('0'), '0', plan)
      console.error(`  native ffmpeg: ${sec(nativeMs)}, top rung SSIM ${nativeSsim}`)

      await session.page.setInputFiles('#engine-test-file', path)
      // The default engine as planned (x264 in wasm for the rungs of 360p and below), as it was before
      // (the browser's encoder for every rung), and with x264 up to 480p.
      const browserPlan = planLadder(plan.source, { lowRungs: 'browser' })
      // BENCH_X264_MAX: other largest short sides to give x264 ("240,480"), each a setup of its own.
      const x264Up = (short: number): LadderPlan => ({
        ...browserPlan,
        renditions: browserPlan.renditions.map((r, i) =>
          i > 0 && Math.min(r.width, r.height) <= short ? { ...r, x264: true as const } : r,
        ),
      })
      const variants = (process.env.BENCH_X264_MAX ?? '').split(',').filter((v) => v !== '')
      const setups: { name: string; options: Record<string, unknown>; plan?: LadderPlan }[] = [
        { name: 'ours', options: { backend: 'default' } },
        { name: 'browser', options: { backend: 'default' }, plan: browserPlan },
        ...variants.map((v) => ({
          name: `x264 to ${v}p`,
          options: { backend: 'default' },
          plan: x264Up(Number(v)),
        })),
        ...(BROWSER_ONLY ? [] : [{ name: 'ffmpeg.wasm', options: { backend: 'ffmpeg.wasm' } }]),
      ]
      if (WITH_MT && src.seconds === 10) {
        setups.push({
          name: 'ffmpeg.wasm core-mt ×1, -threads 2',
          options: { backend: 'ffmpeg.wasm', core: 'core-mt', workers: 1, threads: 2 },
        })
      }
      for (const setup of setups) {
        let peak = 0
        const memory = trackPeakMemory(cdp)
        const out = await mkdtemp(join(dir, 'ours-'))
        let result: PageRun
        try {
          result = await encodeInBench(session, setup.plan ?? plan, setup.options, out)
        } finally {
          peak = await memory.stop()
        }
        const v0 = plan.renditions[0]!.id
        const ssim = await ssimOf(path, out, initName(v0), v0, plan)
        const name = setupName(
          result,
          setup.name === 'ffmpeg.wasm' ? undefined : setup.name,
          setup.plan ?? plan,
        )
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
  if (WRITE) await writeSection(HEADING, 'bench:encode', table, note)
}

/**
 * The anime-style source encoded with every track and previews, against the same file with its
 * first audio track only; both backends, each setup twice, alternating.
 */
async function tracksTable(session: Session, dir: string): Promise<string> {
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
        name = setupName(result)
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

await main()
