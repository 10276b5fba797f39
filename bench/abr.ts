/**
 * `npm run bench:abr`: the same movie played by each ABR rule (ours, throughput, BOLA, dynamic)
 * under four bandwidth traces, through the movie page's real player in headless Chromium, the
 * link shaped second by second with CDP Network.emulateNetworkConditions.
 *
 * Traces (generated from a seeded model, so every run sees the same ones; one value per second):
 * - broadband: 3–20 Mbit/s, a level redrawn every 5 s, a random walk with a pull to 10 Mbit/s
 * - mobile: 0.5–6 Mbit/s, a level redrawn every 3 s around 2.5 Mbit/s, and a 3–6 s dip to
 *   0.5–0.8 Mbit/s every 20–40 s (tunnels, handovers)
 * - step down: 8 Mbit/s for the first third, then 1 Mbit/s
 * - step up: 1 Mbit/s for the first third, then 8 Mbit/s
 *
 * Time may be compressed: the video plays at SPEED× (default 1, real time) while every trace value
 * is multiplied by SPEED and advanced SPEED× faster, so bytes per second of media are as in the
 * trace; times below are converted back to the viewer's seconds (× SPEED). What does not scale
 * (dash.js's wall-clock scheduling and throughput windows, request latency, decoding) makes a
 * compressed run much harsher than real time: at 4× every rule rebuffered on a steady link that
 * fits a rendition twice, so tables are made in real time.
 *
 * QoE per segment in the linear form of Pensieve (Mao et al. 2017) and MPC (Yin et al. 2015):
 * mean over segments of q(R) − 4.3 × rebuffer seconds − |q(R_n) − q(R_n−1)|, with q(R) = R in
 * Mbit/s (the rendition on screen, sampled every segment, 2 s).
 *
 * MOVIE_SECONDS (default 300), SPEED (1), ABR_TRACES (a comma list; default all four); `--write` puts
 * the table into BENCHMARKS.md.
 * @module
 */
import { loadavg } from 'node:os'
import type { Browser } from 'playwright-core'
import { ABR_RULES, type AbrRule } from '../server/lib/abr.ts'
import { launchBrowser, newPage, throttle } from '../tests/e2e/browser.ts'
import { ensureClientBuilt } from '../tests/setup/build-client.ts'
import { startTestServer } from '../tests/support/app.ts'
import { uploadMovie } from '../tests/support/http.ts'
import { makeDash, type Rung } from '../tests/support/media.ts'
import { fmt, table, writeSection } from './lib.ts'

const MOVIE_SECONDS = Number(process.env.MOVIE_SECONDS ?? 300)
const SPEED = Number(process.env.SPEED ?? 1)
const SEGMENT = 2
const HEADING = '## HLS and ABR rules (issue 14)'
/** `ABR_TRACES=broadband,mobile`: only these traces (a second sample of the ones the aims name). */
const ONLY_TRACES = process.env.ABR_TRACES?.split(',').map((t) => t.trim())

/** Five rungs from 200 kbit/s to 4 Mbit/s, 16:9 sizes the DASH muxer takes together. */
const LADDER: Rung[] = [
  { width: 1280, height: 720, kbps: 4000 },
  { width: 960, height: 540, kbps: 2000 },
  { width: 640, height: 360, kbps: 1000 },
  { width: 512, height: 288, kbps: 500 },
  { width: 256, height: 144, kbps: 200 },
]

/** mulberry32: a small seeded generator, so traces are the same on every run. */
function random(seed: number) {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** kbit/s for each second of the movie. */
export function traces(seconds: number): Record<string, number[]> {
  const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v))
  const broadband: number[] = []
  {
    const r = random(1)
    let level = 10_000
    for (let s = 0; s < seconds; s++) {
      if (s % 5 === 0) level = clamp(level + (r() - 0.5) * 8000 + (10_000 - level) * 0.2, 3000, 20_000)
      broadband.push(Math.round(level))
    }
  }
  const mobile: number[] = []
  {
    const r = random(2)
    let level = 2500
    let nextDip = 20 + Math.floor(r() * 20)
    let dipLeft = 0
    let dipLevel = 500
    for (let s = 0; s < seconds; s++) {
      if (s % 3 === 0) level = clamp(2500 * Math.exp((r() - 0.5) * 1.4), 1000, 6000)
      if (s === nextDip) {
        dipLeft = 3 + Math.floor(r() * 4)
        dipLevel = 500 + Math.floor(r() * 300)
        nextDip = s + 20 + Math.floor(r() * 20)
      }
      mobile.push(Math.round(dipLeft-- > 0 ? dipLevel : level))
    }
  }
  const third = Math.floor(seconds / 3)
  return {
    broadband,
    mobile,
    'step down': Array.from({ length: seconds }, (_, s) => (s < third ? 8000 : 1000)),
    'step up': Array.from({ length: seconds }, (_, s) => (s < third ? 1000 : 8000)),
  }
}

interface Run {
  startup: number
  stalls: number
  stallSeconds: number
  meanKbps: number
  switches: number
  qoe: number
}

async function play(
  browser: Browser,
  url: string,
  rule: AbrRule,
  trace: number[],
  bandwidth: Map<number, number>,
): Promise<Run> {
  const { page, context } = await newPage(browser)
  try {
    await page.addInitScript((r) => localStorage.setItem('adh.abrRule', r), rule)
    await throttle(page, trace[0]! * SPEED, 40 / SPEED)
    await page.goto(url)
    await page.waitForSelector('.player-start')
    await page.evaluate(() => {
      const w = window as unknown as {
        rec: { start: number; first: number | null; stalls: [number, number | null][] }
      }
      w.rec = { start: performance.now(), first: null, stalls: [] }
      const video = document.querySelector('video')!
      video.addEventListener('playing', () => {
        w.rec.first ??= performance.now()
        const last = w.rec.stalls.at(-1)
        if (last && last[1] === null) last[1] = performance.now()
      })
      video.addEventListener('waiting', () => {
        if (w.rec.first !== null && !video.seeking) w.rec.stalls.push([performance.now(), null])
      })
    })
    await page.click('.player-start')
    await page.waitForFunction(() => (document.querySelector('video')?.currentTime ?? 0) > 0, null, {
      timeout: 120_000,
    })
    await page.evaluate((s) => {
      const video = document.querySelector('video')!
      video.playbackRate = s
      // dash.js re-reads the rate on its own; a pause/seek never happens in this run.
    }, SPEED)
    const heights: number[] = []
    let lastSegment = -1
    for (;;) {
      const { time, ended, height } = await page.evaluate(() => {
        const video = document.querySelector('video')!
        return {
          time: video.currentTime,
          ended: video.ended,
          height: Number((document.querySelector('.player') as HTMLElement).dataset.renditionHeight ?? 0),
        }
      })
      if (ended || time >= MOVIE_SECONDS - 0.5) break
      const second = Math.min(trace.length - 1, Math.floor(time))
      await throttle(page, trace[second]! * SPEED, 40 / SPEED)
      const segment = Math.floor(time / SEGMENT)
      if (segment !== lastSegment && height) {
        heights.push(height)
        lastSegment = segment
      }
      await new Promise((r) => setTimeout(r, 200))
    }
    const rec = await page.evaluate(
      () =>
        (window as unknown as { rec: { start: number; first: number; stalls: [number, number | null][] } })
          .rec,
    )
    const stallSeconds = rec.stalls.reduce((n, [a, b]) => n + ((b ?? a) - a), 0) / 1000
    // Renditions' declared bandwidth is in bit/s; QoE counts R in Mbit/s.
    const mbps = heights.map((h) => (bandwidth.get(h) ?? 0) / 1e6)
    const switches = mbps.filter((m, i) => i > 0 && m !== mbps[i - 1]).length
    const smooth = mbps.reduce((n, m, i) => (i > 0 ? n + Math.abs(m - mbps[i - 1]!) : n), 0)
    const rebuffer = stallSeconds * SPEED
    return {
      startup: ((rec.first - rec.start) / 1000) * SPEED,
      stalls: rec.stalls.length,
      stallSeconds: rebuffer,
      meanKbps: (mbps.reduce((a, b) => a + b, 0) / Math.max(1, mbps.length)) * 1000,
      switches,
      qoe: (mbps.reduce((a, b) => a + b, 0) - 4.3 * rebuffer - smooth) / Math.max(1, mbps.length),
    }
  } finally {
    await context.close()
  }
}

async function main() {
  await ensureClientBuilt()
  const [server, dash, browser] = await Promise.all([
    startTestServer({ client: true, blobs: 'fs' }),
    makeDash({ seconds: MOVIE_SECONDS, ladder: LADDER, segmentSeconds: SEGMENT, audioKbps: 96 }),
    launchBrowser(),
  ])
  const load = [loadavg()[0]!]
  try {
    const owner = await server.createUser()
    const movie = await uploadMovie(server.url, owner.token, dash, { name: 'ABR bench' })
    const bandwidth = new Map(
      movie.renditions.filter((r) => r.kind === 'video').map((r) => [r.height ?? 0, r.bandwidth]),
    )
    const url = `${server.url}/movies/${movie.id}`
    const rows: (string | number)[][] = []
    for (const [name, trace] of Object.entries(traces(MOVIE_SECONDS))) {
      if (ONLY_TRACES && !ONLY_TRACES.includes(name)) continue
      for (const rule of ABR_RULES) {
        const r = await play(browser, url, rule, trace, bandwidth)
        load.push(loadavg()[0]!)
        const mean = trace.reduce((a, b) => a + b, 0) / trace.length
        rows.push([
          name,
          `${fmt(mean / 1000)} Mbit/s`,
          rule,
          fmt(r.meanKbps, 0),
          r.stalls,
          fmt(r.stallSeconds, 2),
          fmt(r.startup, 2),
          r.switches,
          fmt(r.qoe, 3),
        ])
        console.error(`${name} · ${rule}: ${JSON.stringify(r)}`)
      }
    }
    const out = [
      `${MOVIE_SECONDS} s movie (${LADDER.map((r) => `${r.height}p ${r.kbps}k`).join(', ')}, AAC 96k, 2 s segments), ` +
        `played at ${SPEED}× with the traces scaled ${SPEED}×; times in the viewer's seconds. ` +
        `Machine: 2 shared cores, load average during the run ${fmt(Math.min(...load))}–${fmt(Math.max(...load))}.`,
      '',
      table(
        [
          'trace',
          'trace mean',
          'rule',
          'mean kbit/s',
          'rebuffers',
          'rebuffer s',
          'startup s',
          'switches',
          'QoE/segment',
        ],
        rows,
      ),
    ].join('\n')
    console.log(out)
    if (process.argv.includes('--write')) {
      const stamp = `Run ${new Date().toISOString().slice(0, 10)} by \`npm run bench:abr\` (bench/abr.ts says how).`
      await writeSection(HEADING, 'bench:abr', `${stamp}\n\n${out}`, 'npm run bench:abr')
    }
  } finally {
    await browser.close()
    await server.close()
    await dash.cleanup()
  }
}

await main()
