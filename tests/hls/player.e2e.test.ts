/**
 * HLS and the player in headless Chromium, against the real server with the built client:
 * hls.js (test-only) plays the server's master.m3u8 and switches variants under CDP throttling;
 * our player forced into native-HLS mode plays through the HLS URL, or the test says this Chromium
 * cannot; the embed page plays, starts at `?t=`, may be framed by anyone and hides drafts and
 * hidden movies; each ABR rule can be picked in the stats panel (and the admin's default applies)
 * and is the one dash.js reports running. Screenshots of the embed and the changed player UI go
 * to /tmp/hls-*.png.
 */
import { createRequire } from 'node:module'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ABR_RULES } from '../../server/lib/abr.ts'
import type { MovieJson } from '../../server/routes/movies/movies.schemas.ts'
import { launchBrowser, newPage, signedInPage, throttle, VIEWPORTS } from '../e2e/browser.ts'
import { startTestServer, type TestServer, type TestUser } from '../support/app.ts'
import { uploadMovie } from '../support/http.ts'
import { ABR_LADDER, type DashMovie, makeDash } from '../support/media.ts'

const HLS_JS = createRequire(import.meta.url).resolve('hls.js/dist/hls.min.js')

let server: TestServer
let browser: Browser
let owner: TestUser
let dash: DashMovie
let movie: MovieJson

beforeAll(async () => {
  ;[server, dash, browser] = await Promise.all([
    startTestServer({ client: true, blobs: 'fs', config: { abrRule: 'bola' } }),
    makeDash({
      seconds: 30,
      ladder: ABR_LADDER,
      segmentSeconds: 2,
      audioKbps: 96,
      audioLanguages: ['jpn', 'eng'],
    }),
    launchBrowser(),
  ])
  owner = await server.createUser()
  movie = await uploadMovie(server.url, owner.token, dash, { name: 'Every screen' })
}, 180_000)

afterAll(async () => {
  await browser?.close()
  await server?.close()
  await dash?.cleanup()
})

/** Resolves once the page's first <video> has played past `seconds`. */
const playedPast = (page: Page, seconds: number) =>
  page.waitForFunction((s) => (document.querySelector('video')?.currentTime ?? 0) > s, seconds, {
    timeout: 45_000,
  })

/** What hls.js was doing, for a failure message: levels switched to, estimate, buffer, errors. */
const hlsState = (page: Page) =>
  page.evaluate(() => {
    const w = window as unknown as {
      switched: number[]
      hlsErrors: string[]
      hls: { currentLevel: number; nextLoadLevel: number; bandwidthEstimate: number }
    }
    const video = document.querySelector('video')
    const buffered = video?.buffered.length ? video.buffered.end(video.buffered.length - 1) : 0
    return JSON.stringify({
      switched: w.switched,
      currentLevel: w.hls.currentLevel,
      nextLoadLevel: w.hls.nextLoadLevel,
      estimate: Math.round(w.hls.bandwidthEstimate),
      time: video?.currentTime,
      paused: video?.paused,
      buffered,
      errors: w.hlsErrors,
    })
  })

describe('hls.js plays the server’s HLS', () => {
  it('starts, and drops to a lower variant when the network is throttled', async () => {
    // hls.js is injected as an inline script, which the pages' CSP refuses (as it should).
    const { page, context } = await newPage(browser, 'desktop', { bypassCSP: true })
    try {
      await page.goto(`${server.url}/`)
      await page.addScriptTag({ path: HLS_JS })
      const levels = await page.evaluate(async (src) => {
        type HlsJs = {
          new (
            config: object,
          ): {
            on(event: string, fn: (e: unknown, data: { level: number; details?: string }) => void): void
            loadSource(url: string): void
            attachMedia(video: HTMLVideoElement): void
            levels: { bitrate: number; height: number }[]
          }
          Events: Record<'LEVEL_SWITCHED' | 'MANIFEST_PARSED' | 'ERROR', string>
        }
        const Hls = (window as unknown as { Hls: HlsJs }).Hls
        const video = document.createElement('video')
        video.muted = true
        document.body.append(video)
        const hls = new Hls({
          capLevelToPlayerSize: false,
          startLevel: -1,
          // A short buffer keeps it fetching, so a throttled link shows in its next choice (on loopback
          // it would otherwise hold the whole 30 s before the throttle starts).
          maxBufferLength: 4,
          maxMaxBufferLength: 6,
        })
        const w = window as unknown as { switched: number[]; hls: unknown; hlsErrors: string[] }
        w.switched = []
        w.hlsErrors = []
        w.hls = hls
        hls.on(Hls.Events.ERROR, (_, d) => w.hlsErrors.push(JSON.stringify(d).slice(0, 300)))
        hls.on(Hls.Events.LEVEL_SWITCHED, (_, d) => w.switched.push(d.level))
        hls.loadSource(src)
        hls.attachMedia(video)
        await new Promise((resolve) => hls.on(Hls.Events.MANIFEST_PARSED, resolve))
        void video.play()
        return (hls.levels as { bitrate: number; height: number }[]).map((l) => ({
          bitrate: l.bitrate,
          height: l.height,
        }))
      }, `${server.url}${movie.hlsUrl}`)
      expect(levels.map((l) => l.height).sort((a, b) => a - b)).toEqual([144, 360, 720])
      await playedPast(page, 2).catch(async (e) => {
        throw new Error(`${e}; hls.js state: ${await hlsState(page)}`)
      })
      const top = levels.findIndex((l) => l.height === 720)
      // Unthrottled loopback: hls.js climbs to the top variant.
      await page
        .waitForFunction((t) => (window as unknown as { switched: number[] }).switched.includes(t), top, {
          timeout: 30_000,
        })
        .catch(async (e) => {
          throw new Error(`${e}; hls.js state: ${await hlsState(page)}`)
        })
      await throttle(page, 500)
      const lowered = await page
        .waitForFunction(
          (t) => {
            const s = (window as unknown as { switched: number[] }).switched
            const level = s.slice(s.lastIndexOf(t) + 1).find((l) => l !== t)
            // Wrapped: level 0, the lowest variant, is falsy and would not end the wait.
            return level === undefined ? null : { level }
          },
          top,
          { timeout: 45_000 },
        )
        .catch(async (e) => {
          throw new Error(`${e}; hls.js state: ${await hlsState(page)}`)
        })
      const { level } = (await lowered.jsonValue()) as { level: number }
      expect(levels[level]!.bitrate).toBeLessThan(levels[top]!.bitrate)
    } finally {
      await context.close()
    }
  }, 120_000)
})

describe('our player', () => {
  it('forced into native-HLS mode plays through the HLS URL, where this browser plays HLS', async (ctx) => {
    const { page, context } = await newPage(browser)
    try {
      const requested: string[] = []
      page.on('request', (r) => requested.push(new URL(r.url()).pathname))
      await page.goto(`${server.url}/movies/${movie.id}?player=native-hls`)
      await page.waitForSelector('.player[data-mode="native-hls"]')
      const native = await page.evaluate(() =>
        document.createElement('video').canPlayType('application/vnd.apple.mpegurl'),
      )
      if (native === '') {
        ctx.skip(
          'This Chromium cannot play HLS natively (canPlayType("application/vnd.apple.mpegurl") is ""): the native-HLS mode is chosen, but only Safari, iOS and some TV browsers can play it',
        )
      }
      await page.click('.player-start')
      await playedPast(page, 1)
      expect(requested).toContain(`/media/${movie.id}/master.m3u8`)
      expect(requested.some((p) => p.endsWith('.mpd'))).toBe(false)
      await expect
        .poll(() => page.locator('.player-quality-btn').getAttribute('aria-label'))
        .toBe('Quality: chosen by this device')
    } finally {
      await context.close()
    }
  }, 90_000)

  it('starts on the admin’s default rule, and each rule picked in the stats panel is the one dash.js runs', async () => {
    const { page, context } = await newPage(browser)
    try {
      await page.goto(`${server.url}/movies/${movie.id}`)
      await page.waitForSelector('.player[data-mode="dash"]')
      await page.click('.player-start')
      await playedPast(page, 1)
      const running = () =>
        page.evaluate(() => {
          const rules = window.__adhPlayer!.getSettings().streaming!.abr!.rules!
          return { throughput: rules.throughputRule!.active, bola: rules.bolaRule!.active }
        })
      // ABR_RULE=bola on this server.
      expect(await running()).toEqual({ throughput: false, bola: true })
      await page.keyboard.press('i')
      await expect.poll(() => page.locator('[data-stat="rules"]').textContent()).toBe('bolaRule')
      const expected = {
        ours: { throughput: true, bola: true },
        throughput: { throughput: true, bola: false },
        bola: { throughput: false, bola: true },
        dynamic: { throughput: true, bola: true },
      }
      for (const rule of ABR_RULES) {
        await page.selectOption('.player-stats-rule', rule)
        await expect.poll(running).toEqual(expected[rule])
        const mode = await page.evaluate(
          () => window.__adhPlayer!.getSettings().streaming!.abr!.throughput!.averageCalculationMode,
        )
        expect(mode).toBe(
          rule === 'ours' ? 'throughputCalculationModeHarmonicMean' : 'throughputCalculationModeEwma',
        )
        await expect.poll(() => page.locator('[data-stat="mode"]').textContent()).toBe(`auto · ${rule}`)
      }
      // The choice is the viewer's: a reload keeps it.
      await page.selectOption('.player-stats-rule', 'throughput')
      await page.reload()
      await page.click('.player-start')
      await playedPast(page, 1)
      expect(await running()).toEqual({ throughput: true, bola: false })
      await page.keyboard.press('i')
      await page.waitForTimeout(600) // one stats sample
      await page.screenshot({ path: '/tmp/hls-stats-desktop.png' })
    } finally {
      await context.close()
    }
  }, 120_000)

  it('shows the uploader the DASH, HLS and embed URLs, and copies a link at the current second', async () => {
    const { page, context } = await newPage(browser)
    try {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'])
      await page.request.post(`${server.url}/api/auth/login`, {
        data: { username: owner.username, password: owner.password },
      })
      await page.goto(`${server.url}/movies/${movie.id}?t=12`)
      await expect
        .poll(() => page.locator('[data-url="hls"]').inputValue())
        .toBe(`${server.url}${movie.hlsUrl}`)
      await expect
        .poll(() => page.locator('[data-url="dash"]').inputValue())
        .toBe(`${server.url}${movie.manifestUrl}`)
      await expect
        .poll(() => page.locator('[data-url="embed"]').inputValue())
        .toMatch(new RegExp(`/embed/${movie.id}"`))
      await page.click('.player-start')
      await playedPast(page, 13)
      await page.evaluate(() => document.querySelector('video')!.pause())
      await page.click('[data-action="copy-time-link"]')
      const copied = await page.evaluate(() => navigator.clipboard.readText())
      expect(Number(new URL(copied).searchParams.get('t'))).toBeGreaterThanOrEqual(13)
      await page.screenshot({ path: '/tmp/hls-movie-desktop.png', fullPage: true })
      await page.setViewportSize(VIEWPORTS.phone)
      await page.screenshot({ path: '/tmp/hls-movie-phone.png', fullPage: true })
    } finally {
      await context.close()
    }
  }, 90_000)
})

describe('a ?t= link and saved progress', () => {
  it('starts where the link says, without offering the saved position; without ?t= it offers it', async () => {
    const viewer = await server.createUser(undefined, 'viewer')
    const saved = await fetch(`${server.url}/api/me/progress/${movie.id}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${viewer.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ position: 10, duration: 30 }),
    })
    expect(saved.status).toBe(200)
    const { page, context } = await signedInPage(browser, server.url, viewer)
    try {
      // The control: the saved position is offered.
      await page.goto(`${server.url}/movies/${movie.id}`)
      const resume = page.getByRole('button', { name: /^Resume from / })
      await resume.waitFor()
      expect(Number(await resume.getAttribute('data-resume-at'))).toBe(10)

      const logs: string[] = []
      page.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`.slice(0, 200)))
      await page.goto(`${server.url}/movies/${movie.id}?t=22`)
      await page.click('.player-start')
      await playedPast(page, 22.2).catch(async (e) => {
        const state = await page.evaluate(() => {
          const v = document.querySelector('video')!
          return JSON.stringify({
            t: v.currentTime,
            paused: v.paused,
            ready: v.readyState,
            played: v.played.length,
            err: v.error?.message,
            text: document.querySelector('.player')?.textContent?.slice(0, 600),
            buf: v.buffered.length ? [v.buffered.start(0), v.buffered.end(v.buffered.length - 1)] : null,
          })
        })
        throw new Error(`${e}; ${state}; ${logs.slice(-15).join(' | ')}`)
      })
      expect(await page.locator('.player-resume').count()).toBe(0)
      // It started at the link's second, not at 10 s and played on from there.
      expect(
        await page.evaluate(() => document.querySelector('video')!.played.start(0)),
      ).toBeGreaterThanOrEqual(21)
    } finally {
      await context.close()
    }
  }, 90_000)
})

describe('the embed page', () => {
  it('plays the movie alone, from ?t=, and may sit in any site’s iframe', async () => {
    const res = await fetch(`${server.url}/embed/${movie.id}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('x-frame-options')).toBeNull()
    expect(res.headers.get('content-security-policy')).toContain('frame-ancestors *')
    const { page, context } = await newPage(browser)
    try {
      await page.goto(`${server.url}/embed/${movie.id}?t=20`)
      await expect.poll(() => page.locator('.embed-title').textContent()).toBe('Every screen')
      await page.screenshot({ path: '/tmp/hls-embed-desktop.png' })
      await page.click('.player-start')
      await playedPast(page, 20.5)
      // No site header or footer: only the player.
      expect(await page.locator('header, footer').count()).toBe(0)
    } finally {
      await context.close()
    }
    const phone = await newPage(browser, 'phone')
    try {
      await phone.page.goto(`${server.url}/embed/${movie.id}`)
      await phone.page.waitForSelector('.player')
      await phone.page.screenshot({ path: '/tmp/hls-embed-phone.png' })
    } finally {
      await phone.context.close()
    }
  }, 90_000)

  it('describes the movie for oEmbed consumers, with an iframe of the embed page', async () => {
    const page = encodeURIComponent(`${server.url}/movies/${movie.id}`)
    const res = await fetch(`${server.url}/api/oembed?url=${page}&maxwidth=480`)
    expect(res.status).toBe(200)
    const body = (await res.json()) as Record<string, unknown>
    expect(body).toMatchObject({
      type: 'video',
      version: '1.0',
      title: 'Every screen',
      width: 480,
      height: 270,
    })
    expect(body.html).toContain(`src="${server.url}/embed/${movie.id}"`)
    expect(
      (
        await fetch(
          `${server.url}/api/oembed?url=${encodeURIComponent('https://elsewhere.example/movies/x')}`,
        )
      ).status,
    ).toBe(404)
  })

  it('hides drafts and hidden movies, whoever asks', async () => {
    const draft = await uploadMovie(server.url, owner.token, dash, {
      name: 'Draft',
      publish: false,
      only: ['manifest.mpd'],
    })
    const { page, context } = await newPage(browser)
    try {
      await page.request.post(`${server.url}/api/auth/login`, {
        data: { username: owner.username, password: owner.password },
      })
      await page.goto(`${server.url}/embed/${draft.id}`)
      await expect
        .poll(() => page.locator('.embed-unavailable').textContent())
        .toBe('This video is not available.')
      expect(await page.locator('video').count()).toBe(0)
      const oembed = await fetch(`${server.url}/api/oembed?url=${encodeURIComponent(`/movies/${draft.id}`)}`)
      expect(oembed.status).toBe(404)
    } finally {
      await context.close()
    }
  }, 60_000)
})
