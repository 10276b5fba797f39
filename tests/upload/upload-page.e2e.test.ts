/**
 * The upload page end to end, in headless Chromium against the real Node server: clips made by
 * native ffmpeg go through the page (probe, plan, ffmpeg.wasm encode, upload, publish), the movie
 * becomes ready, native ffprobe reads every rendition back over HTTP, and the movie plays with
 * dash.js on its page. Screenshots land in tests/.artifacts/ for people to look at.
 */
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseMpd } from '../../server/lib/dash/index.ts'
import type { MovieJson } from '../../server/routes/movies/movies.schemas.ts'
import { launchBrowser, newPage, screenshot, signedInPage, throttle } from '../e2e/browser.ts'
import { readableSeconds } from '../encode/support/picture.ts'
import { startTestServer, type TestServer, type TestUser } from '../support/app.ts'
import { ffprobe, makeChannelsClip, makeClip, makeTextFile, makeTruncatedClip } from '../support/media.ts'
import { suiteTempDir } from '../support/temp-dir.ts'

let server: TestServer
let user: TestUser
let browser: Browser
const dir = suiteTempDir('adh-upload-page-')

beforeAll(async () => {
  server = await startTestServer({ blobs: 'fs', client: true })
  user = await server.createUser('uma', 'uploader')
  browser = await launchBrowser()
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

const signedIn = (viewport: 'desktop' | 'phone' = 'desktop') =>
  signedInPage(browser, server.url, user, viewport)

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${user.token}` } })
  expect(res.status, path).toBe(200)
  return (await res.json()) as T
}

/** Sizes of the video streams ffprobe finds in a published manifest, read over HTTP like a player. */
async function publishedSizes(manifestUrl: string): Promise<{ video: string[]; audio: number }> {
  const { streams } = await ffprobe(manifestUrl)
  return {
    video: streams.filter((s) => s.codec_type === 'video').map((s) => `${s.width}x${s.height}`),
    audio: streams.filter((s) => s.codec_type === 'audio').length,
  }
}

/** Picks the file on the page, checks the plan it shows, starts, and waits for the published state. */
async function uploadThroughPage(
  page: Page,
  clip: string,
  expected: {
    name: string
    sizes: string[]
    shots: string
    /** Checks of the plan the page shows, before Start. */
    planned?: (page: Page) => Promise<void>
    whileRunning?: (page: Page) => Promise<void>
    /** A link this slow while the run is in flight, so there is time to look at it (kbit/s). */
    kbps?: number
  },
): Promise<string> {
  await page.goto(`${server.url}/upload`)
  await page.setInputFiles('#upload-file', clip)
  const start = page.getByRole('button', { name: 'Start encoding and upload' })
  await start.waitFor({ timeout: 60_000 })
  const planned = await page.locator('.plan-table tbody tr td:nth-child(2)').allTextContents()
  const sizes = planned.map((s) => /^(\d+)×(\d+) · /.exec(s)).filter((m) => m !== null)
  expect(sizes.map((m) => `${m[1]}x${m[2]}`)).toEqual(expected.sizes)
  await page.getByLabel('Name').fill(expected.name)
  await expected.planned?.(page)
  await screenshot(page, `${expected.shots}-plan`, true)
  if (expected.kbps) await throttle(page, expected.kbps)
  await start.click()

  // Some work done and something uploaded, then a picture of the page mid-flight. Checked every
  // frame: a short clip is encoded and uploaded in about a second.
  const engine = await page.waitForFunction(
    () => {
      const bars = [...document.querySelectorAll<HTMLProgressElement>('progress')]
      const note = document.querySelector('.engine-note')
      if (bars.length > 1 && bars.every((b) => b.value > 0) && note?.textContent) {
        return { engine: note.getAttribute('data-engine'), text: note.textContent }
      }
      return null
    },
    null,
    { timeout: 120_000, polling: 'raf' },
  )
  await screenshot(page, `${expected.shots}-encoding`, true)
  // This Chromium decodes and encodes H.264 itself, so the fast engine does the video.
  expect(await engine.jsonValue()).toEqual({
    engine: 'webcodecs',
    text: ' · by your browser’s video encoder',
  })
  await expected.whileRunning?.(page)
  if (expected.kbps) await throttle(page, null)

  const watch = page.getByRole('link', { name: 'Watch it' })
  await watch.waitFor({ timeout: 300_000 })
  await screenshot(page, `${expected.shots}-published`, true)
  const href = await watch.getAttribute('href')
  const id = /^\/movies\/([A-Za-z0-9]+)$/.exec(href ?? '')?.[1]
  expect(id, `link to the movie: ${href}`).toBeTruthy()
  return id!
}

async function expectPlays(page: Page, id: string) {
  await page.goto(`${server.url}/movies/${id}`)
  await page.locator('video').waitFor()
  await page.evaluate(() => {
    const video = document.querySelector('video')!
    video.muted = true
    void video.play().catch(() => undefined)
  })
  await page.waitForFunction(
    () => {
      const video = document.querySelector('video')
      return !!video && video.currentTime > 1 && video.getVideoPlaybackQuality().totalVideoFrames > 0
    },
    null,
    { timeout: 30_000, polling: 250 },
  )
}

describe('upload page', () => {
  it('uploads a 720p clip with audio through the page; it is published, complete and plays', async () => {
    const clip = await makeClip(dir, 'beach-day.mp4', { width: 1280, height: 720, seconds: 6, audio: true })
    const { page, context } = await signedIn()
    const sizes = ['1280x720', '854x480', '640x360', '426x240']
    const id = await uploadThroughPage(page, clip, { name: 'Beach day', sizes, shots: 'upload-720p' })

    const movie = await api<MovieJson>(`/api/movies/${id}`)
    expect(movie).toMatchObject({ name: 'Beach day', status: 'ready', active: true })
    expect(movie.duration).toBeCloseTo(6, 0)
    expect(movie.posterUrl).toBe(`/media/${id}/poster.jpg`)
    const stored = await api<{ items: { path: string }[] }>(`/api/movies/${id}/files`)
    expect(stored.items.map((f) => f.path)).toEqual(
      expect.arrayContaining(['manifest.mpd', 'poster.jpg', 'init-a0.m4s']),
    )

    expect(await publishedSizes(`${server.url}${movie.manifestUrl}`)).toEqual({ video: sizes, audio: 1 })
    await expectPlays(page, id)
    await screenshot(page, 'upload-720p-playing')
    await context.close()
  }, 420_000)

  it('keeps a portrait clip portrait', async () => {
    const clip = await makeClip(dir, 'phone.mp4', { width: 360, height: 640, seconds: 3, audio: true })
    const { page, context } = await signedIn('phone')
    const sizes = ['360x640', '240x426']
    const id = await uploadThroughPage(page, clip, {
      name: 'Phone clip',
      sizes,
      shots: 'upload-portrait-phone',
      kbps: 1000,
    })
    const movie = await api<MovieJson>(`/api/movies/${id}`)
    expect(await publishedSizes(`${server.url}${movie.manifestUrl}`)).toEqual({ video: sizes, audio: 1 })
    await context.close()
  }, 300_000)

  it('rides out a network drop in the middle of a clip without audio', async () => {
    const clip = await makeClip(dir, 'quiet.mp4', { width: 640, height: 360, seconds: 4 })
    const { page, context } = await signedIn()
    const sizes = ['640x360', '426x240']
    const id = await uploadThroughPage(page, clip, {
      name: 'Quiet',
      sizes,
      shots: 'upload-offline',
      kbps: 1000,
      whileRunning: async (p) => {
        await context.setOffline(true)
        await p
          .getByText(/offline|network is down/i)
          .first()
          .waitFor({ timeout: 60_000 })
        await screenshot(p, 'upload-offline-waiting', true)
        await context.setOffline(false)
        // A paused queue (if the drop outlasted the retries) needs a person to press Retry.
        const retry = p.getByRole('button', { name: 'Retry' })
        if (await retry.isVisible()) await retry.click()
      },
    })
    const movie = await api<MovieJson>(`/api/movies/${id}`)
    expect(movie.status).toBe('ready')
    expect(await publishedSizes(`${server.url}${movie.manifestUrl}`)).toEqual({ video: sizes, audio: 0 })
    await context.close()
  }, 300_000)

  it('tells the uploader a cut-off file ends early, and publishes what it holds', async () => {
    // 6 s declared, the data cut off after about 3.5 s: what an interrupted copy leaves.
    const clip = await makeTruncatedClip(dir, 'cut-off.mp4', { seconds: 6, keep: 0.6 })
    const holds = await readableSeconds(clip)
    const { page, context } = await signedIn()
    const id = await uploadThroughPage(page, clip, {
      name: 'Cut off',
      sizes: ['640x360', '426x240'],
      shots: 'upload-cut-off',
      planned: async (p) => {
        const notice = p.getByRole('note').filter({ hasText: 'This file ends early' })
        await notice.waitFor()
        const kept = `0:0${Math.floor(Math.min(holds.video, holds.audio))}`
        expect(await notice.textContent()).toContain(
          `It says it is 0:06 long, but the picture and sound stop at ${kept}`,
        )
        expect(await notice.textContent()).toContain(`The ${kept} that is there will be published.`)
        expect(await p.locator('.source-facts dd').first().textContent()).toBe(`${kept} (the file says 0:06)`)
      },
    })
    const movie = await api<MovieJson>(`/api/movies/${id}`)
    const mpd = parseMpd(await (await fetch(`${server.url}${movie.manifestUrl}`)).text())
    // Within a segment of what the file holds, not the 6 s its header declares.
    expect(Math.abs(mpd.duration! - holds.video), `published ${mpd.duration} s`).toBeLessThan(2)
    expect(movie.duration).toBeCloseTo(mpd.duration!, 0)
    await context.close()
  }, 300_000)

  it('says what becomes of each audio track: stereo for all, 5.1 beside it from 5.0 up', async () => {
    const clip = await makeChannelsClip(dir, 'channels.mkv', ['mono', '5.0', '7.1'])
    const { page, context } = await signedIn()
    await page.goto(`${server.url}/upload`)
    await page.setInputFiles('#upload-file', clip)
    await page.getByRole('button', { name: 'Start encoding and upload' }).waitFor({ timeout: 60_000 })
    expect(await page.locator('.track-row[data-track^="a"] .track-facts').allTextContents()).toEqual([
      'AAC · mono → stereo · default',
      'AAC · 5.0 → stereo + 5.1',
      'AAC · 7.1 → stereo + 5.1 (mixed down)',
    ])
    expect(await page.locator('#tracks-audio-kept').textContent()).toMatch(
      /^Each ticked track is published in AAC: in stereo.*Unticked tracks are left out/,
    )
    await page.locator('.tracks').scrollIntoViewIfNeeded()
    await screenshot(page, 'upload-audio-tracks', true)
    await context.close()
  }, 120_000)

  it('refuses a text file named .mp4 with a clear message and creates nothing', async () => {
    const before = await api<{ items: unknown[] }>('/api/movies?mine=true&limit=100')
    const { page, context } = await signedIn()
    await page.goto(`${server.url}/upload`)
    await page.setInputFiles('#upload-file', await makeTextFile(dir, 'holiday.mp4'))
    const alert = page.getByRole('alert')
    await expect.poll(() => alert.textContent(), { timeout: 60_000 }).toMatch(/That is not a video/)
    expect(await alert.textContent()).toMatch(/not a video/i)
    // The picker is offered again, beside the message.
    expect(await page.getByRole('button', { name: 'Choose a video' }).isVisible()).toBe(true)
    await screenshot(page, 'upload-not-a-video')
    const after = await api<{ items: unknown[] }>('/api/movies?mine=true&limit=100')
    expect(after.items).toHaveLength(before.items.length)
    await context.close()
  }, 120_000)

  it('asks people who are not signed in to sign in', async () => {
    const { page, context } = await newPage(browser)
    await page.goto(`${server.url}/upload`)
    await page.getByRole('heading', { name: 'Sign in to upload' }).waitFor()
    expect(await page.getByRole('link', { name: 'Sign in' }).last().getAttribute('href')).toBe(
      '/admin?next=%2Fupload',
    )
    await context.close()
  })
})
