/**
 * A published movie this browser cannot decode, in headless Chromium against the real server with
 * the built client: real DASH segments from native ffmpeg behind a manifest whose codec strings
 * Chromium refuses (`avc1.640c09`, the ambiguous level-9 string the encoder used to write for
 * 176×144 sources). dash.js quietly drops what the browser refuses; the player must say
 * so in its error box, in words, and not play sound over a black picture.
 *
 * Screenshots land in tests/.artifacts/player-undecodable-*.png.
 */
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MovieJson } from '../../server/routes/movies/movies.schemas.ts'
import { startTestServer, type TestServer, type TestUser } from '../support/app.ts'
import { sha256Of } from '../support/bytes.ts'
import { uploadMovie } from '../support/http.ts'
import { type DashMovie, makeDash } from '../support/media.ts'
import { launchBrowser, newPage, screenshot } from './browser.ts'

/** A codec string Chromium's MediaCapabilities calls unsupported (an ambiguous level). */
const REFUSED_VIDEO = 'avc1.640c09'
/** An AAC object type that does not exist. */
const REFUSED_AUDIO = 'mp4a.40.99'

/** The same files, with the manifest's codec strings rewritten by `rewrite`. */
function withManifest(content: DashMovie, rewrite: (xml: string) => string): DashMovie {
  const manifest = async () =>
    new TextEncoder().encode(rewrite(new TextDecoder().decode(await content.bytes('manifest.mpd'))))
  return {
    ...content,
    bytes: (path) => (path === 'manifest.mpd' ? manifest() : content.bytes(path)),
    sha256: async (path) => (path === 'manifest.mpd' ? sha256Of(await manifest()) : content.sha256(path)),
  }
}

const refuseVideo = (xml: string) =>
  xml.replace(/codecs="avc1\.[0-9a-fA-F]{6}"/g, `codecs="${REFUSED_VIDEO}"`)
const refuseAll = (xml: string) =>
  refuseVideo(xml).replace(/codecs="mp4a\.[0-9.]+"/g, `codecs="${REFUSED_AUDIO}"`)

/** The error box's heading and text, once it shows. */
async function shownProblem(page: Page): Promise<{ title: string; detail: string }> {
  const box = page.getByRole('alert')
  await box.getByRole('heading', { name: 'This video cannot be decoded on this device' }).waitFor()
  return {
    title: (await box.getByRole('heading').textContent()) ?? '',
    detail: (await box.locator('p').textContent()) ?? '',
  }
}

describe('a movie whose codecs the browser refuses', () => {
  let server: TestServer
  let browser: Browser
  let content: DashMovie
  let uploader: TestUser
  let videoRefused: MovieJson
  let allRefused: MovieJson

  beforeAll(async () => {
    ;[server, content, browser] = await Promise.all([
      startTestServer({ blobs: 'fs', client: true }),
      makeDash({ seconds: 4 }),
      launchBrowser(),
    ])
    uploader = await server.createUser('akiko', 'uploader')
    // Publishing checks that every segment is there, not what the codec strings say.
    videoRefused = await uploadMovie(server.url, uploader.token, withManifest(content, refuseVideo), {
      name: 'Tiny phone clip',
    })
    allRefused = await uploadMovie(server.url, uploader.token, withManifest(content, refuseAll), {
      name: 'Nothing plays',
    })
  }, 120_000)

  afterAll(async () => {
    await browser?.close()
    await server?.close()
    await content?.cleanup()
  })

  it('says so when the picture cannot be decoded here, and plays no sound over a black box', async () => {
    const { context, page } = await newPage(browser)
    await page.goto(`${server.url}/movies/${videoRefused.id}`)
    // The premise: this browser refuses the video's codec string and takes the audio's, as dash.js
    // asks (MediaCapabilities; MediaSource.isTypeSupported alone says yes to this string).
    const supported = (contentType: string) =>
      page.evaluate(
        async (type) =>
          (
            await navigator.mediaCapabilities.decodingInfo(
              type.startsWith('video')
                ? {
                    type: 'media-source',
                    video: { contentType: type, width: 640, height: 360, bitrate: 800_000, framerate: 30 },
                  }
                : { type: 'media-source', audio: { contentType: type } },
            )
          ).supported,
        contentType,
      )
    expect(await supported(`video/mp4; codecs="${REFUSED_VIDEO}"`)).toBe(false)
    expect(await supported('audio/mp4; codecs="mp4a.40.2"')).toBe(true)
    // The player reads the manifest before the viewer presses play, and says so at once.
    const problem = await shownProblem(page)
    expect(problem.detail).toContain(REFUSED_VIDEO)
    expect(problem.detail).toMatch(/Try another browser .* or another device/)
    await screenshot(page, 'player-undecodable-desktop')
    // dash.js is gone rather than left to play the audio alone, and there is nothing to press play on.
    expect(await page.evaluate(() => window.__adhPlayer ?? null)).toBeNull()
    expect(await page.getByRole('button', { name: 'Play Tiny phone clip' }).isVisible()).toBe(false)

    // Retry tries again and says the same.
    await page.getByRole('button', { name: 'Retry' }).click()
    expect((await shownProblem(page)).detail).toContain(REFUSED_VIDEO)
    await context.close()
  }, 60_000)

  it('says the same when every track is refused', async () => {
    const { context, page } = await newPage(browser, 'phone')
    await page.goto(`${server.url}/movies/${allRefused.id}`)
    const problem = await shownProblem(page)
    expect(problem.detail).toContain(REFUSED_VIDEO)
    expect(problem.detail).toContain(REFUSED_AUDIO)
    await screenshot(page, 'player-undecodable-phone')
    await context.close()
  }, 60_000)

  it('says the same for an HEVC movie, with dash.js and with the browser’s own HLS', async () => {
    // Real HEVC segments, as another tool might publish them: this Chromium decodes no HEVC.
    const hevc = await makeDash({ seconds: 4, codec: 'hevc' })
    try {
      const movie = await uploadMovie(server.url, uploader.token, hevc, { name: 'Shot on a new phone' })
      for (const mode of ['dash', 'native-hls']) {
        const { context, page } = await newPage(browser)
        await page.goto(`${server.url}/movies/${movie.id}?player=${mode}`)
        await page.waitForSelector(`.player[data-mode="${mode}"]`)
        const native = await page.evaluate(() =>
          document.createElement('video').canPlayType('application/vnd.apple.mpegurl'),
        )
        if (mode === 'native-hls' && native === '') {
          // Only where the browser plays HLS itself (this Chromium does; older ones do not).
          await context.close()
          continue
        }
        const problem = await shownProblem(page)
        if (mode === 'dash') expect(problem.detail).toContain('hvc1')
        expect(await page.evaluate(() => document.querySelector('video')!.paused)).toBe(true)
        await screenshot(page, `player-undecodable-${mode}`)
        await context.close()
      }
    } finally {
      await hevc.cleanup()
    }
  }, 90_000)
})
