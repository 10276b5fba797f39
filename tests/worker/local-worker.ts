/**
 * The Worker under local wrangler (workerd, local R2 and D1 persisted to a temp dir), on a random
 * 127.0.0.1 port, for the shared HTTP suite and the benchmark. Migrations are applied and the
 * first admin is created through the same commands a user runs (`wrangler d1 migrations apply`,
 * `npm run createsuperuser:worker`).
 * @module
 */
import { type ChildProcess, execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { freePort } from '../../bench/lib.ts'
import { spawnWrangler, stopGroup, wrangler } from '../../scripts/wrangler.ts'

const run = promisify(execFile)

export interface LocalWorker {
  url: string
  dir: string
  proc: ChildProcess
  /** Output so far, for failure messages. */
  log: () => string
  stop: () => Promise<void>
}

/** A stand-in for the Vite build, so the Worker's page routing is testable without building. */
export const FAKE_PAGES = ['index', 'movie', 'upload', 'admin'] as const

export async function startLocalWorker(
  opts: { admin?: { username: string; password: string } } = {},
): Promise<LocalWorker> {
  const dir = await mkdtemp(join(tmpdir(), 'adh-worker-'))
  const persist = join(dir, 'state')
  const assets = join(dir, 'assets')
  await mkdir(assets, { recursive: true })
  for (const page of FAKE_PAGES)
    await writeFile(join(assets, `${page}.html`), `<!doctype html><title>${page}</title>`)
  await writeFile(
    join(assets, '_headers'),
    '/upload\n  Cross-Origin-Opener-Policy: same-origin\n  Cross-Origin-Embedder-Policy: require-corp\n',
  )

  await wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persist])
  if (opts.admin) {
    await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/createsuperuser-worker.ts',
        '--username',
        opts.admin.username,
        '--password',
        opts.admin.password,
        '--persist-to',
        persist,
      ],
      { env: process.env },
    )
  }

  const port = await freePort()
  const proc = spawnWrangler(
    [
      'dev',
      '--local',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--inspector-port',
      String(await freePort()),
      '--persist-to',
      persist,
      '--assets',
      assets,
      '--show-interactive-dev-session=false',
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  )
  let output = ''
  proc.stdout?.on('data', (d) => {
    output += d
  })
  proc.stderr?.on('data', (d) => {
    output += d
  })
  const url = `http://127.0.0.1:${port}`
  const stop = async () => {
    stopGroup(proc)
    await new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve()
      const timer = setTimeout(() => {
        stopGroup(proc, 'SIGKILL')
        resolve()
      }, 5000)
      proc.once('exit', () => {
        clearTimeout(timer)
        resolve()
      })
    })
    await rm(dir, { recursive: true, force: true })
  }
  try {
    for (let i = 0; ; i++) {
      if (proc.exitCode !== null) throw new Error(`wrangler dev exited with ${proc.exitCode}`)
      if (i > 600) throw new Error('the Worker did not answer /api/health within 60 s')
      try {
        if ((await fetch(`${url}/api/health`)).ok) break
      } catch {}
      await new Promise((r) => setTimeout(r, 100))
    }
  } catch (err) {
    await stop()
    throw new Error(`${(err as Error).message}\n${output}`)
  }
  return { url, dir, proc, log: () => output, stop }
}
