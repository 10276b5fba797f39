/**
 * Serves the built client (dist/client) from the Node server: assets, and one HTML page per
 * route. The upload page is cross-origin isolated because ffmpeg.wasm may use SharedArrayBuffer.
 * @module
 */
import { existsSync } from 'node:fs'
import { join, relative } from 'node:path'
import { serveStatic } from '@hono/node-server/serve-static'
import type { Hono } from 'hono'
import { secureHeaders } from 'hono/secure-headers'
import type { AppEnv } from './env.ts'

const ISOLATED = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
}

/** Page routes and the HTML file each is served from. */
export const PAGE_ROUTES: [string, string][] = [
  ['/', 'index.html'],
  ['/movies/:id', 'movie.html'],
  ['/upload', 'upload.html'],
  ['/admin', 'admin.html'],
  ['/admin/*', 'admin.html'],
]

export function mountClient(app: Hono<AppEnv>, clientDir: string): void {
  if (!existsSync(join(clientDir, 'index.html'))) {
    console.warn(`No built client in ${clientDir}: run \`npm run build\`. The API still works.`)
  }
  const root = relative(process.cwd(), clientDir) || '.'
  const headers = secureHeaders({
    crossOriginEmbedderPolicy: false,
    crossOriginOpenerPolicy: false,
    crossOriginResourcePolicy: 'same-origin',
    referrerPolicy: 'strict-origin-when-cross-origin',
  })
  app.use('/upload', async (c, next) => {
    await next()
    for (const [k, v] of Object.entries(ISOLATED)) c.header(k, v)
  })
  for (const [route, file] of PAGE_ROUTES) {
    app.get(route, headers, serveStatic({ root, path: file }))
  }
  app.use(
    '/*',
    headers,
    serveStatic({
      root,
      onFound: (path, c) => {
        // Vite fingerprints everything under assets/, so a name never changes meaning.
        if (path.includes('/assets/')) c.header('Cache-Control', 'public, max-age=31536000, immutable')
      },
    }),
  )
}
