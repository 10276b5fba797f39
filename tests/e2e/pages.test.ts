/**
 * End to end, in headless Chromium against the real Node server, with real DASH content made by
 * native ffmpeg and uploaded through the API: catalog and search, playback, adaptive bitrate under
 * a throttled link, the quality menu, the admin pages, and what anonymous visitors cannot reach.
 *
 * Screenshots land in tests/.artifacts/ for people to look at.
 */
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MovieJson } from '../../server/routes/movies/movies.schemas.ts'
import { movieKey } from '../../server/storage/keys.ts'
import { startTestServer, type TestServer, type TestUser } from '../support/app.ts'
import { uploadMovie } from '../support/http.ts'
import { ABR_LADDER, type DashMovie, makeDash, PLAYER_CONTENT } from '../support/media.ts'
import { launchBrowser, newPage, screenshot, setOffline, throttle } from './browser.ts'

/** What dash.js says it is fetching now, and the playback state, read in the page. */
interface PlayerProbe {
  repId: string | null
  bandwidth: number
  height: number
  auto: boolean | null
  time: number
  frames: number
  paused: boolean
}

/**
 * Waits until the player's state satisfies `test` (polled in the page, so no sleeps), and returns
 * the very state that satisfied it: a later sample could already show another rendition.
 */
async function waitForPlayer(page: Page, test: string, timeout = 30_000): Promise<PlayerProbe> {
  const handle = await page.waitForFunction(
    (expr): PlayerProbe | false => {
      const p = window.__adhPlayer
      const rep = p?.getCurrentRepresentationForType('video')
      const video = document.querySelector('video')
      if (!video) return false
      const state: PlayerProbe = {
        repId: rep ? String(rep.id) : null,
        bandwidth: rep?.bandwidth ?? 0,
        height: rep?.height ?? 0,
        auto: p ? (p.getSettings().streaming?.abr?.autoSwitchBitrate?.video ?? null) : null,
        time: video.currentTime,
        frames: video.getVideoPlaybackQuality().totalVideoFrames,
        paused: video.paused,
      }
      return (new Function('s', `return (${expr})`)(state) as boolean) ? state : false
    },
    test,
    { timeout, polling: 250 },
  )
  return (await handle.jsonValue()) as PlayerProbe
}

/** The player's state now. */
const probe = (page: Page) => waitForPlayer(page, 'true')

async function signIn(page: Page, base: string, user: TestUser, path = '/admin') {
  await page.goto(`${base}${path}`)
  await page.getByLabel('Username').fill(user.username)
  await page.getByLabel('Password').fill(user.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL((url) => url.pathname.startsWith('/admin/'))
}

const cardNames = (page: Page) => page.locator('#catalog-grid .card-title').allTextContents()

describe('catalog, player and admin pages', () => {
  let server: TestServer
  let browser: Browser
  let content: DashMovie
  let admin: TestUser
  let uploader: TestUser
  let feature: MovieJson
  let second: MovieJson
  let draft: MovieJson

  beforeAll(async () => {
    ;[server, content, browser] = await Promise.all([
      startTestServer({ blobs: 'fs', client: true }),
      makeDash({ ...PLAYER_CONTENT, seconds: 60 }),
      launchBrowser(),
    ])
    admin = await server.createUser('root', 'admin')
    uploader = await server.createUser('akiko', 'uploader')
    feature = await uploadMovie(server.url, uploader.token, content, {
      name: 'Sunset over Kamakura',
      description: 'Waves, a temple bell and a long walk home.\nShot on a quiet evening.',
    })
    second = await uploadMovie(server.url, admin.token, content, {
      name: 'Night train to Sendai',
      description: 'Four hours of rails at night.',
      poster: false,
    })
    draft = await uploadMovie(server.url, uploader.token, content, {
      name: 'Unfinished festival cut',
      publish: false,
      only: ['poster.jpg'],
    })
  }, 170_000)

  afterAll(async () => {
    await browser?.close()
    await server?.close()
    await content?.cleanup()
  })

  it('lists published movies, and search narrows the catalog to the one that matches', async () => {
    const { context, page } = await newPage(browser)
    await page.goto(server.url)
    await expect.poll(() => cardNames(page)).toEqual(['Night train to Sendai', 'Sunset over Kamakura'])
    await expect(page.locator('.card .thumb-duration').first().textContent()).resolves.toBe('1:00')
    await screenshot(page, 'catalog-desktop')

    await page.getByLabel('Search movies').fill('kamakura')
    await expect.poll(() => cardNames(page)).toEqual(['Sunset over Kamakura'])
    expect(new URL(page.url()).searchParams.get('q')).toBe('kamakura')
    await screenshot(page, 'catalog-search-desktop')

    await page.getByLabel('Search movies').fill('zeppelin')
    await page.getByRole('heading', { name: 'Nothing matches “zeppelin”' }).waitFor()
    await screenshot(page, 'catalog-search-empty-desktop')
    await page.getByRole('button', { name: 'Clear search' }).click()
    await expect.poll(() => cardNames(page)).toHaveLength(2)
    await context.close()

    const phone = await newPage(browser, 'phone')
    await phone.page.goto(server.url)
    await expect.poll(() => cardNames(phone.page)).toHaveLength(2)
    await screenshot(phone.page, 'catalog-phone')
    await phone.context.close()
  })

  it('plays the movie: the poster first, then time advances and frames are decoded', async () => {
    const { context, page } = await newPage(browser)
    await page.goto(`${server.url}/movies/${feature.id}`)
    await page.getByRole('heading', { name: 'Sunset over Kamakura' }).waitFor()
    await page.locator('.player-poster img').waitFor()
    await page.waitForFunction(() => window.__adhPlayer !== undefined)
    await screenshot(page, 'movie-before-play-desktop')

    await page.getByRole('button', { name: 'Play Sunset over Kamakura' }).click()
    const playing = await waitForPlayer(page, 's.time > 1.5 && s.frames > 0')
    expect(playing.frames).toBeGreaterThan(0)
    await page.locator('.player-poster').waitFor({ state: 'hidden' })

    // Keyboard: i toggles the stats, space pauses, the right arrow seeks ahead.
    await page.keyboard.press('i')
    await expect.poll(() => page.locator('[data-stat="rendition"]').textContent()).toContain('×')
    await page.mouse.move(400, 400)
    await screenshot(page, 'movie-playing-stats-desktop')
    await page.keyboard.press('Space')
    await waitForPlayer(page, 's.paused')
    const before = (await probe(page)).time
    await page.keyboard.press('ArrowRight')
    await expect.poll(async () => (await probe(page)).time).toBeGreaterThan(before + 4)
    await page.keyboard.press('Space')
    await waitForPlayer(page, '!s.paused')
    await context.close()

    const phone = await newPage(browser, 'phone')
    await phone.page.goto(`${server.url}/movies/${feature.id}`)
    await phone.page.locator('.player-poster img').waitFor()
    await screenshot(phone.page, 'movie-phone')
    await phone.context.close()
  })

  it('changes the volume with the arrow keys, mutes with m, and remembers both on the next visit', async () => {
    const { context, page } = await newPage(browser)
    await page.goto(`${server.url}/movies/${feature.id}`)
    await page.waitForFunction(() => window.__adhPlayer !== undefined)
    const level = () => page.getByRole('slider', { name: 'Volume' }).getAttribute('aria-valuetext')
    const muteLabel = () => page.locator('.player-volume button').getAttribute('aria-label')
    const media = () => page.evaluate(() => ({ volume: document.querySelector('video')!.volume }))

    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('ArrowDown')
    await expect.poll(level).toBe('80%')
    await expect.poll(() => page.locator('.player-flash').textContent()).toBe('Volume 80%')
    await page.keyboard.press('m')
    await expect.poll(level).toBe('0%')
    expect(await muteLabel()).toBe('Unmute')

    await page.reload()
    await page.waitForFunction(() => window.__adhPlayer !== undefined)
    await expect.poll(level).toBe('0%')
    expect(await muteLabel()).toBe('Unmute')
    expect((await media()).volume).toBeCloseTo(0.8, 5)
    // Up from muted starts from silence, one step up.
    await page.keyboard.press('ArrowUp')
    await expect.poll(level).toBe('10%')
    expect(await muteLabel()).toBe('Mute')
    await context.close()
  })

  it('switches down to a rendition that fits an 800 kbit/s link, and back up when the link is freed', async () => {
    const { context, page } = await newPage(browser)
    await page.goto(`${server.url}/movies/${feature.id}`)
    await page.getByRole('button', { name: 'Play Sunset over Kamakura' }).click()
    // On loopback ABR climbs to the top rendition.
    const top = await waitForPlayer(page, `s.frames > 0 && s.bandwidth >= ${ABR_LADDER[0]!.kbps * 1000}`)

    await throttle(page, 800)
    // Down to a rendition whose video fits in the link with audio beside it.
    const low = await waitForPlayer(page, 's.bandwidth > 0 && s.bandwidth <= 700000', 60_000)
    expect(low.bandwidth).toBeLessThan(top.bandwidth)
    await page.keyboard.press('i')
    await screenshot(page, 'abr-throttled-desktop')

    await throttle(page, null)
    const up = await waitForPlayer(page, `s.bandwidth > ${low.bandwidth}`, 60_000)
    expect(up.bandwidth).toBeGreaterThan(low.bandwidth)
    await context.close()
  }, 150_000)

  it('pins the rendition picked in the quality menu', async () => {
    const { context, page } = await newPage(browser)
    await page.goto(`${server.url}/movies/${feature.id}`)
    await page.getByRole('button', { name: 'Play Sunset over Kamakura' }).click()
    await waitForPlayer(page, 's.time > 0.5')

    await page.getByRole('button', { name: /^Quality/ }).click()
    const menu = page.getByRole('menu', { name: 'Quality' })
    await expect.poll(() => menu.getByRole('menuitemradio').count()).toBe(ABR_LADDER.length + 1)
    await screenshot(page, 'quality-menu-desktop')
    await menu.getByRole('menuitemradio', { name: /^144p/ }).click()

    const pinned = await waitForPlayer(page, 's.height === 144')
    expect(pinned.auto).toBe(false)
    await page.getByRole('button', { name: 'Quality: 144p' }).waitFor()
    // It stays pinned while playback goes on, on a link fast enough for 720p.
    await waitForPlayer(page, `s.time > ${pinned.time + 3}`)
    expect((await probe(page)).height).toBe(144)

    await page.getByRole('button', { name: /^Quality/ }).click()
    await menu.getByRole('menuitemradio', { name: /^Auto/ }).click()
    await expect.poll(async () => (await probe(page)).auto).toBe(true)
    await context.close()
  })

  it('keeps anonymous visitors out of the admin pages and away from drafts', async () => {
    const { context, page } = await newPage(browser)
    for (const path of ['/admin', '/admin/movies', '/admin/users', '/admin/tokens']) {
      await page.goto(`${server.url}${path}`)
      await page.getByRole('heading', { name: 'Sign in' }).waitFor()
      await expect.poll(() => page.locator('table').count()).toBe(0)
    }
    await screenshot(page, 'admin-signin-desktop')
    const api = await page.evaluate(async () => [
      (await fetch('/api/users')).status,
      (await fetch('/api/auth/tokens')).status,
    ])
    expect(api).toEqual([401, 401])

    await page.goto(`${server.url}/movies/${draft.id}`)
    await page.getByRole('heading', { name: 'Movie not found' }).waitFor()
    await page.goto(server.url)
    await expect.poll(() => cardNames(page)).not.toContain('Unfinished festival cut')
    await context.close()
  })

  it('shows signed-in uploaders their drafts, marked as such', async () => {
    const { context, page } = await newPage(browser)
    await signIn(page, server.url, uploader)
    await page.goto(server.url)
    const card = page.locator(`[data-movie-id="${draft.id}"]`)
    await expect.poll(() => card.locator('.badge-draft').textContent()).toBe('Draft')
    await screenshot(page, 'catalog-signed-in-desktop')
    await card.locator('a').click()
    await page.getByRole('heading', { name: 'Not published yet' }).waitFor()
    await context.close()
  })

  it('shows admin edits in the catalog: rename, describe, deactivate', async () => {
    const { context, page } = await newPage(browser)
    await signIn(page, server.url, admin)
    const row = page.locator(`#admin-movies tr[data-movie-id="${second.id}"]`)
    await expect.poll(() => row.locator('td').nth(2).textContent()).toBe('root')
    await screenshot(page, 'admin-movies-desktop', true)

    await row.getByRole('button', { name: 'Edit Night train to Sendai' }).click()
    const dialog = page.getByRole('dialog', { name: 'Edit movie' })
    await dialog.getByLabel('Name').fill('Night train to Sendai (director’s cut)')
    await dialog.getByLabel('Description').fill('Five hours of rails at night, now with the tunnel.')
    await screenshot(page, 'admin-edit-dialog-desktop')
    await dialog.getByRole('button', { name: 'Save changes' }).click()
    await dialog.waitFor({ state: 'hidden' })
    await expect
      .poll(() => page.locator(`#admin-movies tr[data-movie-id="${second.id}"] .movie-name`).textContent())
      .toBe('Night train to Sendai (director’s cut)')

    const visitor = await newPage(browser)
    await visitor.page.goto(`${server.url}/?q=tunnel`)
    await expect.poll(() => cardNames(visitor.page)).toEqual(['Night train to Sendai (director’s cut)'])

    // Inactive: gone for visitors, still listed (and marked) for the admin.
    await page
      .locator(`#admin-movies tr[data-movie-id="${second.id}"]`)
      .getByRole('switch', { name: /^Active/ })
      .click()
    await expect
      .poll(async () => await (await fetch(`${server.url}/api/movies/${second.id}`)).status)
      .toBe(404)
    await visitor.page.goto(server.url)
    await expect.poll(() => cardNames(visitor.page)).toEqual(['Sunset over Kamakura'])
    await page.goto(server.url)
    await expect
      .poll(() => page.locator(`[data-movie-id="${second.id}"] .badge-inactive`).textContent())
      .toBe('Inactive')
    await visitor.context.close()
    await context.close()

    const phone = await newPage(browser, 'phone')
    await signIn(phone.page, server.url, admin)
    await phone.page.locator(`#admin-movies tr[data-movie-id="${feature.id}"]`).waitFor()
    await screenshot(phone.page, 'admin-movies-phone', true)
    await phone.context.close()
    // Three browser contexts and five screenshots: about 17 s on a quiet machine.
  }, 60_000)

  it('deletes a movie after confirmation, and its media URLs answer 404', async () => {
    const media = [second.manifestUrl!, `/media/${second.id}/init-stream0.m4s`]
    for (const url of media) expect((await fetch(`${server.url}${url}`, { method: 'HEAD' })).status).toBe(404)
    // 404 above is because the movie is inactive now; reactivate it through the API to see it served first.
    const on = await fetch(`${server.url}/api/movies/${second.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ active: true }),
    })
    expect(on.status).toBe(200)
    for (const url of media) expect((await fetch(`${server.url}${url}`, { method: 'HEAD' })).status).toBe(200)

    const { context, page } = await newPage(browser)
    await signIn(page, server.url, admin)
    const row = page.locator(`#admin-movies tr[data-movie-id="${second.id}"]`)
    await row.getByRole('button', { name: /^Delete/ }).click()
    const dialog = page.getByRole('dialog', { name: /^Delete “Night train/ })
    await screenshot(page, 'admin-delete-dialog-desktop')
    await dialog.getByRole('button', { name: 'Delete movie' }).click()
    // Deleting removes every file of a minute-long ladder: on a busy machine that outlasts poll's 1 s default.
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(0)

    for (const url of media) expect((await fetch(`${server.url}${url}`)).status).toBe(404)
    await page.goto(server.url)
    await expect.poll(() => cardNames(page)).not.toContain('Night train to Sendai (director’s cut)')
    await context.close()
  })

  it('lets an admin create an uploader, reset the password and deactivate the account', async () => {
    const { context, page } = await newPage(browser)
    await signIn(page, server.url, admin, '/admin/users')
    await page.getByRole('button', { name: 'New account' }).click()
    const create = page.getByRole('dialog', { name: 'New account' })
    await create.getByLabel('Username').fill('hiro')
    await create.getByLabel('Password').fill('first-password-1')
    await create.getByRole('button', { name: 'Create account' }).click()
    const row = page.locator('#admin-users tr[data-username="hiro"]')
    await expect.poll(() => row.textContent()).toContain('uploader')

    await row.getByRole('button', { name: 'Reset password of hiro' }).click()
    const reset = page.getByRole('dialog', { name: /^Reset password/ })
    await reset.getByLabel('New password').fill('second-password-2')
    await reset.getByRole('button', { name: 'Set password' }).click()
    await reset.waitFor({ state: 'hidden' })
    const login = (password: string) =>
      fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'hiro', password }),
      }).then((r) => r.status)
    expect(await login('second-password-2')).toBe(200)

    await row.getByRole('button', { name: 'Deactivate hiro' }).click()
    await page
      .getByRole('dialog', { name: /^Deactivate/ })
      .getByRole('button', { name: 'Deactivate' })
      .click()
    await expect
      .poll(() => page.locator('#admin-users tr[data-username="hiro"]').textContent())
      .toContain('Deactivated')
    await screenshot(page, 'admin-users-desktop')
    expect(await login('second-password-2')).toBe(401)
    await context.close()
  })

  it('creates an API token shown once, lists it, and revokes it', async () => {
    const { context, page } = await newPage(browser)
    await signIn(page, server.url, uploader, '/admin/tokens')
    await page.getByLabel('New token').fill('nightly backup')
    await page.getByRole('button', { name: 'Create token' }).click()
    const secret = (await page.locator('#new-token-value').textContent()) ?? ''
    const me = (token: string) =>
      fetch(`${server.url}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } }).then(
        (r) => r.status,
      )
    expect(await me(secret)).toBe(200)
    await screenshot(page, 'admin-tokens-desktop')

    await page.reload()
    await expect.poll(() => page.locator('#new-token-value').count()).toBe(0)
    await expect.poll(() => page.locator('#admin-tokens').textContent()).toContain('nightly backup')
    await page.getByRole('button', { name: 'Revoke nightly backup' }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke token' }).click()
    await expect.poll(() => page.locator('#admin-tokens').textContent()).not.toContain('nightly backup')
    expect(await me(secret)).toBe(401)
    await context.close()
  })

  it('loads more of the catalog as the visitor scrolls', async () => {
    const prolific = await server.createUser('prolific', 'uploader')
    const headers = { authorization: `Bearer ${prolific.token}`, 'content-type': 'application/json' }
    await Promise.all(
      Array.from({ length: 26 }, (_, i) =>
        fetch(`${server.url}/api/movies`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ name: `Storyboard ${String(i + 1).padStart(2, '0')}` }),
        }),
      ),
    )
    // Their 26 drafts and the movies others published that are not episodes: what the grid lists.
    const listed = await fetch(`${server.url}/api/movies?limit=100&standalone=true`, { headers })
    const total = ((await listed.json()) as { items: unknown[] }).items.length
    expect(total).toBeGreaterThan(26)
    const { context, page } = await newPage(browser)
    await signIn(page, server.url, prolific)
    await page.goto(server.url)
    // One page of 24, then the rest on scrolling.
    await expect.poll(() => page.locator('#catalog-grid .card').count()).toBe(24)
    await page.mouse.wheel(0, 20_000)
    await expect.poll(() => page.locator('#catalog-grid .card').count()).toBe(total)
    await page.locator('#catalog-more').waitFor({ state: 'hidden' })
    await context.close()
  })

  it('says so when a movie’s manifest is missing, and offers a retry', async () => {
    // A published movie whose manifest vanished from storage (a bad restore, a lost disk).
    const lost = await uploadMovie(server.url, admin.token, content, { name: 'Lost reel', poster: false })
    await server.deps.blobs.delete(movieKey(lost.id, 'manifest.mpd'))
    const { context, page } = await newPage(browser)
    await page.goto(`${server.url}/movies/${lost.id}`)
    const missing = page.getByRole('alert').getByRole('heading', { name: 'This video is missing' })
    await missing.waitFor()
    await screenshot(page, 'player-error-missing-desktop')
    await page.getByRole('button', { name: 'Retry' }).click()
    await missing.waitFor({ state: 'hidden' })
    await missing.waitFor()
    await context.close()
  })

  it('tells a viewer whose network dropped, and plays on once it is back', async () => {
    const { context, page } = await newPage(browser)
    await page.goto(`${server.url}/movies/${feature.id}`)
    await page.getByRole('button', { name: 'Play Sunset over Kamakura' }).click()
    await waitForPlayer(page, 's.time > 0.5')
    await setOffline(page, true)
    // Jump past what is buffered: playing on needs the network now.
    await page.evaluate(() => {
      document.querySelector('video')!.currentTime = 50
    })
    await page.getByRole('alert').getByRole('heading', { name: 'Network connection lost' }).waitFor()
    await screenshot(page, 'player-error-offline-desktop')
    await setOffline(page, false)
    await page.locator('.player-error').waitFor({ state: 'hidden' })
    await waitForPlayer(page, 's.time > 51 && !s.paused')
    await context.close()
  })
})
