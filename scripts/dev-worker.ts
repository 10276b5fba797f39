/**
 * `npm run dev:worker`: the Cloudflare Worker locally under wrangler, with local R2 and D1
 * (persisted in .wrangler/state, or --persist-to DIR): builds the client, applies the migrations,
 * puts the ffmpeg cores into the local bucket, then runs `wrangler dev` on 127.0.0.1:8787.
 *
 *   npm run dev:worker                      # then: npm run createsuperuser:worker -- --username … --password …
 *   npm run dev:worker -- --port 8788 --no-build
 * @module
 */
import { execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { uploadCores } from './ffmpeg-cores.ts'
import { spawnWrangler, stopGroup, wrangler } from './wrangler.ts'

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8787' },
    'persist-to': { type: 'string', default: '.wrangler/state' },
    'no-build': { type: 'boolean', default: false },
  },
})

async function main() {
  const persist = ['--persist-to', values['persist-to']]
  if (!values['no-build']) {
    console.log('Building the client…')
    const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin/vite.js')
    execFileSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { stdio: 'inherit' })
  }
  console.log('Applying migrations to the local D1 database…')
  await wrangler(['d1', 'migrations', 'apply', 'DB', '--local', ...persist])
  console.log('Putting the ffmpeg cores into the local bucket…')
  await uploadCores({ clientDir: 'dist/client', where: ['--local', ...persist] })

  const proc = spawnWrangler(['dev', '--local', '--ip', '127.0.0.1', '--port', values.port, ...persist], {
    stdio: 'inherit',
    // In the foreground group, so Ctrl-C and wrangler's own keys reach it.
    detached: false,
  })
  const stop = () => stopGroup(proc)
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  proc.on('exit', (code) => process.exit(code ?? 0))
}

main().catch((err) => {
  console.error(`Error: ${(err as Error).message}`)
  process.exit(1)
})
