/**
 * Feature-length sources (issue 16): a 24-minute 1080p episode and a 2-hour 720p film of about
 * 4 GB, made by native ffmpeg (a 60 s testsrc2 + tone clip, looped by stream copy, so making them
 * takes seconds), encoded by the default engine in the page with nothing kept in the tab. Each row
 * says the wall time, native ffmpeg's time (its 60 s run of the same ladder, scaled to the length),
 * the tab's peak memory against a 10 s clip of the same kind through the same engine, and how far
 * the ETA shown from 10% on was from the real end.
 * @module
 */
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { ConsoleMessage } from 'playwright-core'
import { planLadder } from '../client/src/encode/ladder.ts'
import { nativeFfmpeg } from '../tests/support/media.ts'
import {
  encodeInBench,
  mb,
  nativeEncode,
  type PageRun,
  probeNative,
  type Session,
  sec,
  trackPeakMemory,
} from './encode-lib.ts'

interface LongSource {
  label: string
  minutes: number
  width: number
  height: number
  /** Video bitrate of the source, so the 2-hour one weighs about 4 GB. */
  kbps: number
}

const SOURCES: LongSource[] = [
  { label: '24 min 1080p', minutes: 24, width: 1920, height: 1080, kbps: 6000 },
  { label: '2 h 720p', minutes: 120, width: 1280, height: 720, kbps: 4400 },
]

/** A `seconds`-long testsrc2 + tone clip at a fixed bitrate, H.264/AAC in MP4. */
async function unitClip(dir: string, name: string, src: LongSource, seconds: number): Promise<string> {
  const path = join(dir, name)
  await nativeFfmpeg([
    ...['-v', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${src.width}x${src.height}:rate=30`],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', String(seconds)],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', `${src.kbps}k`, '-g', '60', '-pix_fmt', 'yuv420p'],
    ...['-c:a', 'aac', '-b:a', '128k', '-shortest', path],
  ])
  return path
}

/** The largest gap between the end an ETA promised (from `from` done) and the real end, over the wall. */
export function etaError(trace: PageRun['trace'], wallSeconds: number, from = 0.1): number | null {
  let worst: number | null = null
  for (const { t, fraction, eta } of trace) {
    if (fraction < from || fraction >= 1 || eta === null) continue
    const error = Math.abs(t + eta - wallSeconds) / wallSeconds
    worst = Math.max(worst ?? 0, error)
  }
  return worst
}

async function measure(session: Session, path: string, dir: string) {
  const plan = planLadder(await probeNative(path))
  await session.page.setInputFiles('#engine-test-file', path)
  const memory = trackPeakMemory(await session.browser.newBrowserCDPSession())
  const progress = (message: ConsoleMessage) => {
    if (message.text().startsWith('[bench-progress]'))
      void memory
        .peakSoFar()
        .then((peak) => console.error(`  ${message.text().slice(17)}, tab peak ${mb(peak)}`))
  }
  session.page.on('console', progress)
  let result: PageRun
  try {
    result = await encodeInBench(session, plan, { backend: 'default' }, await mkdtemp(join(dir, 'long-')), [])
  } finally {
    session.page.off('console', progress)
    await session.page.setInputFiles('#engine-test-file', [])
  }
  return { plan, result, peak: await memory.stop() }
}

export async function longTable(session: Session, dir: string): Promise<string> {
  const rows: string[] = []
  // BENCH_LONG=24 or BENCH_LONG=120 runs one of them (minutes).
  const only = process.env.BENCH_LONG
  for (const src of SOURCES.filter((s) => !only || String(s.minutes) === only)) {
    const unit = await unitClip(dir, `unit-${src.height}.mp4`, src, 60)
    const short = await unitClip(dir, `short-${src.height}.mp4`, src, 10)
    const long = join(dir, `long-${src.height}.mp4`)
    await nativeFfmpeg([
      '-v',
      'error',
      '-stream_loop',
      String(src.minutes - 1),
      '-i',
      unit,
      '-c',
      'copy',
      long,
    ])
    const size = (await stat(long)).size
    const plan = planLadder(await probeNative(unit))
    const nativeMs = (await nativeEncode(unit, plan, join(dir, `native-${src.height}`))) * src.minutes
    const baseline = await measure(session, short, dir)
    console.error(`  ${src.label}: 10 s clip peak ${mb(baseline.peak)}; encoding ${mb(size)}…`)
    const { result, peak } = await measure(session, long, dir)
    const wall = result.wallMs / 1000
    const eta = etaError(result.trace, wall)
    const at10 = result.trace.find((p) => p.fraction >= 0.1 && p.eta !== null)
    console.error(`  ${src.label}: ${sec(result.wallMs)}, peak ${mb(peak)}, ETA error ${eta}`)
    await rm(long, { force: true })
    rows.push(
      `| ${src.label}, ${mb(size)} (${plan.renditions.map((r) => r.label).join('/')}) | ${result.backend} | ${sec(result.wallMs)} | ` +
        `${sec(nativeMs)} | ${(result.wallMs / nativeMs).toFixed(2)}× | ${((src.minutes * 60) / wall).toFixed(2)}× | ` +
        `${mb(peak)} | ${mb(baseline.peak)} (${(peak / baseline.peak).toFixed(2)}×) | ` +
        `${at10 ? `${sec((at10.t + (at10.eta ?? 0)) * 1000)} at ${sec(at10.t * 1000)}` : '—'} | ` +
        `${eta === null ? '—' : `${(eta * 100).toFixed(0)}%`} |`,
    )
  }
  return [
    '| source (ladder) | engine | ours wall | native wall (60 s × length) | ours / native | realtime | tab peak memory | 10 s clip peak (ratio) | end promised at 10% | worst ETA error from 10% on |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n')
}
