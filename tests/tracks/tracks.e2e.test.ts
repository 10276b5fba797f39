/**
 * Every track of the source, end to end in headless Chromium against the real Node server: an
 * anime-style MKV made by native ffmpeg (H.264, Japanese and English AAC, an ASS and a SubRip
 * track) is dropped on the upload page with a French SubRip sidecar, encoded by each backend and
 * published with two audio sets, three subtitle sets and seek-bar previews; a 5.1 clip gets a 5.1
 * rendition beside the stereo one. Native ffprobe reads every audio rendition over HTTP. Then one
 * published movie is watched: switching audio changes what dash.js plays, a subtitle's cue shows at
 * its time, `c` and `a` work, and hovering the seek bar previews the picture there.
 * Screenshots land in tests/.artifacts/.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Mpd, parseMpd } from '../../server/lib/dash/index.ts'
import type { MovieJson } from '../../server/routes/movies/movies.schemas.ts'
import { launchBrowser, newPage, screenshot, signedInPage } from '../e2e/browser.ts'
import { startTestServer, type TestServer, type TestUser } from '../support/app.ts'
import { ffprobe, makeAnimeClip, makeSidecar, makeSurroundClip } from '../support/media.ts'
import { suiteTempDir } from '../support/temp-dir.ts'

let server: TestServer
let user: TestUser
let browser: Browser
let anime: string
let sidecar: string
let surround: string
const dir = suiteTempDir('adh-tracks-e2e-')
/** The movie published by the default backend, watched in the player tests. */
let watched: MovieJson | null = null

beforeAll(async () => {
  ;[server, browser, anime, surround] = await Promise.all([
    startTestServer({ blobs: 'fs', client: true }),
    launchBrowser(),
    makeAnimeClip(dir, 'Kaze no Eki - 01.mkv'),
    makeSurroundClip(dir, 'surround.mp4'),
  ])
  sidecar = await makeSidecar(dir, 'Kaze no Eki - 01.mkv')
  user = await server.createUser('tomo', 'uploader')
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await server?.close()
})

type Backend = 'default' | 'ffmpeg.wasm'

/** A signed-in page whose upload page encodes with `backend`. */
const signedIn = (backend: Backend) =>
  signedInPage(browser, server.url, user, 'desktop', async (page) => {
    if (backend === 'ffmpeg.wasm')
      await page.addInitScript(() => Object.assign(window, { __adhEncoder: 'ffmpeg.wasm' }))
  })

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${user.token}` } })
  expect(res.status, path).toBe(200)
  return (await res.json()) as T
}

async function manifestOf(movie: MovieJson): Promise<Mpd> {
  const res = await fetch(`${server.url}${movie.manifestUrl}`)
  return parseMpd(await res.text(), { manifestPath: movie.manifestUrl!.split('/').at(-1)! })
}

/** Drops the files on the page, starts with every track ticked, and returns the published movie. */
async function publishThroughPage(
  page: Page,
  files: string[],
  name: string,
  shots?: string,
): Promise<MovieJson> {
  await page.goto(`${server.url}/upload`)
  await page.setInputFiles('#upload-file', files)
  const start = page.getByRole('button', { name: 'Start encoding and upload' })
  await start.waitFor({ timeout: 60_000 })
  await page.getByLabel('Name', { exact: true }).fill(name)
  if (shots) {
    await page.locator('.tracks').scrollIntoViewIfNeeded()
    await screenshot(page, shots, true)
  }
  await start.click()
  const watch = page.getByRole('link', { name: 'Watch it' })
  await watch.waitFor({ timeout: 300_000 })
  const id = /^\/movies\/([A-Za-z0-9]+)$/.exec((await watch.getAttribute('href')) ?? '')?.[1]
  expect(id).toBeTruthy()
  return api<MovieJson>(`/api/movies/${id}`)
}

describe.each([{ backend: 'default' as Backend }, { backend: 'ffmpeg.wasm' as Backend }])(
  'publishing every track ($backend backend)',
  ({ backend }) => {
    it('publishes the MKV and its sidecar with two audio sets, three subtitle sets and previews', async () => {
      const { page, context } = await signedIn(backend)
      await page.goto(`${server.url}/upload`)
      await page.setInputFiles('#upload-file', [anime, sidecar])
      await page.getByRole('button', { name: 'Start encoding and upload' }).waitFor({ timeout: 60_000 })
      // The track list: both audio tracks and three subtitle tracks, every one ticked, named.
      const rows = page.locator('.track-row')
      expect(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-track')))).toEqual([
        'a0',
        'a1',
        's0',
        's1',
        'sidecar-Kaze no Eki - 01.fr.srt',
      ])
      expect(await page.locator('.track-row input[type="checkbox"]:checked').count()).toBe(5)
      expect(
        await page
          .locator('.track-row .track-language')
          .evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value)),
      ).toEqual(['ja', 'en', 'en', 'es', 'fr'])
      const movie = await publishThroughPage(
        page,
        [anime, sidecar],
        `Kaze no Eki (${backend})`,
        backend === 'default' ? 'tracks-upload-list' : undefined,
      )
      await context.close()

      expect(movie).toMatchObject({
        status: 'ready',
        audioLanguages: ['ja', 'en'],
        subtitleLanguages: ['en', 'es', 'fr'],
      })
      expect(movie.subtitles.map((s) => [s.language, s.label, s.role])).toEqual([
        ['en', 'English', 'subtitle'],
        ['es', 'Spanish', 'subtitle'],
        ['fr', 'French', 'subtitle'],
      ])
      const mpd = await manifestOf(movie)
      const audio = mpd.representations.filter((r) => r.kind === 'audio')
      expect(audio.map((r) => [r.id, r.lang, r.labels, r.roles, r.channels])).toEqual([
        ['a0', 'ja', ['Japanese'], ['main'], 2],
        ['a1', 'en', ['English dub'], ['alternate'], 2],
      ])
      expect(new Set(audio.map((r) => r.adaptationSetId)).size).toBe(2)
      expect(mpd.representations.filter((r) => r.kind === 'text').map((r) => [r.lang, r.mimeType])).toEqual([
        ['en', 'text/vtt'],
        ['es', 'text/vtt'],
        ['fr', 'text/vtt'],
      ])
      const thumbnails = mpd.representations.find((r) => r.kind === 'image')
      expect(thumbnails).toMatchObject({
        mimeType: 'image/jpeg',
        tiles: { columns: 10, rows: 10 },
        width: 1600,
        height: 900,
      })
      expect(thumbnails!.segments).toEqual(['thumbs-00001.jpg'])

      // The converted subtitles: ASS italics and the sign on top kept; the Windows-1252 sidecar readable.
      const text = async (lang: string) =>
        (await fetch(`${server.url}${movie.subtitles.find((s) => s.language === lang)!.url}`)).text()
      expect(await text('en')).toMatch(/--> 00:00:02\.4\d0\n<i>Welcome<\/i> home,\nbrother\n/)
      expect(await text('en')).toMatch(/ line:0\n<b>Station<\/b>/)
      expect(await text('fr')).toContain('Bienvenue à la maison')
      const sheet = await fetch(`${server.url}/media/${movie.id}/thumbs-00001.jpg`)
      expect(sheet.headers.get('content-type')).toBe('image/jpeg')
      const previews = await (await fetch(`${server.url}/media/${movie.id}/thumbs.vtt`)).text()
      expect(previews).toContain('thumbs-00001.jpg#xywh=160,0,160,90')

      // ffprobe reads both audio renditions as a player would, each stereo AAC.
      const { streams } = await ffprobe(`${server.url}${movie.manifestUrl}`)
      expect(streams.filter((s) => s.codec_type === 'audio').map((s) => [s.codec_name, s.channels])).toEqual([
        ['aac', 2],
        ['aac', 2],
      ])
      if (backend === 'default') watched = movie
    }, 420_000)
  },
)

describe('a 5.1 source', () => {
  it('gets a 5.1 AAC rendition beside the stereo one in one AdaptationSet, and the player starts on stereo', async () => {
    const { page, context } = await signedIn('default')
    const movie = await publishThroughPage(page, [surround], 'Surround')
    const audio = (await manifestOf(movie)).representations.filter((r) => r.kind === 'audio')
    expect(audio.map((r) => [r.id, r.channels, r.adaptationSetId])).toEqual([
      ['a0', 2, audio[0]!.adaptationSetId],
      ['a0-6ch', 6, audio[0]!.adaptationSetId],
    ])
    // Each rendition as its own file (init + first segment), read by native ffprobe.
    for (const [id, channels] of [
      ['a0', 2],
      ['a0-6ch', 6],
    ] as const) {
      const bytes = await Promise.all(
        [`init-${id}.m4s`, `chunk-${id}-00001.m4s`].map(async (f) =>
          Buffer.from(await (await fetch(`${server.url}/media/${movie.id}/${f}`)).arrayBuffer()),
        ),
      )
      const path = `${dir}/${id}.mp4`
      await (await import('node:fs/promises')).writeFile(path, Buffer.concat(bytes))
      const { streams } = await ffprobe(path)
      expect(streams.map((s) => [s.codec_name, s.channels])).toEqual([['aac', channels]])
    }
    await page.goto(`${server.url}/movies/${movie.id}`)
    await page.waitForFunction(() => window.__adhPlayer?.getCurrentRepresentationForType('audio')?.id, null, {
      timeout: 30_000,
    })
    await page.evaluate(
      () =>
        void document
          .querySelector('video')!
          .play()
          .catch(() => undefined),
    )
    await page.waitForFunction(() => (document.querySelector('video')?.currentTime ?? 0) > 1, null, {
      timeout: 30_000,
    })
    expect(await page.evaluate(() => window.__adhPlayer!.getCurrentRepresentationForType('audio')!.id)).toBe(
      'a0',
    )
    await context.close()
  }, 300_000)
})

describe('watching a movie with tracks', () => {
  let context: BrowserContext
  let page: Page

  async function openMenu(name: 'audio' | 'subtitles') {
    await page.locator(`.player-${name}-btn`).click()
    await page.locator(`[data-menu="${name}"] [role="menu"]`).waitFor()
  }

  /** What dash.js plays and what the page's selected text track shows at the current time. */
  const state = () =>
    page.evaluate(() => {
      const dash = window.__adhPlayer!
      const video = document.querySelector('video')!
      const text = [...video.textTracks].find((t) => t.label === String(dash.getCurrentTrackFor('text')?.id))
      return {
        audio: dash.getCurrentTrackFor('audio')?.lang ?? null,
        audioRep: dash.getCurrentRepresentationForType('audio')?.id ?? null,
        textIndex: dash.getCurrentTextTrackIndex(),
        cues: [...(text?.activeCues ?? [])].map((c) => (c as VTTCue).text),
        loaded: text?.cues?.length ?? 0,
        drawn: document.querySelector<HTMLElement>('.player-subtitles')?.dataset.cues ?? '',
      }
    })

  async function pauseAt(seconds: number) {
    await page.evaluate(async (t) => {
      const video = document.querySelector('video')!
      video.pause()
      video.currentTime = t
      await new Promise((resolve) => video.addEventListener('seeked', resolve, { once: true }))
    }, seconds)
  }

  beforeAll(async () => {
    expect(watched, 'the default backend published a movie').not.toBeNull()
    ;({ context, page } = await newPage(browser))
    await page.goto(`${server.url}/movies/${watched!.id}`)
    await page.waitForFunction(() => window.__adhPlayer?.getCurrentTrackFor('audio'), null, {
      timeout: 30_000,
    })
    await page.evaluate(() => {
      const video = document.querySelector('video')!
      video.muted = true
      void video.play().catch(() => undefined)
    })
    await page.waitForFunction(() => (document.querySelector('video')?.currentTime ?? 0) > 0.5, null, {
      timeout: 30_000,
    })
  }, 60_000)

  afterAll(async () => {
    await context?.close()
  })

  it('starts on the browser’s language, and switching audio changes the track dash.js plays', async () => {
    // This browser reads English: the English dub, and no subtitles under English audio.
    expect(await state()).toMatchObject({ audio: 'en', audioRep: 'a1', textIndex: -1 })
    await openMenu('audio')
    expect(await page.locator('[data-menu="audio"] [role="menuitemradio"]').allTextContents()).toEqual([
      'Japanese',
      'English dubEnglish',
    ])
    await screenshot(page, 'tracks-player-audio-menu')
    await page.getByRole('menuitemradio', { name: 'Japanese' }).click()
    await expect.poll(async () => (await state()).audio, { timeout: 15_000 }).toBe('ja')
    await expect.poll(async () => (await state()).audioRep, { timeout: 15_000 }).toBe('a0')
    expect(await page.evaluate(() => localStorage.getItem('adh.audioLanguage'))).toBe('ja')
    // `a` cycles to the next language.
    await page.keyboard.press('a')
    await expect.poll(async () => (await state()).audio, { timeout: 15_000 }).toBe('en')
    await page.keyboard.press('a')
    await expect.poll(async () => (await state()).audio, { timeout: 15_000 }).toBe('ja')
  }, 90_000)

  it('shows the chosen subtitles’ cue at its time, from the page’s text track, and `c` turns them off and on', async () => {
    // dash.js fetches a newly picked subtitle file only while the video plays, and the 4 s movie
    // may have ended by now: play it again, slowly enough to still play when the track is picked.
    await page.evaluate(async () => {
      const video = document.querySelector('video')!
      video.currentTime = 0.2
      video.playbackRate = 0.25
      await video.play()
    })
    await openMenu('subtitles')
    expect(await page.locator('[data-menu="subtitles"] [role="menuitemradio"]').allTextContents()).toEqual([
      'Off',
      'English',
      'Spanish',
      'French',
    ])
    await screenshot(page, 'tracks-player-subtitles-menu')
    await page.getByRole('menuitemradio', { name: 'English' }).click()
    // The track's cues arrive with its file; a seek made before that shows none until the next one.
    await expect.poll(async () => (await state()).loaded, { timeout: 15_000 }).toBeGreaterThan(0)
    await pauseAt(1.6)
    await page.evaluate(() => {
      document.querySelector('video')!.playbackRate = 1
    })
    // Two overlapping cues at 1.6 s: the dialogue and the sign.
    await expect
      .poll(async () => (await state()).cues, { timeout: 15_000 })
      .toEqual(['<i>Welcome</i> home,\nbrother', '<b>Station</b>'])
    expect((await state()).drawn).toBe('<i>Welcome</i> home,\nbrother\n<b>Station</b>')
    expect(await page.locator('.player-cues-bottom .player-cue').textContent()).toBe('Welcome home,\nbrother')
    expect(await page.locator('.player-cues-top .player-cue').textContent()).toBe('Station')
    await screenshot(page, 'tracks-player-subtitles')
    await pauseAt(3.2)
    await expect
      .poll(async () => (await state()).cues, { timeout: 15_000 })
      .toEqual(['The <b>last</b> train'])
    expect(await page.evaluate(() => localStorage.getItem('adh.subtitles'))).toBe('en')

    await page.keyboard.press('c')
    await expect.poll(async () => (await state()).drawn, { timeout: 10_000 }).toBe('')
    expect((await state()).textIndex).toBe(-1)
    await page.keyboard.press('c')
    await expect.poll(async () => (await state()).drawn, { timeout: 10_000 }).toBe('The <b>last</b> train')

    // A track never shown before, picked while paused, shows its cue without playing on.
    await openMenu('subtitles')
    await page.getByRole('menuitemradio', { name: 'Spanish' }).click()
    await expect.poll(async () => (await state()).drawn, { timeout: 15_000 }).toBe('El último tren')
    expect(await page.evaluate(() => document.querySelector('video')!.paused)).toBe(true)
  }, 90_000)

  it('previews the picture under the pointer above the seek bar, a different tile at another time', async () => {
    const seek = page.locator('.player-seek')
    const box = (await seek.boundingBox())!
    const tileAt = async (ratio: number) => {
      await page.mouse.move(box.x + box.width * ratio, box.y + box.height / 2)
      const preview = page.locator('.player-preview')
      await expect
        .poll(() => preview.getAttribute('data-tile'), { timeout: 10_000 })
        .toMatch(/thumbs-00001\.jpg#xywh=/)
      return {
        tile: await preview.getAttribute('data-tile'),
        time: Number(await preview.getAttribute('data-time')),
      }
    }
    const early = await tileAt(0.05)
    const late = await tileAt(0.8)
    expect(early.tile).toMatch(/#xywh=0,0,160,90$/)
    expect(late.tile).toMatch(/#xywh=480,0,160,90$/)
    expect(late.time).toBeGreaterThan(early.time)
    await screenshot(page, 'tracks-player-preview')
    await page.mouse.move(box.x + box.width / 2, box.y - 200)
    await expect.poll(() => page.locator('.player-preview').isHidden()).toBe(true)
  }, 60_000)

  it('shows the menus and a preview on a phone, by touch', async () => {
    const phone = await newPage(browser, 'phone')
    const p = phone.page
    await p.goto(`${server.url}/movies/${watched!.id}`)
    await p.waitForFunction(() => window.__adhPlayer?.getCurrentTrackFor('audio'), null, { timeout: 30_000 })
    await p.evaluate(
      () =>
        void document
          .querySelector('video')!
          .play()
          .catch(() => undefined),
    )
    await p.waitForFunction(() => (document.querySelector('video')?.currentTime ?? 0) > 0.3, null, {
      timeout: 30_000,
    })
    await p.locator('.player-subtitles-btn').tap()
    await screenshot(p, 'tracks-player-phone-subtitles-menu')
    await p.getByRole('menuitemradio', { name: 'French' }).tap()
    const seek = (await p.locator('.player-seek').boundingBox())!
    // A touch on the bar starts a drag: the preview follows it.
    await p.evaluate(
      ({ x, y }) => {
        const target = document.querySelector('.player-seek')!
        target.dispatchEvent(
          new PointerEvent('pointerdown', { bubbles: true, pointerType: 'touch', clientX: x, clientY: y }),
        )
      },
      { x: seek.x + seek.width * 0.6, y: seek.y + seek.height / 2 },
    )
    await expect
      .poll(() => p.locator('.player-preview').getAttribute('data-tile'), { timeout: 10_000 })
      .toMatch(/#xywh=/)
    await screenshot(p, 'tracks-player-phone-preview')
    await phone.context.close()
  }, 60_000)
})
