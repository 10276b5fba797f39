/**
 * The Node server behind a reverse proxy: the client address and scheme come from the proxy's
 * headers only as far as TRUST_PROXY trusts them, and a server that sees proxy headers without
 * trusting them says so.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSuperuser, freePort } from '../../bench/lib.ts'
import { forwardedAddress } from '../../server/lib/forwarded.ts'

describe('forwardedAddress', () => {
  it('takes the address the nearest trusted proxy saw, never what the client wrote before it', () => {
    // The client wrote "1.1.1.1"; nginx appended the address it saw.
    expect(forwardedAddress('1.1.1.1, 203.0.113.7', 1)).toBe('203.0.113.7')
    // CDN then nginx: the CDN appended the client, nginx appended the CDN.
    expect(forwardedAddress('1.1.1.1, 203.0.113.7, 198.51.100.2', 2)).toBe('203.0.113.7')
    expect(forwardedAddress(' 203.0.113.7 ', 1)).toBe('203.0.113.7')
    expect(forwardedAddress(undefined, 1)).toBeUndefined()
    expect(forwardedAddress('', 1)).toBeUndefined()
  })
})

const dirs: string[] = []
const procs: ChildProcess[] = []
afterAll(() => {
  for (const p of procs) p.kill()
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

const admin = { username: 'proxy-admin', password: 'proxy-admin-password' }

/** The Node entry with `env`, its stderr collected; resolves once /api/health answers. */
async function start(env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'adh-proxy-'))
  dirs.push(dir)
  // One process: each process says its start-up warnings once, and this suite counts them.
  const base = {
    DATABASE_URL: `file:${join(dir, 'app.db')}`,
    MEDIA_DIR: join(dir, 'media'),
    CLIENT_DIR: dir,
    WEB_CONCURRENCY: '1',
  }
  await createSuperuser(base, admin)
  const port = await freePort()
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/entry.node.ts'], {
    env: { ...process.env, ...base, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  procs.push(proc)
  let stderr = ''
  proc.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  let stdout = ''
  proc.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
  })
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; i < 200; i++) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}: ${stderr}`)
    if (
      await fetch(`${url}/api/health`)
        .then((r) => r.ok)
        .catch(() => false)
    )
      break
    await new Promise((r) => setTimeout(r, 100))
  }
  return { url, output: () => stdout + stderr }
}

const login = (url: string, password: string, headers: Record<string, string>) =>
  fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ username: admin.username, password }),
  })

describe('behind a trusted proxy (TRUST_PROXY=1)', () => {
  let url: string
  beforeAll(async () => {
    ;({ url } = await start({ TRUST_PROXY: '1' }))
  }, 60_000)

  it('limits guesses by the address the proxy saw, whatever the client puts first in X-Forwarded-For', async () => {
    const statuses: number[] = []
    for (let i = 0; i < 11; i++) {
      const res = await login(url, `wrong-guess-${i}`, { 'x-forwarded-for': `10.9.${i}.1, 203.0.113.50` })
      statuses.push(res.status)
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401))
    expect(statuses[10]).toBe(429)
    // Someone else behind the same proxy is not held back.
    const other = await login(url, admin.password, { 'x-forwarded-for': '203.0.113.51' })
    expect(other.status).toBe(200)
  })

  it('takes HTTPS from X-Forwarded-Proto: the cookie is __Host- prefixed and Secure', async () => {
    const res = await login(url, admin.password, {
      'x-forwarded-for': '203.0.113.52',
      'x-forwarded-proto': 'https',
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('set-cookie')).toMatch(/^__Host-adh_session=.*; Secure/)
  })
})

describe('reached directly (TRUST_PROXY=false)', () => {
  let server: Awaited<ReturnType<typeof start>>
  beforeAll(async () => {
    server = await start({ TRUST_PROXY: 'false' })
  }, 60_000)

  it('ignores X-Forwarded-Proto from the client: the cookie is not Secure on plain HTTP', async () => {
    const res = await login(server.url, admin.password, { 'x-forwarded-proto': 'https' })
    expect(res.status).toBe(200)
    expect(res.headers.get('set-cookie')).toMatch(/^adh_session=/)
    expect(res.headers.get('set-cookie')).not.toMatch(/Secure/)
  })

  it('warns once when requests carry proxy headers it does not trust', async () => {
    expect(server.output()).not.toMatch(/X-Forwarded-For/)
    await fetch(`${server.url}/api/health`, { headers: { 'x-forwarded-for': '198.51.100.9' } })
    await fetch(`${server.url}/api/health`, { headers: { 'x-forwarded-for': '198.51.100.9' } })
    await expect.poll(() => server.output()).toMatch(/proxy headers \(X-Forwarded-For\).*TRUST_PROXY/s)
    expect(server.output().match(/proxy headers \(X-Forwarded-For\)/g)).toHaveLength(1)
  })
})
