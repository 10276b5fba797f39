/**
 * `npm run dev`: the API server (restarted by tsx on every server change) and the Vite dev server
 * (hot reload for the pages), wired together. Open the Vite URL; /api and /media go to the API.
 *
 * Env: PORT (API, default 3000), VITE_PORT (default 5173), and everything server/entry.node.ts reads.
 * @module
 */
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { createServer, type Plugin } from 'vite'
import { pageFile } from '../server/pages.ts'

const root = resolve(import.meta.dirname, '..')
const apiPort = Number(process.env.PORT ?? 3000)
const vitePort = Number(process.env.VITE_PORT ?? 5173)
const api = `http://127.0.0.1:${apiPort}`

/** The Node server maps /movies/:id to movie.html and so on; the dev server needs the same map. */
function pageRoutes(): Plugin {
  return {
    name: 'adh-page-routes',
    configureServer(server) {
      server.middlewares.use((req, _res, next) => {
        const [path, query] = (req.url ?? '/').split('?')
        const file = pageFile(path ?? '/')
        if (file && path !== '/') req.url = `/${file}${query ? `?${query}` : ''}`
        next()
      })
    },
  }
}

const tsxCli = createRequire(import.meta.url).resolve('tsx/cli')
const server = spawn(process.execPath, [tsxCli, 'watch', '--clear-screen=false', 'server/entry.node.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, PORT: String(apiPort) },
})

const vite = await createServer({
  configFile: resolve(root, 'vite.config.ts'),
  plugins: [pageRoutes()],
  server: {
    port: vitePort,
    strictPort: true,
    host: '127.0.0.1',
    proxy: { '/api': api, '/media': api },
  },
})
await vite.listen()
console.log(`\n  Pages (hot reload): http://127.0.0.1:${vitePort}/\n  API:                ${api}/api/docs\n`)

let stopping = false
function stop() {
  if (stopping) return
  stopping = true
  server.kill('SIGTERM')
  void vite.close().then(() => process.exit(0))
}
process.on('SIGINT', stop)
process.on('SIGTERM', stop)
server.on('exit', (code) => {
  if (!stopping) {
    console.error(`API server exited (${code}); stopping.`)
    stop()
  }
})
