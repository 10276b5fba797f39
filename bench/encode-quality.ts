/**
 * Quality per bit (issue 16): BD-rate of the browser's encoder against native x264 veryfast (the
 * ffmpeg.wasm backend's own arguments) and x264 medium, per kind of picture and per rung.
 *
 * Three 10 s (BENCH_QUALITY_SECONDS) 1280x720 sources made by native ffmpeg at near-lossless quality: testsrc2 (synthetic),
 * a zooming mandelbrot under temporal noise (live-action-like grain and motion), and flat-colour
 * cells with sharp edges, ten drawings a second held for three frames each (anime-like: ffmpeg's
 * `life` pattern scaled up with nearest-neighbour). Each is planned by `planLadder`; every rung is
 * encoded at four bitrates (0.4, 0.7, 1 and 1.6 × its ladder bitrate) in one run of the engine in
 * the page (a plan of sixteen renditions), and by native ffmpeg with the same arguments, veryfast and
 * medium. Every rendition is measured against the source scaled to its size (bicubic): SSIM (as dB)
 * and PSNR (all planes), at its real bitrate. Positive BD-rate: ours needs that many percent more
 * bits for the same quality.
 * @module
 */
import { mkdtemp, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { planLadder } from '../client/src/encode/ladder.ts'
import type { EncodeOptions, LadderPlan, VideoRendition } from '../client/src/encode/types.ts'
import { initName } from '../server/lib/dash/names.ts'
import { nativeFfmpeg } from '../tests/support/media.ts'
import { bdRate, type RdPoint, ssimDb } from './bd-rate.ts'
import {
  encodeInBench,
  joinRendition,
  nativeEncode,
  probeNative,
  qualityOf,
  type Session,
  segmentFiles,
} from './encode-lib.ts'

// BENCH_QUALITY_SECONDS and BENCH_QUALITY_CONFIGS (how many of CONFIGS) shorten a run on a busy machine.
const SECONDS = Number(process.env.BENCH_QUALITY_SECONDS ?? 10)
const FACTORS = [0.4, 0.7, 1, 1.6]

const KINDS: { name: string; filter: string }[] = [
  {
    name: 'anime-like (flat cells, sharp edges, on threes)',
    filter:
      'life=size=256x144:rate=10:ratio=0.15:mold=6:life_color=#1e2a44:death_color=#f3e3c8:mold_color=#c85a3c,' +
      'scale=1280:720:flags=neighbor,fps=30,format=yuv420p',
  },
  { name: 'synthetic (testsrc2)', filter: 'testsrc2=size=1280x720:rate=30' },
  {
    name: 'live-action-like (mandelbrot + grain)',
    filter: 'mandelbrot=size=1280x720:rate=30,noise=alls=14:allf=t,format=yuv420p',
  },
]

/**
 * The engine's configurations compared (the first is what the engine does): `browserOnly` gives
 * every rung to the browser's encoder (the engine before x264 took the low rungs).
 */
const ALL_CONFIGS: {
  name: string
  options: Pick<EncodeOptions, 'videoConfig'>
  browserOnly?: boolean
}[] = [
  { name: 'engine: WebCodecs avc1, x264 (wasm) for the rungs the plan gives it', options: {} },
  { name: 'previous engine: WebCodecs avc1 on every rung', options: {}, browserOnly: true },
  {
    name: 'WebCodecs avc1, content hint "detail"',
    options: { videoConfig: { contentHint: 'detail' } },
    browserOnly: true,
  },
  {
    name: 'WebCodecs avc1, content hint "text"',
    options: { videoConfig: { contentHint: 'text' } },
    browserOnly: true,
  },
  {
    name: 'WebCodecs avc1, content hint "motion"',
    options: { videoConfig: { contentHint: 'motion' } },
    browserOnly: true,
  },
  {
    name: 'WebCodecs avc1, constant bitrate',
    options: { videoConfig: { bitrateMode: 'constant' } },
    browserOnly: true,
  },
  {
    name: 'WebCodecs avc1, three temporal layers (L1T3)',
    options: { videoConfig: { scalabilityMode: 'L1T3' } },
    browserOnly: true,
  },
  {
    name: 'WebCodecs avc1, latency mode realtime',
    options: { videoConfig: { latencyMode: 'realtime' } },
    browserOnly: true,
  },
]

/** The plan with every rung left to the browser's encoder. */
function browserOnly(plan: LadderPlan): LadderPlan {
  return { ...plan, renditions: plan.renditions.map(({ x264: _, ...r }) => r) }
}
/** BENCH_QUALITY_CONFIGS: a count (the first n) or a comma list of indexes into ALL_CONFIGS. */
const pickConfigs = process.env.BENCH_QUALITY_CONFIGS ?? String(ALL_CONFIGS.length)
const CONFIGS = pickConfigs.includes(',')
  ? pickConfigs.split(',').map((i) => ALL_CONFIGS[Number(i)]!)
  : ALL_CONFIGS.slice(0, Number(pickConfigs))

/** Every rung of `plan` at each of FACTORS × its bitrate, as renditions of one plan. */
function sweep(plan: LadderPlan): { plan: LadderPlan; points: { rung: VideoRendition; factor: number }[] } {
  const renditions: VideoRendition[] = []
  const points: { rung: VideoRendition; factor: number }[] = []
  for (const rung of plan.renditions) {
    for (const factor of FACTORS) {
      const scale = (b: number) => Math.round(b * factor)
      renditions.push({
        ...rung,
        id: `v${renditions.length}`,
        bitrate: scale(rung.bitrate),
        maxrate: scale(rung.maxrate),
        bufsize: scale(rung.bufsize),
      })
      points.push({ rung, factor })
    }
  }
  return { plan: { ...plan, renditions, audio: [], subtitles: [], thumbnails: null }, points }
}

/** Real bitrate, SSIM dB and PSNR of every rendition in `dir` (named `ids[i]`). */
async function measureAll(
  source: string,
  dir: string,
  plan: LadderPlan,
  ids: (i: number) => string,
): Promise<{ ssim: RdPoint; psnr: RdPoint }[]> {
  const out: { ssim: RdPoint; psnr: RdPoint }[] = []
  for (const [i, r] of plan.renditions.entries()) {
    const id = ids(i)
    let bytes = 0
    for (const f of await segmentFiles(dir, id)) bytes += (await stat(join(dir, f))).size
    const rate = (bytes * 8) / SECONDS
    const q = await qualityOf(await joinRendition(dir, id, initName(id)), source, r)
    out.push({ ssim: { rate, quality: ssimDb(q.ssim) }, psnr: { rate, quality: q.psnr } })
  }
  return out
}

const pct = (x: number | null) => (x === null ? '—' : `${x > 0 ? '+' : ''}${x.toFixed(1)}%`)

export async function qualityTable(session: Session, dir: string): Promise<string> {
  const rows: string[] = []
  // BENCH_QUALITY_KINDS: a comma list of indexes into KINDS.
  const kinds = process.env.BENCH_QUALITY_KINDS?.split(',').map(Number) ?? KINDS.map((_, k) => k)
  for (const [k, kind] of KINDS.entries()) {
    if (!kinds.includes(k)) continue
    const source = join(dir, `quality-${k}.mp4`)
    await nativeFfmpeg([
      ...['-v', 'error', '-f', 'lavfi', '-i', kind.filter, '-t', String(SECONDS)],
      ...['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '6', '-pix_fmt', 'yuv420p', source],
    ])
    // BENCH_QUALITY_CORES: the machine the plan is made for; with 8, x264 takes 360p and 240p of a
    // 720p ladder (on two cores, 240p only: ladder.ts, x264Rungs).
    const cores = Number(process.env.BENCH_QUALITY_CORES ?? 8)
    const { plan, points } = sweep(planLadder(await probeNative(source), { cores }))
    // Native ffmpeg names its streams by index.
    const curves: Record<string, { ssim: RdPoint; psnr: RdPoint }[]> = {}
    for (const preset of ['veryfast', 'medium']) {
      const out = await mkdtemp(join(dir, `x264-${preset}-`))
      await nativeEncode(source, plan, out, { preset, poster: false })
      curves[preset] = await measureAll(source, out, plan, String)
      console.error(`  ${kind.name}: x264 ${preset} measured`)
    }
    await session.page.setInputFiles('#engine-test-file', source)
    for (const config of CONFIGS) {
      const out = await mkdtemp(join(dir, 'ours-'))
      const ids = plan.renditions.map((r) => r.id)
      const planned = config.browserOnly ? browserOnly(plan) : plan
      const result = await encodeInBench(
        session,
        planned,
        { backend: 'default', ...config.options },
        out,
        ids,
      )
      if (result.backend !== 'webcodecs') throw new Error(`${config.name} fell back to ${result.backend}`)
      curves[config.name] = await measureAll(source, out, plan, (i) => ids[i]!)
      console.error(`  ${kind.name}: ${config.name} measured (${(result.wallMs / 1000).toFixed(1)} s)`)
    }
    const rungs = [...new Set(points.map((p) => p.rung.id))]
    for (const rungId of rungs) {
      const at = points.flatMap((p, i) => (p.rung.id === rungId ? [i] : []))
      const label = points[at[0]!]!.rung.label
      const pick = (name: string, metric: 'ssim' | 'psnr') => at.map((i) => curves[name]![i]![metric])
      // A curve whose four points sit within 1.5× of one rate (an encoder at its rate floor) gives a
      // degenerate cubic fit, whatever it integrates to.
      const spread = (name: string) => {
        const rates = pick(name, 'ssim').map((p) => p.rate)
        return Math.max(...rates) / Math.min(...rates)
      }
      const bdOf = (anchor: string, test: string, metric: 'ssim' | 'psnr') =>
        spread(test) < 1.5 ? 'degenerate' : pct(bdRate(pick(anchor, metric), pick(test, metric)))
      const bd = (anchor: string, test: string) =>
        `${bdOf(anchor, test, 'ssim')} / ${bdOf(anchor, test, 'psnr')}`
      const rates = (name: string) =>
        pick(name, 'ssim')
          .map((p) => Math.round(p.rate / 1000))
          .join(', ')
      for (const config of CONFIGS) {
        rows.push(
          `| ${kind.name} | ${label} | ${config.name} | ${bd('veryfast', config.name)} | ${bd('medium', config.name)} | ${rates(config.name)} |`,
        )
      }
      rows.push(
        `| ${kind.name} | ${label} | native x264 medium (reference) | ${bd('veryfast', 'medium')} | — | ${rates('medium')} |`,
      )
    }
    for (const [name, curve] of Object.entries(curves)) {
      console.error(
        `  ${name}: ${curve.map((c) => `${Math.round(c.ssim.rate / 1000)}k ${c.ssim.quality.toFixed(2)}dB ${c.psnr.quality.toFixed(2)}`).join(', ')}`,
      )
    }
  }
  return [
    '| content | rung | encoder | BD-rate vs x264 veryfast, SSIM / PSNR | BD-rate vs x264 medium, SSIM / PSNR | real kbit/s |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n')
}
