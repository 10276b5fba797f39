/**
 * The pages' Content-Security-Policy, in headless Chromium against the Node server: every page
 * is served with it, and doing what each page is for (browsing, playing, signing in, encoding and
 * uploading, the admin pages) trips no `securitypolicyviolation` and logs no CSP error, in the
 * page or in its workers.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CONTENT_SECURITY_POLICY } from '../../server/pages.ts'
import type { MovieJson } from '../../server/routes/movies/movies.schemas.ts'
import { startTestServer, type TestServer, type TestUser } from '../support/app.ts'
import { uploadMovie } from '../support/http.ts'
import { type DashMovie, makeClip, makeDash } from '../support/media.ts'
import { suiteTempDir } from '../support/temp-dir.ts'
import { launchBrowser, newPage } from './browser.ts'

let server: TestServer
let browser: Browser
let content: DashMovie
let admin: TestUser
let movie: MovieJson
const dir = suiteTempDir('adh-csp-')

beforeAll(async () => {
  ;[server, content, browser] = await Promise.all([
    startTestServer({ blobs: 'fs', client: true }),
    makeDash({ seconds: 4 }),
    launchBrowser(),
  ])
  admin = await server.createUser('root', 'admin')
  movie = await uploadMovie(server.url, admin.token, content, { name: 'Policy test' })
}, 170_000)

afterAll(async () => {
  await browser?.close()
  await server?.close()
  await content?.cleanup()
})

/** Every CSP violation the page or its workers report, as "directive blocked-uri" lines. */
async function watched(
  signedIn: boolean,
): Promise<{ page: Page; context: BrowserContext; violations: string[] }> {
  const { page, context } = await newPage(browser)
  const violations: string[] = []
  await page.exposeFunction('__cspViolation', (line: string) => violations.push(line))
  const report = () => {
    const send = (e: SecurityPolicyViolationEvent) =>
      (globalThis as unknown as { __cspViolation?: (l: string) => void }).__cspViolation?.(
        `${e.effectiveDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`,
      )
    globalThis.addEventListener('securitypolicyviolation', send as EventListener)
  }
  await page.addInitScript(report)
  const consoleCsp = (where: string) => (msg: { type(): string; text(): string }) => {
    if (/Content[ -]Security[ -]Policy/i.test(msg.text())) violations.push(`${where} console: ${msg.text()}`)
  }
  page.on('console', consoleCsp('page'))
  page.on('worker', (w) => w.on('console', consoleCsp(`worker ${w.url()}`)))
  page.on('pageerror', (err) => {
    if (/Content[ -]Security[ -]Policy|wasm-unsafe-eval/i.test(err.message))
      violations.push(`error: ${err.message}`)
  })
  if (signedIn) {
    const res = await page.request.post(`${server.url}/api/auth/login`, {
      data: { username: admin.username, password: admin.password },
    })
    expect(res.status()).toBe(200)
  }
  return { page, context, violations }
}

async function expectPolicy(page: Page, path: string) {
  const res = await page.goto(`${server.url}${path}`)
  expect(res?.headers()['content-security-policy'], path).toBe(CONTENT_SECURITY_POLICY)
}

describe('the Content-Security-Policy of the pages', () => {
  it('lets the catalog, the list, sign-up and sign-in work untouched', async () => {
    const { page, context, violations } = await watched(false)
    await expectPolicy(page, '/')
    await page.locator('#catalog-grid .card-title').first().waitFor()
    await expectPolicy(page, '/signup')
    await expectPolicy(page, '/admin')
    await page.getByLabel('Username').fill(admin.username)
    await page.getByLabel('Password').fill(admin.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL((url) => url.pathname.startsWith('/admin/'))
    await page.waitForLoadState('networkidle')
    await expectPolicy(page, '/list')
    await page.waitForLoadState('networkidle')
    expect(violations).toEqual([])
    await context.close()
  })

  it('lets the player play', async () => {
    const { page, context, violations } = await watched(false)
    await expectPolicy(page, `/movies/${movie.id}`)
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
    expect(violations).toEqual([])
    await context.close()
  })

  it('lets the upload page probe, encode and upload a clip, and the admin pages edit it', async () => {
    const clip = await makeClip(dir, 'csp.mp4', { width: 320, height: 180, seconds: 2, audio: true })
    const { page, context, violations } = await watched(true)
    await expectPolicy(page, '/upload')
    await page.setInputFiles('#upload-file', clip)
    const start = page.getByRole('button', { name: 'Start encoding and upload' })
    await start.waitFor({ timeout: 60_000 })
    await page.getByLabel('Name').fill('Encoded under the policy')
    await start.click()
    await page
      .getByRole('link', { name: 'Watch it' })
      .waitFor({ timeout: 240_000 })
      .catch(async (err: Error) => {
        // Say what the page showed instead (an error and its reason, or the bars where they stopped).
        const shown = await page
          .locator('main')
          .textContent()
          .then(
            (t) => t ?? '',
            () => '',
          )
        throw new Error(
          `${err.message}\nThe page showed:\n${shown.slice(0, 2000)}\nViolations: ${violations.join('; ')}`,
        )
      })
    await expectPolicy(page, '/admin/movies')
    await page.waitForLoadState('networkidle')
    expect(violations).toEqual([])
    await context.close()
  }, 300_000)
})
