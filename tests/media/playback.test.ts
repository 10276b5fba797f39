/**
 * A movie encoded by native ffmpeg, uploaded and published through the API, plays in headless
 * Chromium with dash.js from a page on another origin — so CORS, ranges and content types are
 * what a real third-party player needs.
 */
import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { launchBrowser } from '../e2e/browser.ts'
import { startTestServer, type TestServer } from '../support/app.ts'
import { uploadMovie } from '../support/http.ts'
import { type DashMovie, makeDash } from '../support/media.ts'

// The package's exports map hides its UMD build, which is what a plain <script> page loads.
const DASHJS = join(import.meta.dirname, '../../node_modules/dashjs/dist/modern/umd/dash.all.min.js')

let fx: DashMovie
let s: TestServer
let page: Server
let pageOrigin: string
let browser: Browser
let manifestUrl: string

beforeAll(async () => {
  fx = await makeDash({ seconds: 4 })
  s = await startTestServer({ blobs: 'fs' })
  const alice = await s.createUser('alice')
  const movie = await uploadMovie(s.url, alice.token, fx, { name: 'Playback' })
  expect(movie.status).toBe('ready')
  manifestUrl = `${s.url}${movie.manifestUrl}`

  // Another origin: a bare page with dash.js, as a third-party player would be.
  const script = await readFile(DASHJS)
  page = createServer((req, res) => {
    if (req.url === '/dash.all.min.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(script)
      return
    }
    res
      .writeHead(200, { 'content-type': 'text/html' })
      .end('<!doctype html><video id="v" muted playsinline></video><script src="/dash.all.min.js"></script>')
  })
  await new Promise<void>((r) => page.listen(0, '127.0.0.1', r))
  pageOrigin = `http://127.0.0.1:${(page.address() as AddressInfo).port}`
  browser = await launchBrowser()
})

afterAll(async () => {
  await browser?.close()
  page?.close()
  await s?.close()
  await fx?.cleanup()
})

it('plays in dash.js on another origin, through both video renditions', async () => {
  const context = await browser.newContext()
  const tab = await context.newPage()
  const failures: string[] = []
  tab.on('requestfailed', (r) => failures.push(`${r.url()} ${r.failure()?.errorText}`))
  tab.on('response', (r) => {
    if (r.url().startsWith(s.url) && r.status() >= 400) failures.push(`${r.url()} ${r.status()}`)
  })
  await tab.goto(pageOrigin)
  const result = await tab.evaluate(async (url) => {
    // biome-ignore lint/suspicious/noExplicitAny: the reference player's UMD global, loaded by a <script> tag
    const dashjs = (window as unknown as { dashjs: any }).dashjs
    const video = document.getElementById('v') as HTMLVideoElement
    const player = dashjs.MediaPlayer().create()
    const errors: string[] = []
    player.on(dashjs.MediaPlayer.events.ERROR, (e: { error?: { message?: string } }) =>
      errors.push(String(e.error?.message)),
    )
    player.initialize(video, url, true)
    const until = (check: () => boolean, ms: number) =>
      new Promise<boolean>((resolve) => {
        const started = performance.now()
        const tick = () =>
          check() ? resolve(true) : performance.now() - started > ms ? resolve(false) : setTimeout(tick, 50)
        tick()
      })
    const played = await until(() => video.currentTime > 1.5, 15_000)
    const videoReps = player.getRepresentationsByType('video') as { id: string; height: number }[]
    // Switch to the other rendition by hand and watch it play on.
    player.updateSettings({ streaming: { abr: { autoSwitchBitrate: { video: false } } } })
    const current = player.getCurrentRepresentationForType('video') as { id: string }
    const other = videoReps.find((r) => r.id !== current.id)!
    player.setRepresentationForTypeById('video', other.id, true)
    const switched = await until(
      () => (player.getCurrentRepresentationForType('video') as { id: string }).id === other.id,
      10_000,
    )
    const before = video.currentTime
    const kept = await until(() => video.currentTime > before + 0.5 || video.ended, 10_000)
    return {
      played,
      switched,
      kept,
      errors,
      heights: videoReps.map((r) => r.height).sort(),
      width: video.videoWidth,
    }
  }, manifestUrl)
  expect(result.errors).toEqual([])
  expect(failures).toEqual([])
  expect(result.played).toBe(true)
  expect(result.heights).toEqual([180, 360])
  expect(result.switched).toBe(true)
  expect(result.kept).toBe(true)
  expect(result.width).toBeGreaterThan(0)
  await context.close()
})
