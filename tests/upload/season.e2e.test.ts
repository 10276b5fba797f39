/**
 * Seasons and interruptions through the upload page, in headless Chromium against the real Node
 * server: several files dropped at once become a queue of episodes of a series (one bad file and one
 * refused episode failing alone); a 3-minute source whose page is reloaded halfway resumes from the
 * first segment the server lacks, sends only the missing ones, and publishes a continuous movie;
 * and a failure of the browser's own encoder is retried on ffmpeg.wasm.
 */
import { execFile } from 'node:child_process'
import { copyFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseSegmentName } from '../../server/lib/dash/names.ts'
import { launchBrowser, screenshot, signedInPage } from '../e2e/browser.ts'
import { startTestServer, type TestServer, type TestUser } from '../support/app.ts'
import { makeClip, makeSidecar, makeTextFile } from '../support/media.ts'
import { suiteTempDir } from '../support/temp-dir.ts'

const run = promisify(execFile)

let server: TestServer
let user: TestUser
let browser: Browser
const dir = suiteTempDir('adh-season-')

beforeAll(async () => {
  server = await startTestServer({ blobs: 'fs', client: true })
  user = await server.createUser('sana', 'uploader')
  browser = await launchBrowser()
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${user.token}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  })
  expect(res.status, `${method} ${path}`).toBeLessThan(300)
  return (await res.json()) as T
}

interface MovieJson {
  id: string
  name: string
  status: string
  season: number | null
  episode: number | null
  series: { id: string; name: string } | null
  manifestUrl: string | null
  subtitleLanguages: string[]
  subtitles: { url: string }[]
}

/** The page at a size, saved beside the other artifacts and in /tmp for people to look at. */
async function shot(page: Page, name: string) {
  const path = await screenshot(page, name, true)
  await copyFile(path, `/tmp/${name}.png`)
}

/** Paths of the files the server stores for a movie. */
async function storedPaths(id: string): Promise<Set<string>> {
  const list = await call<{ items: { path: string }[] }>('GET', `/api/movies/${id}/files`)
  return new Set(list.items.map((f) => f.path))
}

/** The media segments among paths. */
const media = (paths: Iterable<string>) => [...paths].filter((p) => parseSegmentName(p)?.kind === 'media')

/** Finished PUTs of movie files, by path. */
function countPuts(page: Page): string[] {
  const puts: string[] = []
  page.on('requestfinished', (req) => {
    const m = /\/api\/movies\/[^/]+\/files\/(.+)$/.exec(new URL(req.url()).pathname)
    if (req.method() === 'PUT' && m) puts.push(decodeURIComponent(m[1]!))
  })
  return puts
}

describe('a season through the upload page', () => {
  it('queues a season drop, publishes the good episodes and lets a bad file and a taken episode fail alone', async () => {
    const clips = await Promise.all(
      [1, 2, 3].map((n) =>
        makeClip(dir, `[Fans] Moon Patrol - 0${n} (360p).mp4`, {
          width: 320,
          height: 180,
          seconds: 3,
          audio: n !== 2,
        }),
      ),
    )
    const bad = await makeTextFile(dir, '[Fans] Moon Patrol - 04 (360p).mp4')
    // Episode 2 is taken in the series already: that file's draft is refused, the others go on.
    const series = await call<{ id: string }>('POST', '/api/series', { name: 'Moon Patrol' })
    await call('POST', '/api/movies', {
      name: 'Moon Patrol, episode 2 (old)',
      seriesId: series.id,
      season: 1,
      episode: 2,
    })

    const { page, context } = await signedInPage(browser, server.url, user)
    await page.goto(`${server.url}/upload`)
    await page.setInputFiles('#upload-file', [...clips, bad])
    const start = page.getByRole('button', { name: /Start encoding and upload \(3 videos\)/ })
    await start.waitFor({ timeout: 60_000 })
    await expect.poll(() => start.isEnabled(), { timeout: 60_000 }).toBe(true)
    // Names and numbers from the file names, the series found by its name.
    expect(
      await page
        .locator('.queue-name-input')
        .evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value)),
    ).toEqual([
      'Moon Patrol, episode 1',
      'Moon Patrol, episode 2',
      'Moon Patrol, episode 3',
      'Moon Patrol, episode 4',
    ])
    expect(await page.locator('#season-series option:checked').textContent()).toBe('Moon Patrol')
    expect(await page.locator('.plan-item.is-failed').textContent()).toMatch(/That is not a video.*left out/)
    await expect
      .poll(() => page.locator('.queue-cost-notice').textContent(), { timeout: 30_000 })
      .toMatch(
        /3 videos · about .+ to upload · .+ of encoding on this computer \(measured just now\).*Keep this tab open/,
      )
    await shot(page, 'season-plan-desktop')
    await page.setViewportSize({ width: 390, height: 844 })
    await shot(page, 'season-plan-phone')
    await page.setViewportSize({ width: 1366, height: 800 })

    await start.click()
    const status = page.locator('.queue-panel .run-status')
    await expect.poll(() => status.textContent(), { timeout: 240_000 }).toBe('2 of 3 published · 1 stopped')
    const failed = page.locator('.run-item.is-failed')
    expect(await failed.getAttribute('data-file')).toBe('[Fans] Moon Patrol - 02 (360p).mp4')
    expect(await failed.getByRole('alert').textContent()).toMatch(/episode number is taken/i)
    // The number can be changed right there: the file is retried as the episode given.
    const renumber = failed.getByRole('spinbutton', { name: /New episode number/ })
    // Proposed: one past the season's highest number when the file stopped (3 or 4, depending on
    // whether episode 3's draft was made by then), never the taken 2.
    await expect.poll(async () => Number(await renumber.inputValue())).toBeGreaterThanOrEqual(3)
    await shot(page, 'season-queue-desktop')
    await page.setViewportSize({ width: 390, height: 844 })
    await shot(page, 'season-queue-phone')
    await page.setViewportSize({ width: 1366, height: 800 })

    const published = async () =>
      (await call<{ items: MovieJson[] }>('GET', `/api/movies?series=${series.id}&limit=100&mine=true`)).items
        .filter((m) => m.status === 'ready')
        .map((m) => [m.name, m.season, m.episode])
        .sort()
    expect(await published()).toEqual([
      ['Moon Patrol, episode 1', 1, 1],
      ['Moon Patrol, episode 3', 1, 3],
    ])
    await renumber.fill('5')
    await failed.getByRole('button', { name: 'Retry as this episode' }).click()
    await expect.poll(() => status.textContent(), { timeout: 240_000 }).toBe('3 of 3 published')
    expect(await published()).toEqual([
      ['Moon Patrol, episode 1', 1, 1],
      ['Moon Patrol, episode 2', 1, 5],
      ['Moon Patrol, episode 3', 1, 3],
    ])
    expect(
      await page
        .locator('.run-item[data-file="[Fans] Moon Patrol - 02 (360p).mp4"] .queue-sub')
        .textContent(),
    ).toContain('S1 E5')
    await context.close()
  }, 400_000)

  it('a three-file drop into a new series publishes three episodes, each with the subtitles named after it', async () => {
    const clips = await Promise.all(
      [1, 2, 3].map((n) =>
        makeClip(dir, `Star.Fleet.S02E0${n}.mp4`, { width: 320, height: 180, seconds: 2 }),
      ),
    )
    // Episode 1 comes with French subtitles; a file named after no video is left out, and said so.
    const subtitles = [await makeSidecar(dir, 'Star.Fleet.S02E01.mp4'), await makeSidecar(dir, 'Trailer.mp4')]
    const { page, context } = await signedInPage(browser, server.url, user)
    await page.goto(`${server.url}/upload`)
    await page.setInputFiles('#upload-file', [...clips, ...subtitles])
    const start = page.getByRole('button', { name: /Start encoding and upload \(3 videos\)/ })
    await expect.poll(() => start.isEnabled(), { timeout: 60_000 }).toBe(true)
    const facts = await page.locator('.plan-item .queue-facts').allTextContents()
    expect(facts[0]).toContain('subtitles: French (1 file)')
    expect(facts[1]).not.toContain('subtitles')
    expect(await page.locator('.season-unmatched').textContent()).toContain('Trailer.fr.srt')
    await shot(page, 'season-plan-subtitles-desktop')
    expect(await page.locator('#season-series').inputValue()).toBe('new')
    expect(await page.locator('#season-series-name').inputValue()).toBe('Star Fleet')
    expect(await page.locator('#season-number').inputValue()).toBe('2')
    await start.click()
    await expect
      .poll(() => page.locator('.queue-panel .run-status').textContent(), { timeout: 240_000 })
      .toBe('3 of 3 published')
    const all = await call<{ items: { id: string; name: string; episodeCount: number }[] }>(
      'GET',
      '/api/series?mine=true',
    )
    const made = all.items.find((s) => s.name === 'Star Fleet')
    expect(made?.episodeCount).toBe(3)
    const episodes = await call<{ items: MovieJson[] }>(
      'GET',
      `/api/movies?series=${made!.id}&limit=100&mine=true`,
    )
    expect(episodes.items.map((m) => [m.season, m.episode, m.status]).sort()).toEqual([
      [2, 1, 'ready'],
      [2, 2, 'ready'],
      [2, 3, 'ready'],
    ])
    const byEpisode = new Map(episodes.items.map((m) => [m.episode, m]))
    expect(byEpisode.get(1)!.subtitleLanguages).toEqual(['fr'])
    expect(byEpisode.get(2)!.subtitleLanguages).toEqual([])
    const vtt = await fetch(`${server.url}${byEpisode.get(1)!.subtitles[0]!.url}`)
    expect(await vtt.text()).toContain('Bienvenue à la maison')
    await context.close()
  }, 400_000)
})

describe('interruptions', () => {
  it('resumes a 3-minute source after a reload at 50%, sending only the missing segments; the movie is continuous', async () => {
    const seconds = 180
    const clip = await makeClip(dir, 'long-walk.mp4', { width: 640, height: 360, seconds, audio: true })
    const { page, context } = await signedInPage(browser, server.url, user)
    // Leaving the page mid-upload asks first; this person says yes.
    page.on('dialog', (dialog) => void dialog.accept())
    await page.goto(`${server.url}/upload`)
    await page.setInputFiles('#upload-file', clip)
    const start = page.getByRole('button', { name: 'Start encoding and upload' })
    await start.waitFor({ timeout: 60_000 })
    await expect
      .poll(() => page.locator('.plan-time').textContent(), { timeout: 30_000 })
      .toMatch(/Encoding takes .+ on this computer \(measured just now\); keep this tab open/)
    await page.getByLabel('Name').fill('Long walk')
    await start.click()

    // Halfway through the video, the page goes away. The audio, a far smaller job, may be done by
    // then: its bar is left out.
    await page.waitForFunction(
      () => {
        const bars = [
          ...document.querySelectorAll<HTMLProgressElement>(
            '.progress-section progress:not(.is-upload):not(.is-done)',
          ),
        ]
        return bars.length > 0 && bars.every((b) => b.value >= 0.5 && b.value < 0.9)
      },
      null,
      { timeout: 240_000, polling: 'raf' },
    )
    const id = await page.evaluate(async () => {
      const res = await fetch('/api/movies?mine=true&limit=1', { headers: { accept: 'application/json' } })
      return ((await res.json()) as { items: { id: string }[] }).items[0]!.id
    })
    await page.reload()
    await page.getByRole('heading', { name: 'Upload queue' }).waitFor()
    await shot(page, 'resume-interrupted')
    const before = await storedPaths(id)
    const puts = countPuts(page)
    await page.getByRole('button', { name: 'Resume' }).click()

    // The encode picks up halfway, not from the start.
    const first = await page.waitForFunction(
      () => {
        const bar = document.querySelector<HTMLProgressElement>('.queue-bar progress:not(.is-upload)')
        return bar && bar.value > 0 ? bar.value : null
      },
      null,
      { timeout: 60_000, polling: 'raf' },
    )
    expect(await first.jsonValue()).toBeGreaterThan(0.3)
    await expect
      .poll(() => page.locator('.queue-panel .run-status').textContent(), { timeout: 300_000 })
      .toBe('1 of 1 published')
    await shot(page, 'resume-published')

    const after = await storedPaths(id)
    const all = media(after)
    const missing = all.filter((p) => !before.has(p))
    expect(missing.length).toBeGreaterThan(0)
    expect(missing.length).toBeLessThan(all.length * 0.75)
    // Exactly the missing segments were sent, each once; nothing stored was sent again.
    expect(media(puts).sort()).toEqual(missing.sort())
    expect(puts.filter((p) => before.has(p) && p !== 'manifest.mpd')).toEqual([])

    // Every frame of every rendition decodes, timestamps strictly increasing across the resume point.
    const movie = await call<MovieJson>('GET', `/api/movies/${id}`)
    expect(movie.status).toBe('ready')
    for (const stream of [0, 1]) {
      const { stdout } = await run(
        'ffprobe',
        [
          '-v',
          'error',
          '-select_streams',
          `v:${stream}`,
          '-show_entries',
          'frame=best_effort_timestamp_time',
          '-of',
          'csv=p=0',
          `${server.url}${movie.manifestUrl}`,
        ],
        { maxBuffer: 64 * 1024 * 1024 },
      )
      const times = stdout.trim().split('\n').map(Number)
      const fps = stream === 0 ? 30 : 30
      expect(times.length, `frames of v:${stream}`).toBe(seconds * fps)
      const backwards = times.findIndex((t, i) => i > 0 && !(t > times[i - 1]!))
      expect(backwards, `timestamps of v:${stream}`).toBe(-1)
    }
    await context.close()
  }, 600_000)

  it('retries on ffmpeg.wasm after the browser’s encoder fails', async () => {
    const clip = await makeClip(dir, 'fragile.mp4', { width: 320, height: 180, seconds: 3 })
    const { page, context } = await signedInPage(browser, server.url, user, 'desktop', async (p) => {
      // This browser's H.264 encoder breaks after a few frames of a real encode.
      await p.addInitScript(() => {
        const Real = VideoEncoder
        class Breaking extends Real {
          private frames = 0
          private readonly fail: (error: DOMException) => void
          constructor(init: VideoEncoderInit) {
            super(init)
            this.fail = init.error
          }
          override encode(frame: VideoFrame, options?: VideoEncoderEncodeOptions) {
            super.encode(frame, options)
            if (++this.frames === 10 && frame.codedWidth < 1280) {
              queueMicrotask(() => this.fail(new DOMException('Encoder crashed', 'EncodingError')))
            }
          }
        }
        globalThis.VideoEncoder = Breaking
      })
    })
    await page.goto(`${server.url}/upload`)
    await page.setInputFiles('#upload-file', clip)
    const start = page.getByRole('button', { name: 'Start encoding and upload' })
    await start.waitFor({ timeout: 60_000 })
    await start.click()
    const retry = page.getByRole('button', { name: 'Retry with ffmpeg.wasm' })
    await retry.waitFor({ timeout: 120_000 })
    expect(await page.getByRole('alert').textContent()).toMatch(
      /browser’s video encoder failed.*Encoder crashed/,
    )
    await shot(page, 'webcodecs-failed')
    await retry.click()
    await page.getByRole('link', { name: 'Watch it' }).waitFor({ timeout: 300_000 })
    const href = (await page.getByRole('link', { name: 'Watch it' }).getAttribute('href'))!
    const movie = await call<MovieJson>('GET', `/api/movies/${href.split('/').pop()}`)
    expect(movie.status).toBe('ready')
    await context.close()
  }, 400_000)
})
