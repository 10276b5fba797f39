/**
 * @module Headless Chromium with the encoding engine loaded from a production build of the client,
 * for the engine's end-to-end tests and the benchmark.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { launchBrowser } from '../../e2e/browser.ts'
import { type StaticServer, serveStatic } from './static-server.ts'

const ROOT = resolve(import.meta.dirname, '../../..')

/**
 * Builds the client with vite (the real config, so the worker bundling and the copied ffmpeg cores
 * are what production gets) plus one extra entry exporting the engine, into `outDir`.
 * Returns the URL path of that entry.
 */
export async function buildWithEngineEntry(outDir: string): Promise<string> {
  const { build } = await import('vite')
  await build({
    configFile: join(ROOT, 'vite.config.ts'),
    logLevel: 'error',
    build: {
      outDir,
      emptyOutDir: true,
      rollupOptions: {
        input: { upload: join(ROOT, 'client/upload.html'), engine: join(ROOT, 'client/src/encode/index.ts') },
        // Keep the entry's exports: nothing in the app imports the engine entry itself.
        preserveEntrySignatures: 'exports-only',
      },
    },
  })
  const entry = (await readdir(join(outDir, 'assets'))).find((f) => /^engine-.*\.js$/.test(f))
  if (!entry) throw new Error('engine entry missing from the build')
  return `/assets/${entry}`
}

export interface EngineSession {
  server: StaticServer
  browser: Browser
  page: Page
  /** Absolute URL of the built engine module, for `import()` inside the page. */
  engineUrl: string
  close(): Promise<void>
}

/** Builds, serves and opens the upload page in a fresh headless Chromium profile. */
export async function openEngine(): Promise<EngineSession> {
  const work = await mkdtemp(join(tmpdir(), 'adh-engine-'))
  const dist = join(work, 'dist')
  const entry = await buildWithEngineEntry(dist)
  const server = await serveStatic(dist)
  // A fresh temporary profile per launch (playwright's own), removed on close.
  const browser = await launchBrowser()
  const page = await browser.newPage()
  page.setDefaultTimeout(30_000)
  await page.goto(`${server.url}/upload.html`)
  await page.evaluate(() => {
    const input = document.createElement('input')
    input.type = 'file'
    input.id = 'engine-test-file'
    // The video first, subtitle files after it.
    input.multiple = true
    document.body.append(input)
  })
  return {
    server,
    browser,
    page,
    engineUrl: `${server.url}${entry}`,
    async close() {
      await browser.close()
      await server.close()
      await rm(work, { recursive: true, force: true })
    },
  }
}

/** Lets the page write files into directories under the OS temp dir (base64 over the CDP bridge). */
export async function allowFileSaving(page: Page): Promise<void> {
  const root = tmpdir()
  await page.exposeFunction('__saveEncodedFile', async (dir: string, path: string, base64: string) => {
    if (!resolve(dir).startsWith(root) || path.includes('/'))
      throw new Error(`refusing to write ${dir}/${path}`)
    await writeFile(join(dir, path), Buffer.from(base64, 'base64'))
  })
}

export interface PageEncodeResult {
  probe: import('../../../client/src/encode/types.ts').ProbeResult
  plan: import('../../../client/src/encode/types.ts').LadderPlan
  /** Output paths in the order the encoder handed them out. */
  order: string[]
  /** Progress fractions seen, in order. */
  fractions: number[]
  /** Largest number of bytes the engine said were waiting for the consumer. */
  peakBuffered: number
  /** Whether every busy encoder was seen paused, waiting for the consumer. */
  sawPause: boolean
  workers: number
  crossOriginIsolated: boolean
  /** The backend named by the last progress report: "webcodecs" or "ffmpeg.wasm". */
  backend: string
}

/**
 * Probes, plans and encodes the file in the page's file input with the built engine, saving every
 * output into `dir`. Rejects with `{ name, code, message }` of the engine's error.
 */
export async function encodeInPage(
  session: EngineSession,
  dir: string,
  options: {
    workers?: number
    split?: 'auto' | 'renditions' | 'time'
    core?: 'core' | 'core-mt'
    threads?: number
    maxBufferedBytes?: number
    /** After the first file, stop taking files until every encoder reports it has paused. */
    holdUntilPaused?: boolean
    /** Abort through the signal once this many files have come out. */
    abortAfter?: number
    /** The engine's default (WebCodecs, falling back to ffmpeg.wasm), or ffmpeg.wasm alone. */
    backend?: 'default' | 'ffmpeg.wasm'
    /** Resume: every video rendition starts at segment `from`; `sizes` are the stored segments' bytes. */
    resume?: { from: number; sizes: [string, number][] }
    /** Options for `planLadder` (who makes the low rungs, for how many cores). */
    plan?: { lowRungs?: 'x264' | 'browser'; cores?: number }
    /** A seek-bar preview every this many frames, instead of the plan's. */
    previewEvery?: number
  } = {},
): Promise<PageEncodeResult> {
  return session.page.evaluate(
    async ({ engineUrl, dir, options }) => {
      type Engine = typeof import('../../../client/src/encode/index.ts')
      // Vitest rewrites `import()` in test code into a Node-side helper that does not exist in the
      // page, so the import is spelled in a string the transform leaves alone.
      const load = new Function('url', 'return import(url)') as (url: string) => Promise<Engine>
      const engine = await load(engineUrl)
      const save = (
        window as unknown as { __saveEncodedFile: (d: string, p: string, b: string) => Promise<void> }
      ).__saveEncodedFile
      const input = document.getElementById('engine-test-file') as HTMLInputElement
      const file = input.files?.[0]
      if (!file) throw new Error('no file chosen')
      try {
        const probe = await engine.probe(file)
        const planned = engine.planLadder(probe, options.plan)
        const every = options.previewEvery
        const fps = planned.renditions[0]!.frameRate
        const plan =
          every && planned.thumbnails
            ? {
                ...planned,
                thumbnails: { ...planned.thumbnails, step: every, interval: (every * fps.den) / fps.num },
              }
            : planned
        const workers = options.workers ?? engine.defaultWorkers()
        const fractions: number[] = []
        let peakBuffered = 0
        let sawPause = false
        let allPaused: () => void = () => {}
        const paused = new Promise<void>((resolve) => {
          allPaused = resolve
        })
        const order: string[] = []
        const controller = new AbortController()
        const {
          holdUntilPaused,
          abortAfter,
          backend: which,
          resume,
          plan: _,
          previewEvery: __,
          ...encodeOptions
        } = options
        engine.useBackend(
          which === 'ffmpeg.wasm'
            ? engine.ffmpegWasmBackend()
            : engine.webCodecsBackend({ fallback: engine.ffmpegWasmBackend() }),
        )
        let backend = ''
        const stream = engine.encode(file, plan, {
          ...encodeOptions,
          ...(resume
            ? {
                resume: {
                  from: Object.fromEntries(plan.renditions.map((r) => [r.id, resume.from])),
                  sizes: new Map(resume.sizes),
                },
              }
            : {}),
          workers,
          signal: controller.signal,
          onProgress: (p) => {
            backend = p.backend
            fractions.push(p.fraction)
            peakBuffered = Math.max(peakBuffered, p.bufferedBytes)
            const busy = p.renditions.filter((r) => r.state !== 'done')
            if (busy.length > 0 && busy.every((r) => r.state === 'waiting')) {
              sawPause = true
              allPaused()
            }
          },
        })
        for await (const out of stream) {
          order.push(out.path)
          if (holdUntilPaused && order.length === 1) await paused
          if (abortAfter && order.length === abortAfter) controller.abort()
          let binary = ''
          for (let i = 0; i < out.bytes.length; i += 0x8000) {
            binary += String.fromCharCode(...out.bytes.subarray(i, i + 0x8000))
          }
          await save(dir, out.path, btoa(binary))
        }
        return {
          probe,
          plan,
          order,
          fractions,
          peakBuffered,
          sawPause,
          workers,
          crossOriginIsolated,
          backend,
        }
      } catch (error) {
        const e = error as { name?: string; code?: string; message?: string }
        throw new Error(JSON.stringify({ name: e.name, code: e.code, message: e.message }))
      }
    },
    { engineUrl: session.engineUrl, dir, options },
  )
}
