/**
 * Where the tab's memory goes while it encodes (issue 16): a 10 s clip and an N-minute source of the
 * same kind (bench/encode-long.ts's testsrc2 + tone unit, looped by stream copy), encoded by the
 * default engine in the page, with a time series every 2 s of the renderer processes' resident size
 * (anonymous / shared), the page's JS heap (CDP), the encode's progress, and now and then the
 * browser's own breakdown by context (`performance.measureUserAgentSpecificMemory`: the page, and each
 * worker's JS and wasm). Growth that keeps rising with the fraction done is a leak; a plateau is a
 * queue filling.
 *
 *   npm run bench:memory                                     # 10 s and 4 min, 1080p
 *   MEM_MINUTES=2 MEM_HEIGHT=720 npm run bench:memory
 *   MEM_ONLY=short MEM_ROTATE=90 npm run bench:memory       # a phone clip held upright
 * @module
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { planLadder } from '../client/src/encode/ladder.ts'
import { allowFileSaving, openEngine } from '../tests/encode/support/browser.ts'
import { nativeFfmpeg } from '../tests/support/media.ts'
import { encodeInBench, mb, probeNative, type Session, sec } from './encode-lib.ts'
import { unitClip } from './encode-long.ts'

const MINUTES = Number(process.env.MEM_MINUTES ?? 4)
const HEIGHT = Number(process.env.MEM_HEIGHT ?? 1080)
const ONLY = process.env.MEM_ONLY // "short" or "long"
/** A rotation written into the sources' display matrix (90, 180, 270), as phones record. */
const ROTATE = Number(process.env.MEM_ROTATE ?? 0)
const TURNED = ROTATE ? ` rotated ${ROTATE}` : ''

interface Sample {
  t: number
  fraction: number
  rss: number
  anon: number
  shmem: number
  heap: number
  breakdown?: string
}

async function status(pid: number): Promise<{ rss: number; anon: number; shmem: number }> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '')
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(text)?.[1] ?? 0) * 1024
  return { rss: kb('VmRSS'), anon: kb('RssAnon'), shmem: kb('RssShmem') }
}

async function track(session: Session) {
  const browserCdp = await session.browser.newBrowserCDPSession()
  const pageCdp = await session.page.context().newCDPSession(session.page)
  const samples: Sample[] = []
  const started = performance.now()
  let measuring = false
  let lastMeasure = 0
  const sample = async () => {
    const { processInfo } = (await browserCdp.send('SystemInfo.getProcessInfo')) as {
      processInfo: { type: string; id: number }[]
    }
    // The largest renderer (the tab's), as trackPeakMemory counts it.
    let rss = 0
    let anon = 0
    let shmem = 0
    for (const p of processInfo.filter((p) => p.type === 'renderer')) {
      const s = await status(p.id)
      if (s.rss > rss) ({ rss, anon, shmem } = s)
    }
    const heap = (await pageCdp.send('Runtime.getHeapUsage')).usedSize
    const fraction = (await session.page.evaluate('globalThis.__fraction ?? 0')) as number
    const t = (performance.now() - started) / 1000
    const s: Sample = { t, fraction, rss, anon, shmem, heap }
    samples.push(s)
    if (!measuring && t - lastMeasure > 20) {
      measuring = true
      lastMeasure = t
      void (
        session.page.evaluate(async () => {
          const m = (
            performance as unknown as {
              measureUserAgentSpecificMemory?: () => Promise<{
                bytes: number
                breakdown: {
                  bytes: number
                  types: string[]
                  attribution: { scope?: string; url?: string }[]
                }[]
              }>
            }
          ).measureUserAgentSpecificMemory
          if (!m) return 'no measureUserAgentSpecificMemory'
          const r = await m.call(performance)
          const parts = r.breakdown
            .filter((b) => b.bytes > 1 << 20)
            .map(
              (b) =>
                `${b.attribution.map((a) => a.scope ?? '?').join('+') || 'shared'}/${b.types.join('+')}:${Math.round(b.bytes / 1048576)}`,
            )
          return `total ${Math.round(r.bytes / 1048576)} MB [${parts.join(', ')}]`
        }) as Promise<string>
      )
        .then((text) => {
          s.breakdown = text
        })
        .catch((e: unknown) => {
          s.breakdown = `error ${(e as Error).message}`
        })
        .finally(() => {
          measuring = false
        })
    }
  }
  const timer = setInterval(() => void sample().catch(() => undefined), 2000)
  return {
    async stop() {
      clearInterval(timer)
      await sample().catch(() => undefined)
      return samples
    },
  }
}

async function measure(session: Session, path: string, dir: string, label: string) {
  const plan = planLadder(await probeNative(path))
  await session.page.setInputFiles('#engine-test-file', path)
  // A global the sampler reads: the weighted fraction done.
  await session.page.evaluate(() => {
    ;(globalThis as unknown as { __fraction: number }).__fraction = 0
  })
  const tracker = await track(session)
  const out = await mkdtemp(join(dir, 'mem-'))
  const result = await encodeInBench(session, plan, { backend: 'default' }, out, [])
  const samples = await tracker.stop()
  await session.page.setInputFiles('#engine-test-file', [])
  const peak = Math.max(...samples.map((s) => s.rss))
  console.log(
    `\n## ${label}: ${plan.renditions.map((r) => `${r.label}${r.x264 ? '(x264)' : ''}`).join('/')}, wall ${sec(result.wallMs)}, peak ${mb(peak)}`,
  )
  console.log('t\tfrac\trss\tanon\tshmem\tjsheap\tbreakdown')
  for (const s of samples) {
    console.log(
      `${s.t.toFixed(0)}\t${s.fraction.toFixed(3)}\t${mb(s.rss)}\t${mb(s.anon)}\t${mb(s.shmem)}\t${mb(s.heap)}\t${s.breakdown ?? ''}`,
    )
  }
  await writeFile(join(tmpdir(), `adh-mem-${label.replace(/\W+/g, '-')}.json`), JSON.stringify(samples))
  return { peak, wall: result.wallMs }
}

/** `path` remuxed with {@link ROTATE} in its display matrix (as tests/support/media.ts makeClip does), or itself. */
async function rotated(dir: string, path: string): Promise<string> {
  if (!ROTATE) return path
  const out = join(dir, `rotated-${basename(path)}`)
  await nativeFfmpeg(['-v', 'error', '-i', path, '-c', 'copy', '-metadata:s:v:0', `rotate=${ROTATE}`, out])
  return out
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'adh-bench-mem-'))
  const session = await openEngine()
  await allowFileSaving(session.page)
  try {
    const src = { label: '', minutes: MINUTES, width: (HEIGHT * 16) / 9, height: HEIGHT, kbps: 6000 }
    const results: string[] = []
    if (ONLY !== 'long') {
      const short = await rotated(dir, await unitClip(dir, 'short.mp4', src, 10))
      const r = await measure(session, short, dir, `10 s ${HEIGHT}p${TURNED}`)
      results.push(`10 s: peak ${mb(r.peak)}, wall ${sec(r.wall)}`)
    }
    if (ONLY !== 'short') {
      const unit = await unitClip(dir, 'unit.mp4', src, 60)
      const long = join(dir, 'long.mp4')
      await nativeFfmpeg(['-v', 'error', '-stream_loop', String(MINUTES - 1), '-i', unit, '-c', 'copy', long])
      const r = await measure(session, await rotated(dir, long), dir, `${MINUTES} min ${HEIGHT}p${TURNED}`)
      results.push(`${MINUTES} min: peak ${mb(r.peak)}, wall ${sec(r.wall)}`)
    }
    const load = (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ')
    console.log(`\n${results.join('; ')}; load ${load}`)
  } finally {
    await session.close()
    await rm(dir, { recursive: true, force: true })
  }
}

await main()
