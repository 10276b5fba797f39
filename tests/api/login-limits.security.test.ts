/**
 * The sign-in limiter under attack: a burst of parallel guesses, many usernames from one address,
 * many addresses at once, two app instances on one database (two processes, two Workers isolates),
 * and a flood of anonymous sign-ins against a small pool of password-hashing slots.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { createApp } from '../../server/app.ts'
import type { PasswordHasher } from '../../server/auth/password.ts'
import { json, makeTestApp, type TestApp, testHasher } from '../support/app.ts'

/** A hasher whose verifications wait at a gate, so a test can have many sign-ins in flight at once. */
function gatedHasher() {
  let open!: () => void
  const gate = new Promise<void>((resolve) => {
    open = resolve
  })
  let waiting = 0
  let arrived: () => void = () => {}
  const hasher: PasswordHasher = {
    hash: (password) => testHasher.hash(password),
    async verify(password, stored) {
      waiting++
      arrived()
      await gate
      return testHasher.verify(password, stored)
    },
  }
  return {
    hasher,
    open,
    /** Resolves once `n` verifications wait at the gate. */
    waitFor: (n: number) =>
      new Promise<void>((resolve) => {
        arrived = () => waiting >= n && resolve()
        arrived()
      }),
  }
}

const apps: TestApp[] = []
afterAll(async () => {
  for (const a of apps) await a.close()
})

async function app(opts: Parameters<typeof makeTestApp>[0]) {
  const a = await makeTestApp({ clientIp: (c) => c.req.header('x-test-ip') ?? '10.0.0.1', ...opts })
  apps.push(a)
  return a
}

const loginOn = async (
  a: { request: TestApp['app']['request'] },
  username: string,
  password: string,
  ip = '10.0.0.1',
): Promise<Response> =>
  a.request('/api/auth/login', { method: 'POST', ...json({ username, password }, { 'x-test-ip': ip }) })

describe('the sign-in limiter', () => {
  it('counts a guess before checking it: of a parallel burst, only the allowed number is checked', async () => {
    const gate = gatedHasher()
    const a = await app({
      passwords: gate.hasher,
      config: { loginMaxAttempts: 3, passwordHashConcurrency: 100 },
    })
    const u = await a.createUser()
    const burst = Array.from({ length: 12 }, (_, i) => loginOn(a.app, u.username, `wrong-guess-${i}`))
    await gate.waitFor(3)
    gate.open()
    const statuses = (await Promise.all(burst)).map((r) => r.status).sort()
    expect(statuses.filter((s) => s === 401)).toHaveLength(3)
    expect(statuses.filter((s) => s === 429)).toHaveLength(9)
  })

  it('limits one address across usernames', async () => {
    const a = await app({ config: { loginMaxAttempts: 100, loginMaxPerAddress: 5 } })
    const u = await a.createUser()
    for (let i = 0; i < 5; i++) expect((await loginOn(a.app, `nobody-${i}`, 'guess-guess')).status).toBe(401)
    expect((await loginOn(a.app, `nobody-x`, 'guess-guess')).status).toBe(429)
    // Even the right password waits: the address is out of attempts.
    expect((await loginOn(a.app, u.username, u.password)).status).toBe(429)
    // Another address is not held back by this one.
    expect((await loginOn(a.app, u.username, u.password, '10.0.0.2')).status).toBe(200)
  })

  it('keeps a global failure budget against guesses spread over many addresses', async () => {
    const a = await app({ config: { loginMaxAttempts: 100, loginMaxPerAddress: 100, loginMaxGlobal: 6 } })
    const u = await a.createUser()
    for (let i = 0; i < 6; i++)
      expect((await loginOn(a.app, u.username, 'guess-guess', `192.0.2.${i}`)).status).toBe(401)
    const next = await loginOn(a.app, u.username, 'guess-guess', '192.0.2.99')
    expect(next.status).toBe(429)
    expect(Number(next.headers.get('retry-after'))).toBeGreaterThan(0)
  })

  it('successful sign-ins do not use up the budgets', async () => {
    const a = await app({ config: { loginMaxAttempts: 2, loginMaxPerAddress: 2, loginMaxGlobal: 2 } })
    const u = await a.createUser()
    for (let i = 0; i < 6; i++) expect((await loginOn(a.app, u.username, u.password)).status).toBe(200)
  })

  it('holds across two app instances on one database, as across processes or isolates', async () => {
    const a = await app({ config: { loginMaxAttempts: 4 } })
    const twin = createApp(a.deps)
    const u = await a.createUser()
    for (let i = 0; i < 4; i++) {
      const on = i % 2 === 0 ? a.app : twin
      expect((await loginOn(on, u.username, `wrong-${i}`)).status).toBe(401)
    }
    expect((await loginOn(a.app, u.username, u.password)).status).toBe(429)
    expect((await loginOn(twin, u.username, u.password)).status).toBe(429)
  })
})

describe('password hashing', () => {
  it('runs a bounded number at once; past a short queue, sign-ins get a 503 with Retry-After', async () => {
    const gate = gatedHasher()
    const a = await app({
      passwords: gate.hasher,
      config: { passwordHashConcurrency: 2, passwordHashQueue: 2, loginMaxPerAddress: 100 },
    })
    const u = await a.createUser()
    // Two hash, two wait in the queue; the other six cannot be queued and are answered at once,
    // while the gate still holds the first two.
    const refused: Response[] = []
    let allRefused: () => void = () => {}
    const sixRefused = new Promise<void>((resolve) => {
      allRefused = resolve
    })
    let opened = false
    const tooMany = gate.waitFor(3).then(() => {
      if (!opened) throw new Error('more than two hashes ran at once')
    })
    const attempts = Array.from({ length: 10 }, (_, i) =>
      loginOn(a.app, u.username, `guess-${i}`, `10.1.0.${i}`).then((r) => {
        if (r.status === 503) refused.push(r)
        if (refused.length === 6) allRefused()
        return r
      }),
    )
    await Promise.race([sixRefused, tooMany])
    opened = true
    for (const r of refused) {
      expect(r.headers.get('content-type')).toBe('application/problem+json')
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0)
    }
    gate.open()
    const statuses = (await Promise.all(attempts)).map((r) => r.status)
    expect(statuses.filter((s) => s === 401)).toHaveLength(4)
    // With the queue drained, sign-ins are served again.
    expect((await loginOn(a.app, u.username, u.password, '10.1.0.99')).status).toBe(200)
  })
})
