/**
 * End to end in headless Chromium, for people who watch: signing up with an invite, My list,
 * the player saving the position and offering to resume it after the tab was closed, "Continue
 * watching", series and their episodes, the countdown to the next episode, and the admin pages
 * that hand out invites and gather movies into series. One server (real DASH content from native
 * ffmpeg) serves the whole file; a second, private one checks that every page sends visitors to
 * sign in and back.
 *
 * Screenshots at 1280×800 and 390×844 land in tests/.artifacts/viewer-*.png for people to look at.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import type { MovieJson } from '../../server/routes/movies/movies.schemas.ts'
import { startTestServer, type TestServer, type TestUser } from '../support/app.ts'
import { uploadMovie } from '../support/http.ts'
import { type DashMovie, makeDash, SMALL_LADDER } from '../support/media.ts'
import { launchBrowser, screenshot } from './browser.ts'

// Several pages a test on a shared two-core machine: generous limits, still bounded. Polls wait for
// what a person would see after a round trip to the server.
vi.setConfig({ testTimeout: 120_000, expect: { poll: { timeout: 15_000, interval: 100 } } })

const SIZES = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 },
} as const

async function open(browser: Browser, size: keyof typeof SIZES = 'desktop') {
  const context = await browser.newContext(SIZES[size])
  const page = await context.newPage()
  page.setDefaultTimeout(30_000)
  return { context, page }
}

/** Signs the context in through the API, as the sign-in form would (same cookie). */
async function signInAs(
  context: BrowserContext,
  base: string,
  user: Pick<TestUser, 'username' | 'password'>,
) {
  const res = await context.request.post(`${base}/api/auth/login`, {
    data: { username: user.username, password: user.password },
    headers: { origin: base },
  })
  expect(res.status()).toBe(200)
}

/** A call with the context's session cookie (and a same-origin Origin, as the pages send). */
async function asViewer<T>(
  context: BrowserContext,
  base: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: T }> {
  const res = await context.request.fetch(`${base}${path}`, {
    method,
    headers: { origin: base },
    ...(body === undefined ? {} : { data: body }),
  })
  const text = await res.text()
  return { status: res.status(), json: (text ? JSON.parse(text) : null) as T }
}

/** What is on the context's user's list, as the server has it: movie or series ids, newest first. */
async function listed(context: BrowserContext, base: string): Promise<string[]> {
  const { json } = await asViewer<{ items: { movie?: { id: string }; series?: { id: string } }[] }>(
    context,
    base,
    'GET',
    '/api/me/watchlist',
  )
  return json.items.map((i) => i.movie?.id ?? i.series?.id ?? '')
}

const api = async <T>(server: TestServer, user: TestUser, method: string, path: string, body?: unknown) => {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`)
  return (text ? JSON.parse(text) : undefined) as T
}

const video = (page: Page) =>
  page.evaluate(() => {
    const v = document.querySelector('video')!
    return { time: v.currentTime, paused: v.paused, ended: v.ended, duration: v.duration }
  })

/** Plays, then jumps to just before the end and waits for the episode to end. */
/**
 * Records what the page's video did (events with position, and the URL), so that a wait for the
 * end-of-episode overlay that times out says why instead of only that it did.
 */
async function recordVideo(context: BrowserContext) {
  await context.addInitScript(() => {
    const log: string[] = []
    ;(window as unknown as { __videoLog: string[] }).__videoLog = log
    const types = [
      'play',
      'playing',
      'pause',
      'waiting',
      'seeking',
      'seeked',
      'ended',
      'emptied',
      'loadstart',
      'error',
    ]
    document.addEventListener('DOMContentLoaded', () => {
      const watch = (v: HTMLVideoElement) => {
        for (const t of types)
          v.addEventListener(t, () =>
            log.push(`${t}@${v.currentTime.toFixed(2)}/${v.duration.toFixed(2)} rs${v.readyState}`),
          )
      }
      const found = document.querySelector('video')
      if (found) watch(found)
      else
        new MutationObserver((_, obs) => {
          const v = document.querySelector('video')
          if (v) {
            obs.disconnect()
            watch(v)
          }
        }).observe(document, { childList: true, subtree: true })
    })
  })
}

/** Waits for the countdown in the up-next overlay; on a timeout, says what the video did. */
async function waitForCountdown(page: Page) {
  try {
    await page.locator('.player-upnext').getByRole('timer').waitFor()
  } catch (err) {
    const state = await page
      .evaluate(() => ({
        url: location.href,
        log: (window as unknown as { __videoLog?: string[] }).__videoLog ?? [],
        overlay: document.querySelector('.player-upnext')?.outerHTML ?? null,
        player: document.querySelector('.player')?.getAttribute('data-state') ?? null,
      }))
      .catch((e: unknown) => String(e))
    throw new Error(`no countdown: ${JSON.stringify(state)}`, { cause: err })
  }
}

/**
 * Stops the page's clock (faked with `page.clock.install()`) where it stands: `Date.now()` holds, so
 * a countdown on screen waits for the test's next click however slow a loaded machine makes it.
 * Timers still run, so the player's do too; `releaseClock` lets time flow again.
 */
async function holdClock(page: Page) {
  await page.clock.setFixedTime(await page.evaluate(() => Date.now()))
}

async function releaseClock(page: Page) {
  await page.clock.setSystemTime(await page.evaluate(() => Date.now()))
}

async function playToEnd(page: Page) {
  await page.locator('.player-start').click()
  await page.waitForFunction(() => (document.querySelector('video')?.currentTime ?? 0) > 0.3)
  await page.evaluate(() => {
    const v = document.querySelector('video')!
    v.currentTime = v.duration - 1.2
  })
  await page.waitForFunction(() => document.querySelector('video')?.ended === true, null, { timeout: 20_000 })
}

describe('viewers: sign-up, My list, progress, series and episodes', () => {
  let server: TestServer
  let browser: Browser
  let content: DashMovie
  let admin: TestUser
  let uploader: TestUser
  let feature: MovieJson
  let episodes: MovieJson[]
  let seriesId: string
  let spare: MovieJson

  beforeAll(async () => {
    // 60 s: 20 s into it is before half-way, so it is still "in progress" rather than watched.
    ;[server, content, browser] = await Promise.all([
      startTestServer({ blobs: 'fs', client: true }),
      makeDash({ seconds: 60, ladder: SMALL_LADDER, segmentSeconds: 2, timeline: false }),
      launchBrowser(),
    ])
    admin = await server.createUser('root', 'admin')
    uploader = await server.createUser('akiko', 'uploader')
    const upload = (name: string, description = '') =>
      uploadMovie(server.url, uploader.token, content, { name, description })
    const series = await api<{ id: string }>(server, uploader, 'POST', '/api/series', {
      name: 'Shonan Diaries',
      description: 'A summer by the sea in three short episodes: trains, waves and a lighthouse.',
    })
    seriesId = series.id
    const made = await Promise.all([
      upload('Sunset over Kamakura', 'Waves, a temple bell and a long walk home.'),
      upload('The first train', 'Five in the morning at Fujisawa station.'),
      upload('High tide', 'The waves reach the road.'),
      upload('The lighthouse', 'Enoshima at night.'),
      upload('Harbour lights', 'A standalone short: boats coming home.'),
    ])
    feature = made[0]!
    spare = made[4]!
    const places = [
      [1, 1],
      [1, 2],
      [2, 1],
    ] as const
    episodes = []
    for (const [i, [season, episode]] of places.entries()) {
      episodes.push(
        await api<MovieJson>(server, uploader, 'PATCH', `/api/movies/${made[i + 1]!.id}`, {
          seriesId,
          season,
          episode,
        }),
      )
    }
  }, 170_000)

  afterAll(async () => {
    await browser?.close()
    await server?.close()
    await content?.cleanup()
  })

  it('signs up with an invite, keeps a movie on the list, and resumes it where the closed tab left it', async () => {
    const invite = await api<{ path: string }>(server, admin, 'POST', '/api/invites', { role: 'viewer' })
    const { context, page } = await open(browser)
    await page.goto(`${server.url}${invite.path}`)
    await page.getByRole('heading', { name: 'You are invited' }).waitFor()
    await screenshot(page, 'viewer-signup-desktop')
    const phone = await open(browser, 'phone')
    await phone.page.goto(`${server.url}${invite.path}`)
    await phone.page.getByRole('heading', { name: 'You are invited' }).waitFor()
    await screenshot(phone.page, 'viewer-signup-phone')
    await phone.context.close()

    await page.getByLabel('Username').fill('nanami')
    await page.getByLabel('Password', { exact: true }).fill('sea-breeze-42')
    await page.getByLabel('Repeat the password').fill('sea-breeze-42')
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.waitForURL(`${server.url}/`)
    await page.getByRole('link', { name: 'My list' }).waitFor()
    expect(await page.locator('.user-role').textContent()).toBe('viewer')
    expect(await page.locator('.site-nav').textContent()).not.toContain('Upload')

    // The invite is spent: a second visit says so.
    const again = await open(browser)
    await again.page.goto(`${server.url}${invite.path}`)
    await again.page.getByRole('heading', { name: 'This invite has been used' }).waitFor()
    await again.context.close()

    // My list, from the catalog card.
    const card = page.locator(`#catalog-grid [data-movie-id="${feature.id}"]`)
    await card.getByRole('button', { name: 'Add Sunset over Kamakura to My list' }).click()
    await expect.poll(() => card.locator('.list-btn').getAttribute('aria-pressed')).toBe('true')
    await expect.poll(() => listed(context, server.url)).toEqual([feature.id])

    // Play 20 s of it (at four times the speed), then close the tab while it plays.
    await page.goto(`${server.url}/movies/${feature.id}`)
    // The movie page's own button says the movie is on the list.
    const inList = page.getByRole('button', { name: 'Remove Sunset over Kamakura from My list' })
    await inList.waitFor()
    expect(await inList.textContent()).toBe('In My list')
    await page.getByRole('button', { name: 'Play Sunset over Kamakura' }).click()
    await page.waitForFunction(() => (document.querySelector('video')?.currentTime ?? 0) > 0.2)
    await page.evaluate(() => {
      document.querySelector('video')!.playbackRate = 4
    })
    await page.waitForFunction(() => (document.querySelector('video')?.currentTime ?? 0) >= 20, null, {
      timeout: 30_000,
    })
    // Back to normal speed, so the moment of closing is within a second or so of this reading.
    const closedAt = await page.evaluate(() => {
      const v = document.querySelector('video')!
      v.playbackRate = 1
      return v.currentTime
    })
    expect((await video(page)).paused).toBe(false)
    await page.close({ runBeforeUnload: true })

    const saved = async () =>
      (
        await asViewer<{ position: number } | null>(
          context,
          server.url,
          'GET',
          `/api/me/progress/${feature.id}`,
        )
      ).json?.position ?? 0
    // What closing the tab sent, not the last periodic save (up to 10 s of video, 2.5 s of wall time, earlier).
    await expect.poll(saved, { timeout: 10_000 }).toBeGreaterThanOrEqual(closedAt - 0.5)
    const position = await saved()
    expect(position).toBeLessThanOrEqual(closedAt + 5)

    // Reopened: "Resume from 0:2x", and resuming starts there.
    const reopened = await context.newPage()
    await reopened.goto(`${server.url}/movies/${feature.id}`)
    const resume = reopened.getByRole('button', { name: /^Resume from / })
    await resume.waitFor()
    expect(Math.abs(Number(await resume.getAttribute('data-resume-at')) - 20)).toBeLessThanOrEqual(3)
    expect(await resume.textContent()).toMatch(/^Resume from 0:(19|2\d)$/)
    await reopened.getByRole('button', { name: 'Start over' }).waitFor()
    await screenshot(reopened, 'viewer-movie-resume-desktop')
    await resume.click()
    await reopened.waitForFunction(() => {
      const v = document.querySelector('video')
      return v !== null && !v.paused && v.currentTime > 0
    })
    const at = (await video(reopened)).time
    expect(Math.abs(at - position)).toBeLessThanOrEqual(3)

    // Off the list from the movie page: the button says so, and so does the server.
    await reopened.getByRole('button', { name: 'Remove Sunset over Kamakura from My list' }).click()
    const unlisted = reopened.getByRole('button', { name: 'Add Sunset over Kamakura to My list' })
    await unlisted.waitFor()
    expect(await unlisted.textContent()).toBe('My list')
    await expect.poll(() => listed(context, server.url)).toEqual([])
    await context.close()

    const phoneMovie = await open(browser, 'phone')
    await signInAs(phoneMovie.context, server.url, { username: 'nanami', password: 'sea-breeze-42' })
    await phoneMovie.page.goto(`${server.url}/movies/${feature.id}`)
    await phoneMovie.page.getByRole('button', { name: /^Resume from / }).waitFor()
    await screenshot(phoneMovie.page, 'viewer-movie-resume-phone', true)
    await phoneMovie.context.close()
  }, 120_000)

  it('puts the movie to resume and the series’ next episode in Continue watching', async () => {
    const viewer = await server.createUser('mika', 'viewer')
    const { context, page } = await open(browser)
    await signInAs(context, server.url, viewer)
    // Episode 1 watched to the end, then a movie stopped at 0:25.
    expect(
      (await asViewer(context, server.url, 'PUT', `/api/me/progress/${episodes[0]!.id}/watched`)).status,
    ).toBe(200)
    // 0:25 of 1:00: before half-way, so not yet in the credits (the last 2 minutes count as watched
    // only past half-way).
    const put = await asViewer(context, server.url, 'PUT', `/api/me/progress/${spare.id}`, {
      position: 25,
      duration: 60,
    })
    expect(put.status).toBe(200)

    await page.goto(server.url)
    const row = page.locator('#continue')
    await row.locator('.continue-card').first().waitFor()
    const items = await row.locator('.continue-item').evaluateAll((els) =>
      els.map((el) => ({
        id: (el as HTMLElement).dataset.movieId,
        kind: (el as HTMLElement).dataset.kind,
        text: el.textContent,
      })),
    )
    // Most recent first: the movie, then the series at its next episode (S1 · E2).
    expect(items.map((i) => [i.id, i.kind])).toEqual([
      [spare.id, 'resume'],
      [episodes[1]!.id, 'next'],
    ])
    expect(items[0]!.text).toContain('35 s left')
    expect(items[1]!.text).toContain('S1 · E2')
    expect(items[1]!.text).toContain('Shonan Diaries')

    // The series is one card, with its size and the next episode; its episodes are not in the grid.
    const seriesCard = page.locator(`#series-grid [data-series-id="${seriesId}"]`)
    await expect.poll(() => seriesCard.locator('.thumb-duration').textContent()).toBe('3 episodes')
    expect(await seriesCard.locator('.card-next').textContent()).toBe('Next: S1 · E2')
    const grid = await page
      .locator('#catalog-grid [data-movie-id]')
      .evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.movieId))
    expect(grid).toContain(spare.id)
    for (const e of episodes) expect(grid).not.toContain(e.id)
    await screenshot(page, 'viewer-catalog-desktop', true)

    // A search looks at episodes too, and at series names.
    await page.getByLabel('Search movies').fill('lighthouse')
    await expect
      .poll(() => page.locator('#catalog-grid .card-title').allTextContents())
      .toEqual(['The lighthouse'])
    await expect.poll(() => page.locator('#continue').isHidden()).toBe(true)
    await page.getByLabel('Search movies').fill('shonan')
    await expect
      .poll(() => page.locator('#series-grid .card-title').allTextContents())
      .toEqual(['Shonan Diaries'])
    await context.close()

    const phone = await open(browser, 'phone')
    await signInAs(phone.context, server.url, viewer)
    await phone.page.goto(server.url)
    await phone.page.locator('#continue .continue-card').first().waitFor()
    await phone.page.locator(`#series-grid [data-series-id="${seriesId}"]`).waitFor()
    await screenshot(phone.page, 'viewer-catalog-phone', true)
    await phone.context.close()
  })

  it('shows a series with its seasons and episodes, and marks an episode watched', async () => {
    const viewer = await server.createUser('ren', 'viewer')
    const { context, page } = await open(browser)
    await signInAs(context, server.url, viewer)
    await asViewer(context, server.url, 'PUT', `/api/me/progress/${episodes[0]!.id}/watched`)
    await asViewer(context, server.url, 'PUT', `/api/me/progress/${episodes[1]!.id}`, {
      position: 15,
      duration: 60,
    })

    await page.goto(`${server.url}/series/${seriesId}`)
    await page.getByRole('heading', { name: 'Shonan Diaries', level: 1 }).waitFor()
    // The one in progress is the one to watch next.
    const play = page.locator('#series-actions a.btn-primary')
    await expect.poll(() => play.textContent()).toMatch(/^Resume S1 · E2/)
    const tabs = page.getByRole('tab')
    expect(await tabs.allTextContents()).toEqual(['Season 11/2', 'Season 21'])
    expect(await page.getByRole('tab', { name: /^Season 1/ }).getAttribute('aria-selected')).toBe('true')
    const rows = page.locator('[role="tabpanel"]:not([hidden]) .episode-row')
    await expect.poll(() => rows.count()).toBe(2)
    expect(await rows.nth(0).getAttribute('data-watched')).toBe('')
    expect(await rows.nth(1).locator('.watch-bar').count()).toBe(1)
    await screenshot(page, 'viewer-series-desktop', true)

    // Mark E2 watched: its row says so, and Play moves on to S2 · E1.
    await rows.nth(1).getByRole('button', { name: 'Mark watched' }).click()
    await expect.poll(() => play.textContent()).toBe('Play S2 · E1')
    await expect
      .poll(() =>
        page.locator(`.episode-row[data-movie-id="${episodes[1]!.id}"]`).getAttribute('data-watched'),
      )
      .toBe('')
    // And back: pressing "Watched" marks it unwatched, and Play returns to it.
    await rows.nth(1).getByRole('button', { name: 'Watched', exact: true }).click()
    await expect.poll(() => play.textContent()).toBe('Play S1 · E2')
    await expect.poll(() => rows.nth(1).getAttribute('data-watched')).toBeNull()
    expect(await rows.nth(1).getByRole('button', { name: 'Mark watched' }).count()).toBe(1)

    // Keyboard: the arrow key moves to season 2.
    await page.getByRole('tab', { name: /^Season 1/ }).focus()
    await page.keyboard.press('ArrowRight')
    await expect.poll(() => rows.allTextContents()).toEqual([expect.stringContaining('The lighthouse')])

    // Clearing the history (on the account page) forgets every mark: the series starts at S1 · E1.
    await page.goto(`${server.url}/admin/account`)
    await page.getByRole('button', { name: 'Clear watch history' }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Clear history' }).click()
    await page.locator('.toast').getByText('Your watch history is cleared.').waitFor()
    await page.goto(`${server.url}/series/${seriesId}`)
    await expect.poll(() => play.textContent()).toBe('Play S1 · E1')
    expect(await page.locator('.episode-row[data-watched]').count()).toBe(0)
    expect(await page.locator('.episode-row .watch-bar').count()).toBe(0)
    await context.close()

    const phone = await open(browser, 'phone')
    await signInAs(phone.context, server.url, viewer)
    await phone.page.goto(`${server.url}/series/${seriesId}?season=1`)
    await phone.page.locator('.episode-row').first().waitFor()
    await screenshot(phone.page, 'viewer-series-phone', true)
    await phone.context.close()
  })

  it('counts down at the end of an episode and opens the next; Cancel stops it; autoplay off asks instead', async () => {
    const viewer = await server.createUser('sora', 'viewer')
    const { context, page } = await open(browser)
    await recordVideo(context)
    await signInAs(context, server.url, viewer)

    await page.goto(`${server.url}/movies/${episodes[0]!.id}`)
    await page.locator('.episode-eyebrow').getByText('S1 · E1').waitFor()
    expect(await page.getByRole('link', { name: /Next episode/ }).getAttribute('href')).toBe(
      `/movies/${episodes[1]!.id}`,
    )
    await playToEnd(page)
    const overlay = page.locator('.player-upnext')
    await waitForCountdown(page)
    expect(await overlay.textContent()).toContain('Up next · S1 · E2')
    expect(await page.locator('.player-upnext [aria-live]').textContent()).toContain('plays in 10 seconds')
    await screenshot(page, 'viewer-upnext-desktop')
    // Nothing clicked: the next episode opens, and plays.
    await page.waitForURL(`${server.url}/movies/${episodes[1]!.id}`, { timeout: 20_000 })
    await page.waitForFunction(() => {
      const v = document.querySelector('video')
      return v !== null && !v.paused && v.currentTime > 0.2
    })

    // Cancel: the count stops, and nothing opens however long one waits.
    await page.clock.install()
    await page.goto(`${server.url}/movies/${episodes[1]!.id}`)
    await playToEnd(page)
    await waitForCountdown(page)
    await holdClock(page)
    await overlay.getByRole('button', { name: 'Cancel' }).click()
    await overlay.waitFor({ state: 'detached' })
    await releaseClock(page)
    await page.clock.fastForward(15_000)
    expect(new URL(page.url()).pathname).toBe(`/movies/${episodes[1]!.id}`)

    // A seek to the very end while paused ends the episode too, though the element fires no
    // `ended` then (dash.js's own end check does just that when it sees the end first). From 1.5 s
    // before the end, so that the last segment is still buffered.
    const seekTo = (where: 'before' | 'end') =>
      page.evaluate(async (w) => {
        const v = document.querySelector('video')!
        const seeked = new Promise((r) => v.addEventListener('seeked', r, { once: true }))
        v.currentTime = w === 'end' ? v.duration : v.duration - 1.5
        const late = new Promise((r) => setTimeout(() => r('late'), 15_000))
        if ((await Promise.race([seeked, late])) === 'late') throw new Error(`no seeked after a seek to ${w}`)
        return { paused: v.paused, ended: v.ended }
      }, where)
    expect(await seekTo('before')).toEqual({ paused: true, ended: false })
    expect(await overlay.count()).toBe(0)
    expect(await seekTo('end')).toEqual({ paused: true, ended: true })
    await waitForCountdown(page)
    await holdClock(page)
    expect(await page.locator('.player').getAttribute('data-state')).toBe('ended')
    await overlay.getByRole('button', { name: 'Cancel' }).click()
    await overlay.waitFor({ state: 'detached' })
    await releaseClock(page)

    // Autoplay off (the switch in the overlay saves it): the next episode is offered, not counted to.
    await page.evaluate(() => {
      const v = document.querySelector('video')!
      v.currentTime = v.duration - 1
      return v.play()
    })
    await waitForCountdown(page)
    await holdClock(page)
    await overlay.getByRole('switch', { name: 'Autoplay next episode' }).click()
    await expect
      .poll(
        async () =>
          (await asViewer<{ autoplayNext: boolean }>(context, server.url, 'GET', '/api/me/preferences')).json
            .autoplayNext,
      )
      .toBe(false)
    await expect.poll(() => overlay.getByRole('timer').count()).toBe(0)
    await releaseClock(page)
    await page.reload()
    await playToEnd(page)
    await overlay.getByRole('button', { name: 'Play next episode' }).waitFor()
    expect(await overlay.getByRole('timer').count()).toBe(0)
    await page.clock.fastForward(15_000)
    expect(new URL(page.url()).pathname).toBe(`/movies/${episodes[1]!.id}`)
    await context.close()

    // The countdown on a phone.
    await api(server, viewer, 'PATCH', '/api/me/preferences', { autoplayNext: true })
    const phone = await open(browser, 'phone')
    await recordVideo(phone.context)
    await signInAs(phone.context, server.url, viewer)
    await phone.page.goto(`${server.url}/movies/${episodes[0]!.id}`)
    await playToEnd(phone.page)
    await waitForCountdown(phone.page)
    await screenshot(phone.page, 'viewer-upnext-phone')
    await phone.context.close()
  }, 120_000)

  it('lists My list newest first, and takes an item off it', async () => {
    const viewer = await server.createUser('yui', 'viewer')
    const { context, page } = await open(browser)
    await signInAs(context, server.url, viewer)

    await page.goto(`${server.url}/list`)
    await page.getByRole('heading', { name: 'Your list is empty' }).waitFor()
    await screenshot(page, 'viewer-list-empty-desktop')

    await page.goto(`${server.url}/series/${seriesId}`)
    await page.getByRole('button', { name: 'Add Shonan Diaries to My list' }).click()
    await page.getByRole('button', { name: 'Remove Shonan Diaries from My list' }).waitFor()
    await page.goto(`${server.url}/movies/${spare.id}`)
    await page.getByRole('button', { name: 'Add Harbour lights to My list' }).click()
    await page.getByRole('button', { name: 'Remove Harbour lights from My list' }).waitFor()

    await page.goto(`${server.url}/list`)
    const items = page.locator('#list-grid > li')
    await expect
      .poll(() => items.locator('.card-title').allTextContents())
      .toEqual(['Harbour lights', 'Shonan Diaries'])
    await screenshot(page, 'viewer-list-desktop')

    await items.first().getByRole('button', { name: 'Remove Harbour lights from My list' }).click()
    await expect.poll(() => items.first().getAttribute('data-removed')).toBe('')
    await expect.poll(() => listed(context, server.url)).toEqual([seriesId])
    await page.reload()
    await expect.poll(() => items.locator('.card-title').allTextContents()).toEqual(['Shonan Diaries'])

    const phone = await open(browser, 'phone')
    await signInAs(phone.context, server.url, viewer)
    await phone.page.goto(`${server.url}/list`)
    await phone.page.locator('#list-grid .card').first().waitFor()
    await screenshot(phone.page, 'viewer-list-phone')
    await phone.context.close()

    // Off the list from its card in the catalog: My list is empty again.
    await page.goto(server.url)
    const seriesCard = page.locator(`#series-grid [data-series-id="${seriesId}"]`)
    await seriesCard.getByRole('button', { name: 'Remove Shonan Diaries from My list' }).click()
    await seriesCard.getByRole('button', { name: 'Add Shonan Diaries to My list' }).waitFor()
    await expect.poll(() => listed(context, server.url)).toEqual([])
    await page.goto(`${server.url}/list`)
    await page.getByRole('heading', { name: 'Your list is empty' }).waitFor()
    await page.getByRole('link', { name: 'Browse the catalog' }).waitFor()
    await context.close()
  })

  it('shows a viewer no way to upload or administer', async () => {
    const viewer = await server.createUser('aoi', 'viewer')
    const { context, page } = await open(browser)
    await signInAs(context, server.url, viewer)
    await page.goto(server.url)
    await page.getByRole('link', { name: 'My list' }).waitFor()
    expect(await page.locator('.site-nav a').allTextContents()).toEqual(['Catalog', 'My list'])

    await page.goto(`${server.url}/upload`)
    await page.getByRole('heading', { name: 'Viewers do not upload' }).waitFor()
    expect(await page.locator('input[type="file"]').count()).toBe(0)

    // The admin pages are only their account for them.
    await page.goto(`${server.url}/admin/movies`)
    await page.waitForURL(`${server.url}/admin/account`)
    await page.getByRole('heading', { name: 'Your account', level: 1 }).waitFor()
    expect(await page.getByRole('navigation', { name: 'Admin sections' }).count()).toBe(0)
    await page.getByRole('heading', { name: 'Playback' }).waitFor()

    await page.goto(`${server.url}/movies/${feature.id}`)
    await page.getByRole('heading', { name: 'Sunset over Kamakura', level: 1 }).waitFor()
    await page.getByRole('button', { name: 'Add Sunset over Kamakura to My list' }).waitFor()
    expect(await page.getByRole('link', { name: 'Edit', exact: true }).count()).toBe(0)
    await context.close()
  })

  it('says what failed, in words, and offers to try again', async () => {
    const viewer = await server.createUser('kai', 'viewer')
    const { context, page } = await open(browser)
    await signInAs(context, server.url, viewer)
    // The server is "busy" for whatever path `failing` says, until it is cleared.
    let failing: (path: string, method: string) => boolean = () => false
    await page.route(
      (url) => url.pathname.startsWith('/api/'),
      (route) =>
        failing(new URL(route.request().url()).pathname, route.request().method())
          ? route.fulfill({
              status: 503,
              contentType: 'application/problem+json',
              body: JSON.stringify({ title: 'Unavailable', status: 503, detail: 'The database is busy.' }),
            })
          : route.continue(),
    )
    const busyToast = (text: RegExp) => page.locator('.toast-error').filter({ hasText: text })

    // The list button: rolled back, the reason, and "Try again" that works once the server does.
    failing = (path) => path.startsWith('/api/me/watchlist/')
    await page.goto(server.url)
    const button = page.locator(`#catalog-grid [data-movie-id="${spare.id}"] .list-btn`)
    await button.focus()
    await page.keyboard.press('Enter')
    const listToast = busyToast(/Could not add “Harbour lights” to My list: The database is busy/)
    await listToast.waitFor()
    expect(await button.getAttribute('aria-pressed')).toBe('false')
    failing = () => false
    await listToast.getByRole('button', { name: 'Try again' }).click()
    await expect.poll(() => button.getAttribute('aria-pressed')).toBe('true')
    await expect.poll(() => listed(context, server.url)).toEqual([spare.id])

    // Continue watching: a notice in its row with Retry; the rest of the catalog is there.
    await asViewer(context, server.url, 'PUT', `/api/me/progress/${spare.id}`, { position: 12, duration: 60 })
    failing = (path) => path === '/api/me/continue'
    await page.reload()
    const notice = page.locator('#continue [role="alert"]')
    await notice.getByText('Continue watching could not be loaded: The database is busy.').waitFor()
    await page.locator(`#catalog-grid [data-movie-id="${spare.id}"]`).waitFor()
    failing = () => false
    await notice.getByRole('button', { name: 'Retry' }).click()
    await page.locator(`#continue .continue-item[data-movie-id="${spare.id}"]`).waitFor()

    // My list: an error state with Retry, then the list.
    failing = (path, method) => path === '/api/me/watchlist' && method === 'GET'
    await page.goto(`${server.url}/list`)
    await page.getByRole('heading', { name: 'Your list could not be loaded' }).waitFor()
    await page.getByText('The database is busy.').waitFor()
    await screenshot(page, 'viewer-list-error-desktop')
    failing = () => false
    await page.getByRole('button', { name: 'Retry' }).click()
    await expect
      .poll(() => page.locator('#list-grid .card-title').allTextContents())
      .toEqual(['Harbour lights'])

    // The series page: the same, and then the episodes.
    failing = (path) => path === `/api/series/${seriesId}`
    await page.goto(`${server.url}/series/${seriesId}`)
    await page.getByRole('heading', { name: 'The series could not be loaded', level: 1 }).waitFor()
    failing = () => false
    await page.getByRole('button', { name: 'Retry' }).click()
    await page.getByRole('heading', { name: 'Shonan Diaries', level: 1 }).waitFor()

    // Mark watched: rolled back with the reason, and Try again marks it.
    failing = (path) => path.endsWith('/watched')
    const row = page.locator(`.episode-row[data-movie-id="${episodes[0]!.id}"]`)
    await row.getByRole('button', { name: 'Mark watched' }).click()
    const markToast = busyToast(/Could not mark “The first train” watched: The database is busy/)
    await markToast.waitFor()
    await row.getByRole('button', { name: 'Mark watched' }).waitFor()
    failing = () => false
    await markToast.getByRole('button', { name: 'Try again' }).click()
    await expect.poll(() => row.getAttribute('data-watched')).toBe('')

    // The movie page: the reason, and Retry.
    failing = (path) => path === `/api/movies/${spare.id}`
    await page.goto(`${server.url}/movies/${spare.id}`)
    await page.getByRole('button', { name: 'Retry' }).waitFor()
    expect(await page.locator('.state-error').textContent()).toContain('The database is busy.')
    await screenshot(page, 'viewer-movie-error-desktop')
    failing = () => false
    await page.getByRole('button', { name: 'Retry' }).click()
    await page.getByRole('heading', { name: 'Harbour lights', level: 1 }).waitFor()
    await context.close()

    const phone = await open(browser, 'phone')
    await signInAs(phone.context, server.url, viewer)
    await phone.page.route('**/api/series/*', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/problem+json',
        body: '{"title":"Unavailable"}',
      }),
    )
    await phone.page.goto(`${server.url}/series/${seriesId}`)
    await phone.page.getByRole('button', { name: 'Retry' }).waitFor()
    await screenshot(phone.page, 'viewer-series-error-phone')
    await phone.context.close()
  })

  it('lets an admin create an invite and a series, and edit a movie into it', async () => {
    const { context, page } = await open(browser)
    await signInAs(context, server.url, admin)
    await page.goto(`${server.url}/admin/invites`)
    await page.getByLabel('They join as').selectOption('uploader')
    await page.getByLabel('Link works for').selectOption('72')
    await page.getByRole('button', { name: 'Create invite link' }).click()
    const link = (await page.locator('#invite-link').textContent()) ?? ''
    expect(link).toMatch(new RegExp(`^${server.url}/signup\\?invite=`))
    const info = await fetch(
      `${server.url}/api/auth/signup?invite=${new URL(link).searchParams.get('invite')}`,
    )
    expect(((await info.json()) as { invite: { valid: boolean; role: string } }).invite).toMatchObject({
      valid: true,
      role: 'uploader',
    })
    await expect.poll(() => page.locator('#admin-invites tbody tr').count()).toBeGreaterThan(0)
    await screenshot(page, 'viewer-admin-invites-desktop', true)

    // Revoke it: the link stops working.
    const rows = page.locator('#admin-invites tbody tr')
    const before = await rows.count()
    await rows
      .first()
      .getByRole('button', { name: /^Revoke/ })
      .click()
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke invite' }).click()
    await expect.poll(() => rows.count()).toBe(before - 1)
    const after = await fetch(
      `${server.url}/api/auth/signup?invite=${new URL(link).searchParams.get('invite')}`,
    )
    expect(((await after.json()) as { invite: { valid: boolean } }).invite.valid).toBe(false)

    // A series, then a movie edited into it with the next free episode number.
    await page.goto(`${server.url}/admin/series`)
    await page.getByRole('button', { name: 'New series' }).first().click()
    const create = page.getByRole('dialog', { name: 'New series' })
    await create.getByLabel('Name').fill('Harbour tales')
    await create.getByLabel('Description').fill('Short films from the harbour.')
    await create.getByRole('button', { name: 'Create series' }).click()
    await create.waitFor({ state: 'detached' })
    await expect
      .poll(() => page.locator('#admin-series .movie-name').allTextContents())
      .toContain('Harbour tales')
    await screenshot(page, 'viewer-admin-series-desktop', true)

    await page.goto(`${server.url}/admin/movies`)
    const row = page.locator(`#admin-movies tr[data-movie-id="${spare.id}"]`)
    await row.getByRole('button', { name: 'Edit Harbour lights' }).click()
    const dialog = page.getByRole('dialog', { name: 'Edit movie' })
    const seriesSelect = dialog.locator('#edit-series')
    await expect.poll(() => seriesSelect.isEnabled()).toBe(true)
    await seriesSelect.selectOption({ label: 'Harbour tales (0 episodes)' })
    await expect.poll(() => dialog.getByLabel('Episode', { exact: true }).inputValue()).toBe('1')
    expect(await dialog.getByLabel('Season').inputValue()).toBe('1')
    await screenshot(page, 'viewer-admin-edit-episode-desktop')
    await dialog.getByRole('button', { name: 'Save changes' }).click()
    await dialog.waitFor({ state: 'detached' })
    await expect.poll(() => row.locator('.cell-episode').textContent()).toBe('S1 · E1 · Harbour tales')
    const movie = await api<MovieJson>(server, admin, 'GET', `/api/movies/${spare.id}`)
    expect([movie.series?.name, movie.season, movie.episode]).toEqual(['Harbour tales', 1, 1])
    await context.close()

    const phone = await open(browser, 'phone')
    await signInAs(phone.context, server.url, admin)
    await phone.page.goto(`${server.url}/admin/invites`)
    await phone.page.getByRole('button', { name: 'Create invite link' }).click()
    await phone.page.locator('#invite-link').waitFor()
    await screenshot(phone.page, 'viewer-admin-invites-phone', true)
    await phone.page.goto(`${server.url}/admin/series`)
    await phone.page.locator('#admin-series tbody tr').first().waitFor()
    await screenshot(phone.page, 'viewer-admin-series-phone', true)
    await phone.context.close()
  })

  it('keeps the quality menu inside the player on a phone', async () => {
    const { context, page } = await open(browser, 'phone')
    await page.goto(`${server.url}/movies/${feature.id}`)
    await page.locator('.player-start').click()
    await page.waitForFunction(() => (document.querySelector('video')?.currentTime ?? 0) > 0.3)
    // Its button shows all of "Auto · 360p" and stays clear of the button after it.
    const quality = page.getByRole('button', { name: /^Quality/ })
    const fit = await quality.evaluate((b) => ({
      clipped: b.scrollWidth > b.clientWidth,
      gap:
        (b.closest('.player-menu-wrap')?.nextElementSibling?.getBoundingClientRect().left ?? 0) -
        b.getBoundingClientRect().right,
    }))
    expect(fit.clipped).toBe(false)
    expect(fit.gap).toBeGreaterThanOrEqual(0)
    await quality.click()
    const menu = page.getByRole('menu', { name: 'Quality' })
    await menu.waitFor()
    const [menuBox, playerBox] = await Promise.all([
      page.locator('.player-menu-title').boundingBox(),
      page.locator('.player').boundingBox(),
    ])
    expect(menuBox!.y).toBeGreaterThanOrEqual(playerBox!.y)
    await screenshot(page, 'viewer-quality-menu-phone')
    await context.close()
  })
})

describe('a private catalog', () => {
  let server: TestServer
  let browser: Browser

  beforeAll(async () => {
    ;[server, browser] = await Promise.all([
      startTestServer({ client: true, config: { privateCatalog: true } }),
      launchBrowser(),
    ])
  })

  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  it('sends visitors of every page to sign in, and back to the page afterwards', async () => {
    const viewer = await server.createUser('hana', 'viewer')
    const { context, page } = await open(browser)
    for (const path of ['/', '/list', '/series/AAAAAAAAAAAAAAAA', '/movies/AAAAAAAAAAAAAAAA']) {
      await page.goto(`${server.url}${path}`)
      await page.waitForURL((url) => url.pathname === '/admin' && url.searchParams.get('next') === path)
      await page.getByText('This server is private: sign in to watch.').waitFor()
    }
    await page.getByLabel('Username').fill(viewer.username)
    await page.getByLabel('Password').fill(viewer.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL(`${server.url}/movies/AAAAAAAAAAAAAAAA`)
    await page.getByRole('heading', { name: 'Movie not found' }).waitFor()
    await context.close()
  })
})
