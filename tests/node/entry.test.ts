import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, describe, expect, it } from 'vitest'
import { freePort } from '../../bench/lib.ts'

const run = promisify(execFile)
/** Tests that start the server or the scripts as processes: each loads TypeScript first. */
const SPAWNS = 120_000
const dirs: string[] = []
const procs: ChildProcess[] = []
afterAll(() => {
  for (const p of procs) p.kill()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

function tempDir() {
  const d = mkdtempSync(join(tmpdir(), 'adh-entry-'))
  dirs.push(d)
  return d
}

const tsx = (script: string, args: string[], env: Record<string, string>) =>
  run(process.execPath, ['--import', 'tsx', script, ...args], {
    env: { ...process.env, ...env },
    cwd: process.cwd(),
  })

async function waitHealthy(url: string, proc: ChildProcess) {
  // Up to a minute: a busy 2-core machine takes that long to load the server's modules.
  for (let i = 0; i < 600; i++) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}`)
    try {
      const res = await fetch(`${url}/api/health`)
      if (res.ok) return res
    } catch {}
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error('server did not answer /api/health')
}

describe('the Node server', () => {
  it(
    'creates and migrates its database on a first start in an empty folder, then serves the API',
    async () => {
      const dir = tempDir()
      const dbFile = join(dir, 'nested', 'app.db')
      const port = await freePort()
      const proc = spawn(process.execPath, ['--import', 'tsx', 'server/entry.node.ts'], {
        env: {
          ...process.env,
          PORT: String(port),
          DATABASE_URL: `file:${dbFile}`,
          MEDIA_DIR: join(dir, 'media'),
          CLIENT_DIR: join(dir, 'no-client'),
        },
        stdio: 'pipe',
      })
      procs.push(proc)
      const url = `http://127.0.0.1:${port}`
      const health = await waitHealthy(url, proc)
      expect(await health.json()).toEqual({ status: 'ok' })
      expect(existsSync(dbFile)).toBe(true)
      const list = await fetch(`${url}/api/movies`)
      expect(await list.json()).toEqual({ items: [], nextCursor: null })
      const missing = await fetch(`${url}/api/does-not-exist`)
      expect(missing.status).toBe(404)
      expect(missing.headers.get('content-type')).toBe('application/problem+json')
      proc.kill('SIGTERM')
    },
    SPAWNS,
  )

  it('refuses to start on a bad setting and names it', async () => {
    const err = await tsx('server/entry.node.ts', [], { PORT: 'eighty', DATABASE_URL: 'postgres://x' }).catch(
      (e) => e,
    )
    expect(err.code).toBe(2)
    expect(err.stderr).toMatch(/PORT/)
    expect(err.stderr).toMatch(/DATABASE_URL: expected file:PATH/)
    expect(err.stderr).not.toMatch(/at .*\.ts:\d+/)
  })
})

describe('npm run createsuperuser', () => {
  it(
    'creates an admin non-interactively who can then sign in',
    async () => {
      const dir = tempDir()
      const env = { DATABASE_URL: `file:${join(dir, 'app.db')}` }
      const out = await tsx(
        'scripts/createsuperuser.ts',
        ['--username', 'boss', '--password', 'boss-password-1'],
        env,
      )
      expect(out.stdout).toMatch(/Superuser "boss" created/)

      const again = await tsx(
        'scripts/createsuperuser.ts',
        ['--username', 'boss', '--password', 'x-other-pass'],
        env,
      ).catch((e) => e)
      expect(again.code).toBe(1)
      expect(again.stderr).toMatch(/taken/)

      const short = await tsx(
        'scripts/createsuperuser.ts',
        ['--username', 'boss2', '--password', 'short'],
        env,
      ).catch((e) => e)
      expect(short.code).toBe(1)
      expect(short.stderr).toMatch(/8 to 1024 characters/)

      const port = await freePort()
      const proc = spawn(process.execPath, ['--import', 'tsx', 'server/entry.node.ts'], {
        env: { ...process.env, ...env, PORT: String(port), MEDIA_DIR: join(dir, 'media'), CLIENT_DIR: dir },
        stdio: 'pipe',
      })
      procs.push(proc)
      const url = `http://127.0.0.1:${port}`
      await waitHealthy(url, proc)
      const login = await fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'boss', password: 'boss-password-1' }),
      })
      expect(login.status).toBe(200)
      expect(await login.json()).toMatchObject({ user: { username: 'boss', role: 'admin' } })
      proc.kill('SIGTERM')
    },
    SPAWNS,
  )

  it(
    'asks for the password when run without one and no terminal is attached',
    async () => {
      const dir = tempDir()
      const err = await tsx('scripts/createsuperuser.ts', ['--username', 'x-user'], {
        DATABASE_URL: `file:${join(dir, 'app.db')}`,
      }).catch((e) => e)
      expect(err.code).toBe(1)
      expect(err.stderr).toMatch(/--password/)
    },
    SPAWNS,
  )
})

describe('npm run postman', () => {
  it(
    'writes a Postman collection with every API route',
    async () => {
      const dir = tempDir()
      const out = join(dir, 'collection.json')
      await tsx('scripts/postman.ts', ['--out', out], {})
      const { readFileSync } = await import('node:fs')
      const collection = JSON.parse(readFileSync(out, 'utf8'))
      expect(collection.info.schema).toMatch(/collection\/v2\.1\.0/)
      const names = JSON.stringify(collection.item)
      expect(names).toContain('Sign in')
      expect(names).toContain('List movies')
      expect(collection.variable).toContainEqual(expect.objectContaining({ key: 'baseUrl' }))
    },
    SPAWNS,
  )
})
