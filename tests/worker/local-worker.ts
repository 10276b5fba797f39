/**
 * The Worker under local wrangler (workerd, local R2 and D1 persisted to a temp dir), on a random
 * 127.0.0.1 port, for the shared HTTP suite and the benchmark. Migrations are applied and the
 * first admin is created through the same commands a user runs (`wrangler d1 migrations apply`,
 * `npm run createsuperuser:worker`).
 *
 * The Worker is bundled once, as `wrangler deploy` would bundle it, and `wrangler dev` runs that
 * bundle: left to bundle itself, it would watch server/ and rebuild mid-test whenever someone saves
 * a file, holding requests while it does.
 * @module
 */
import { type ChildProcess, execFile } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { freePort } from '../../bench/lib.ts'
import { spawnWrangler, stopGroup, wrangler } from '../../scripts/wrangler.ts'
import { workersHeaders } from '../../server/pages.ts'

const run = promisify(execFile)

export interface LocalWorker {
  url: string
  dir: string
  /** The bundle wrangler built, as it would deploy it. */
  bundle: string
  proc: ChildProcess
  /** Output so far, for failure messages. */
  log: () => string
  stop: () => Promise<void>
}

/** A stand-in for the Vite build, so the Worker's page routing is testable without building. */
export const FAKE_PAGES = ['index', 'movie', 'upload', 'admin'] as const

export interface StartOptions {
  /** Created with `npm run createsuperuser:worker` before the Worker starts. */
  admin?: { username: string; password: string }
  /** Runs after migrations and the admin, before `wrangler dev`, with what wrangler commands need. */
  beforeStart?: (where: { config: string; persist: string }) => Promise<void>
}

export async function startLocalWorker(opts: StartOptions = {}): Promise<LocalWorker> {
  const dir = await mkdtemp(join(tmpdir(), 'adh-worker-'))
  const persist = join(dir, 'state')
  const assets = join(dir, 'assets')
  await mkdir(assets, { recursive: true })
  for (const page of FAKE_PAGES)
    await writeFile(join(assets, `${page}.html`), `<!doctype html><title>${page}</title>`)
  // The same file the client build gets (vite.config.ts).
  await writeFile(join(assets, '_headers'), workersHeaders())

  const bundleDir = join(dir, 'bundle')
  await wrangler(['deploy', '--dry-run', '--outdir', bundleDir, '--assets', assets])
  const main = (await readdir(bundleDir)).find((f) => f.endsWith('.js'))
  if (!main) throw new Error(`wrangler built no .js file into ${bundleDir}`)
  const config = join(dir, 'wrangler.toml')
  await writeFile(config, await bundleConfig(join(bundleDir, main), assets))

  await wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persist, '--config', config])
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
        '--config',
        config,
      ],
      { env: process.env },
    )
  }

  await opts.beforeStart?.({ config, persist })

  const port = await freePort()
  const proc = spawnWrangler(
    [
      'dev',
      '--config',
      config,
      '--local',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--inspector-port',
      String(await freePort()),
      '--persist-to',
      persist,
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
  // wrangler runs in its own process group: if this process dies first, take workerd with it.
  const onExit = () => stopGroup(proc, 'SIGKILL')
  process.once('exit', onExit)
  const url = `http://127.0.0.1:${port}`
  const stop = async () => {
    process.off('exit', onExit)
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
  return { url, dir, bundle: join(bundleDir, main), proc, log: () => output, stop }
}

/** wrangler.toml with the bundle as an unbundled main, and absolute paths (it lives in a temp dir). */
async function bundleConfig(main: string, assets: string): Promise<string> {
  const toml = await readFile(resolve('wrangler.toml'), 'utf8')
  const replaced = toml
    .replace(/^main = .*$/m, `main = ${JSON.stringify(main)}\nno_bundle = true`)
    .replace(/^directory = .*$/m, `directory = ${JSON.stringify(assets)}`)
    .replace(/^migrations_dir = .*$/m, `migrations_dir = ${JSON.stringify(resolve('db/migrations'))}`)
  for (const key of ['no_bundle', 'directory', 'migrations_dir']) {
    if (!replaced.includes(`${key} = `))
      throw new Error(`wrangler.toml has no ${key} line to point at the test's copy`)
  }
  return replaced
}
