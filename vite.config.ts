import { createReadStream } from 'node:fs'
import { copyFile, mkdir, stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { defineConfig, type Plugin } from 'vite'
import { CROSS_ORIGIN_ISOLATION, SAME_ORIGIN_RESOURCE, workersHeaders } from './server/pages.ts'

const root = resolve(import.meta.dirname, 'client')

/** One HTML entry per page; the Node server maps routes to them (server/static.node.ts). */
export const PAGES = {
  index: resolve(root, 'index.html'),
  movie: resolve(root, 'movie.html'),
  upload: resolve(root, 'upload.html'),
  admin: resolve(root, 'admin.html'),
  embed: resolve(root, 'embed.html'),
  series: resolve(root, 'series.html'),
  list: resolve(root, 'list.html'),
  signup: resolve(root, 'signup.html'),
}

/**
 * The head every page shares, written into each HTML entry at build and in dev, so the entries
 * hold only their title and script and no copy of the rest drifts.
 */
function commonHead(): Plugin {
  const meta = (attrs: Record<string, string>) => ({ tag: 'meta', attrs, injectTo: 'head-prepend' as const })
  return {
    name: 'adh-common-head',
    transformIndexHtml: {
      order: 'pre',
      handler: () => [
        meta({ charset: 'utf-8' }),
        meta({ name: 'viewport', content: 'width=device-width, initial-scale=1, viewport-fit=cover' }),
        meta({ name: 'color-scheme', content: 'dark' }),
        meta({ name: 'theme-color', content: '#0c0e13' }),
        meta({
          name: 'description',
          content: 'anime-die-heart: a self-hosted video catalog that streams with adaptive bitrate.',
        }),
        {
          tag: 'link',
          attrs: { rel: 'icon', href: '/favicon.svg', type: 'image/svg+xml' },
          injectTo: 'head',
        },
        // No inline <style> against a white flash before the stylesheet: the pages' CSP refuses
        // inline styles, and color-scheme (above) already paints a dark page from the start.
      ],
    },
  }
}

/** URL path (under the site base) where the ffmpeg.wasm cores are served, and their source packages. */
const FFMPEG_CORES = {
  core: { pkg: '@ffmpeg/core', files: ['ffmpeg-core.js', 'ffmpeg-core.wasm'] },
  'core-mt': {
    pkg: '@ffmpeg/core-mt',
    files: ['ffmpeg-core.js', 'ffmpeg-core.wasm', 'ffmpeg-core.worker.js'],
  },
} as const

/** The dev and preview servers isolate everything they serve: simpler than matching paths, and same-origin. */
const ISOLATED = { ...CROSS_ORIGIN_ISOLATION, ...SAME_ORIGIN_RESOURCE }

function coreSource(variant: keyof typeof FFMPEG_CORES, file: string): string {
  return resolve(import.meta.dirname, 'node_modules', FFMPEG_CORES[variant].pkg, 'dist/esm', file)
}

/**
 * Serves the ffmpeg.wasm cores from our own origin at /ffmpeg/<variant>/ in dev and preview, and copies
 * them to dist/client/ffmpeg/<variant>/ on build. They are copied, not bundled: the core is loaded with
 * a runtime `import()` inside the encoder worker and fetches its wasm by URL, and a 32 MB file has no
 * business going through the bundler.
 */
function ffmpegCores(): Plugin {
  let outDir = ''
  const middleware = (req: { url?: string }, res: import('node:http').ServerResponse, next: () => void) => {
    const match = /^\/ffmpeg\/(core|core-mt)\/([\w.-]+)$/.exec((req.url ?? '').split('?')[0] ?? '')
    const variant = match?.[1] as keyof typeof FFMPEG_CORES | undefined
    const file = match?.[2]
    if (!variant || !file || !(FFMPEG_CORES[variant].files as readonly string[]).includes(file)) return next()
    const path = coreSource(variant, file)
    stat(path).then(
      (s) => {
        res.writeHead(200, {
          'Content-Type': file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript',
          'Content-Length': String(s.size),
          'Cache-Control': 'public, max-age=3600',
          ...ISOLATED,
        })
        createReadStream(path).pipe(res)
      },
      () => next(),
    )
  }
  return {
    name: 'ffmpeg-cores',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir)
    },
    configureServer(server) {
      server.middlewares.use(middleware)
    },
    configurePreviewServer(server) {
      server.middlewares.use(middleware)
    },
    async writeBundle() {
      for (const [variant, { files }] of Object.entries(FFMPEG_CORES)) {
        const dir = resolve(outDir, 'ffmpeg', variant)
        await mkdir(dir, { recursive: true })
        for (const file of files) {
          await copyFile(coreSource(variant as keyof typeof FFMPEG_CORES, file), resolve(dir, file))
        }
      }
    },
  }
}

/** The API reference UI at /api/docs loads this from our own origin, never from a CDN. */
export const SCALAR_URL = '/vendor/scalar-api-reference.js'
const SCALAR_SOURCE = resolve(
  import.meta.dirname,
  'node_modules/@scalar/api-reference/dist/browser/standalone.js',
)

function scalarBundle(): Plugin {
  let outDir = ''
  return {
    name: 'scalar-bundle',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir)
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        if ((req.url ?? '').split('?')[0] !== SCALAR_URL) return next()
        res.writeHead(200, { 'Content-Type': 'text/javascript' })
        createReadStream(SCALAR_SOURCE).pipe(res)
      })
    },
    async writeBundle() {
      await mkdir(resolve(outDir, 'vendor'), { recursive: true })
      await copyFile(SCALAR_SOURCE, resolve(outDir, SCALAR_URL.slice(1)))
    },
  }
}

/**
 * The Workers static-assets `_headers` file, written into the build from server/pages.ts, so the
 * Worker serves pages and cores with the same headers as the Node server and no copy drifts.
 */
function workersHeadersFile(): Plugin {
  return {
    name: 'workers-headers',
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: '_headers', source: workersHeaders() })
    },
  }
}

export default defineConfig({
  root,
  publicDir: resolve(root, 'public'),
  plugins: [commonHead(), ffmpegCores(), scalarBundle(), workersHeadersFile()],
  build: {
    outDir: resolve(import.meta.dirname, 'dist/client'),
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: { input: PAGES },
  },
  worker: { format: 'es' },
  // Pre-bundled up front so the dev server never reloads a page mid-encode on discovering it.
  optimizeDeps: { include: ['fast-xml-parser'] },
  server: {
    port: 5173,
    proxy: {
      '/api': 'http://127.0.0.1:3000',
      '/media': 'http://127.0.0.1:3000',
    },
    headers: ISOLATED,
  },
  preview: { headers: ISOLATED },
})
