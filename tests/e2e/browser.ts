/**
 * Headless Chromium for end-to-end tests and benchmarks: the system's /usr/bin/chromium through
 * playwright-core (no browser download), with a fresh profile each launch, and helpers for
 * screenshots and network throttling.
 * @module
 */
import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { type Browser, type BrowserContext, type CDPSession, chromium, type Page } from 'playwright-core'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
/** Where screenshots go: tests/.artifacts (gitignored), or SCREENSHOTS_DIR, e.g. a folder in /tmp. */
export const ARTIFACTS = resolve(process.env.SCREENSHOTS_DIR ?? resolve(import.meta.dirname, '../.artifacts'))

export const VIEWPORTS = {
  desktop: { width: 1366, height: 800 },
  phone: { width: 390, height: 844 },
} as const

/**
 * Launches Chromium. Playwright gives every launch a fresh temporary profile of its own and
 * removes it on close, so no test sees another's cookies, cache or stored throughput.
 */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // Tests start playback without a click where a click is not the point.
      '--autoplay-policy=no-user-gesture-required',
    ],
  })
}

export async function newPage(
  browser: Browser,
  viewport: keyof typeof VIEWPORTS = 'desktop',
  /** `bypassCSP`: for a test that injects a script of its own (a third-party player) into our page. */
  options: { bypassCSP?: boolean } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    ...options,
    viewport: VIEWPORTS[viewport],
    ...(viewport === 'phone' ? { isMobile: true, hasTouch: true, deviceScaleFactor: 1 } : {}),
  })
  const page = await context.newPage()
  page.setDefaultTimeout(20_000)
  return { context, page }
}

/**
 * A fresh page signed in as `user` (its session cookie set by the login API, as the sign-in form
 * would); `before` runs first, e.g. to add an init script.
 */
export async function signedInPage(
  browser: Browser,
  baseUrl: string,
  user: { username: string; password: string },
  viewport: keyof typeof VIEWPORTS = 'desktop',
  before?: (page: Page) => Promise<void>,
): Promise<{ context: BrowserContext; page: Page }> {
  const { page, context } = await newPage(browser, viewport)
  await before?.(page)
  const res = await page.request.post(`${baseUrl}/api/auth/login`, {
    data: { username: user.username, password: user.password },
  })
  if (res.status() !== 200) throw new Error(`sign-in failed: ${res.status()}`)
  return { page, context }
}

/** Takes the page's network away (navigator.onLine turns false) or gives it back. */
export const setOffline = (page: Page, offline: boolean) => throttle(page, null, 0, offline)

/** Saves a screenshot to ARTIFACTS/<name>.png for a person to look at. */
export async function screenshot(page: Page, name: string, fullPage = false): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true })
  const path = join(ARTIFACTS, `${name}.png`)
  // A whole-page capture of a scrolled page draws the sticky header where the viewport was.
  if (fullPage) await page.evaluate(() => window.scrollTo(0, 0))
  // Progress bars glide to each new value for 0.3 s; with reduced motion they jump there, so the
  // picture shows the state rather than a frame of the glide.
  await page.emulateMedia({ reducedMotion: 'reduce' })
  await page.evaluate(
    () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))),
  )
  await page.screenshot({ path, fullPage, animations: 'disabled' })
  await page.emulateMedia({ reducedMotion: 'no-preference' })
  return path
}

const sessions = new WeakMap<Page, CDPSession>()

/**
 * Throttles the page's network through the Chrome DevTools Protocol
 * (Network.emulateNetworkConditions); `null` lifts it.
 */
export async function throttle(
  page: Page,
  kbps: number | null,
  latencyMs = 40,
  offline = false,
): Promise<void> {
  // One session per page: conditions belong to the session that set them, so lifting them must
  // go through the same one.
  let cdp = sessions.get(page)
  if (!cdp) {
    cdp = await page.context().newCDPSession(page)
    await cdp.send('Network.enable')
    sessions.set(page, cdp)
  }
  await cdp.send('Network.emulateNetworkConditions', {
    offline,
    latency: kbps === null ? 0 : latencyMs,
    downloadThroughput: kbps === null ? -1 : (kbps * 1000) / 8,
    uploadThroughput: kbps === null ? -1 : (kbps * 1000) / 8,
  })
}
