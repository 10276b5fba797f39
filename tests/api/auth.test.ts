import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { json, makeTestApp, type TestApp, type TestUser } from '../support/app.ts'

let t: TestApp
let admin: TestUser
let uma: TestUser

beforeAll(async () => {
  t = await makeTestApp({ config: { loginMaxAttempts: 3 } })
  admin = await t.createUser('root', 'admin')
  uma = await t.createUser('uma', 'uploader')
})
afterAll(() => t.close())

const login = (username: string, password: string, headers: Record<string, string> = {}) =>
  t.app.request('/api/auth/login', { method: 'POST', ...json({ username, password }, headers) })

describe('sign in and out', () => {
  it('sets an HttpOnly, SameSite=Lax session cookie and knows who signed in', async () => {
    const res = await login('uma', uma.password)
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ user: { username: 'uma', role: 'uploader', active: true } })
    const cookie = res.headers.get('set-cookie') ?? ''
    expect(cookie).toMatch(/^adh_session=[A-Za-z0-9]{43};/)
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/SameSite=Lax/)
    // app.request() uses http://localhost, where Secure would stop browsers storing the cookie.
    expect(cookie).not.toMatch(/Secure/)

    const me = await t.app.request('/api/auth/me', { headers: { cookie: cookie.split(';')[0]! } })
    expect(me.status).toBe(200)
    expect(await me.json()).toMatchObject({ user: { id: uma.id, username: 'uma' } })
  })

  it('marks the cookie Secure when served on a real host name', async () => {
    const res = await t.app.request('https://video.example/api/auth/login', {
      method: 'POST',
      ...json({ username: 'uma', password: uma.password }),
    })
    expect(res.headers.get('set-cookie')).toMatch(/Secure/)
  })

  it('fails a wrong password without saying which part was wrong', async () => {
    const wrongPassword = await login('root', 'not-the-password')
    const unknownUser = await login('nobody-here', 'not-the-password')
    expect(wrongPassword.status).toBe(401)
    expect(unknownUser.status).toBe(401)
    // Each problem names its own request (`instance`); everything else must be the same.
    const { instance: ia, ...a } = (await wrongPassword.json()) as {
      detail: string
      type: string
      instance: string
    }
    const { instance: ib, ...b } = (await unknownUser.json()) as {
      detail: string
      type: string
      instance: string
    }
    expect(ia).not.toBe(ib)
    expect(a).toEqual(b)
    expect(a.detail).toBe('The username or password is wrong.')
    expect(wrongPassword.headers.get('set-cookie')).toBeNull()
  })

  it('logs out: the old cookie stops working', async () => {
    const cookie = await t.login('uma', uma.password)
    const out = await t.app.request('/api/auth/logout', {
      method: 'POST',
      headers: { cookie, origin: 'http://localhost' },
    })
    expect(out.status).toBe(204)
    const me = await t.app.request('/api/auth/me', { headers: { cookie } })
    expect(me.status).toBe(401)
  })

  it('rate-limits failed sign-ins per username, then lets the right password through later', async () => {
    const victim = await t.createUser('limited', 'uploader')
    for (let i = 0; i < 3; i++) expect((await login('limited', 'wrong-password')).status).toBe(401)
    const blocked = await login('limited', victim.password)
    expect(blocked.status).toBe(429)
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(blocked.headers.get('content-type')).toBe('application/problem+json')
    // Another account is not punished for this one's failures.
    expect((await login('uma', uma.password)).status).toBe(200)
  })

  it('unblocks after the window passes', async () => {
    let clock = Date.now()
    const timed = await makeTestApp({
      config: { loginMaxAttempts: 2, loginWindowMs: 60_000 },
      now: () => clock,
    })
    try {
      const u = await timed.createUser('tim')
      const attempt = (password: string) =>
        timed.app.request('/api/auth/login', { method: 'POST', ...json({ username: 'tim', password }) })
      await attempt('wrong-one')
      await attempt('wrong-two')
      expect((await attempt(u.password)).status).toBe(429)
      clock += 61_000
      expect((await attempt(u.password)).status).toBe(200)
    } finally {
      await timed.close()
    }
  })

  it('refuses a session after it expires', async () => {
    let clock = Date.now()
    const timed = await makeTestApp({ config: { sessionTtlMs: 1000 }, now: () => clock })
    try {
      const u = await timed.createUser('shortlived')
      const cookie = await timed.login(u.username, u.password)
      expect((await timed.app.request('/api/auth/me', { headers: { cookie } })).status).toBe(200)
      clock += 2000
      expect((await timed.app.request('/api/auth/me', { headers: { cookie } })).status).toBe(401)
    } finally {
      await timed.close()
    }
  })

  it('changes the own password: the old one stops working', async () => {
    const u = await t.createUser('changer')
    const cookie = await t.login(u.username, u.password)
    const wrong = await t.app.request('/api/auth/password', {
      method: 'POST',
      ...json({ currentPassword: 'nope-nope', newPassword: 'brand-new-pass' }, { cookie }),
    })
    expect(wrong.status).toBe(422)
    const ok = await t.app.request('/api/auth/password', {
      method: 'POST',
      ...json({ currentPassword: u.password, newPassword: 'brand-new-pass' }, { cookie }),
    })
    expect(ok.status).toBe(204)
    expect((await login(u.username, u.password)).status).toBe(401)
    expect((await login(u.username, 'brand-new-pass')).status).toBe(200)
  })
})

describe('API tokens', () => {
  it('are shown once, work as bearer tokens, are listed without the secret, and stop working when revoked', async () => {
    const cookie = await t.login('uma', uma.password)
    const created = await t.app.request('/api/auth/tokens', {
      method: 'POST',
      ...json({ name: 'ci script' }, { cookie }),
    })
    expect(created.status).toBe(201)
    const token = (await created.json()) as { id: string; token: string; prefix: string }
    expect(token.token).toMatch(/^adh_[A-Za-z0-9]{8}_[A-Za-z0-9]{32}$/)
    expect(token.token.startsWith(token.prefix)).toBe(true)

    const bearer = { authorization: `Bearer ${token.token}` }
    const me = await t.app.request('/api/auth/me', { headers: bearer })
    expect(me.status).toBe(200)
    expect(await me.json()).toMatchObject({ user: { username: 'uma' } })

    const list = await t.app.request('/api/auth/tokens', { headers: bearer })
    const listed = (await list.json()) as { items: Record<string, unknown>[] }
    const entry = listed.items.find((i) => i.id === token.id)
    expect(entry).toMatchObject({ name: 'ci script', prefix: token.prefix })
    expect(entry?.lastUsedAt).toEqual(expect.any(String))
    expect(JSON.stringify(listed)).not.toContain(token.token)

    const revoke = await t.app.request(`/api/auth/tokens/${token.id}`, {
      method: 'DELETE',
      headers: { cookie, origin: 'http://localhost' },
    })
    expect(revoke.status).toBe(204)
    const after = await t.app.request('/api/auth/me', { headers: bearer })
    expect(after.status).toBe(401)
    expect(after.headers.get('content-type')).toBe('application/problem+json')
    const write = await t.app.request('/api/movies', {
      method: 'POST',
      ...json({ name: 'after revoke' }, bearer),
    })
    expect(write.status).toBe(401)
  })

  it("cannot revoke someone else's token", async () => {
    const other = await t.tokenFor(admin)
    const list = await t.app.request('/api/auth/tokens', { headers: { authorization: `Bearer ${other}` } })
    const id = ((await list.json()) as { items: { id: string }[] }).items[0]!.id
    const res = await t.app.request(`/api/auth/tokens/${id}`, {
      method: 'DELETE',
      headers: await t.headersFor(uma),
    })
    expect(res.status).toBe(404)
    expect(
      (await t.app.request('/api/auth/me', { headers: { authorization: `Bearer ${other}` } })).status,
    ).toBe(200)
  })

  it('rejects a made-up token instead of treating the caller as anonymous', async () => {
    const res = await t.app.request('/api/movies', {
      headers: { authorization: 'Bearer adh_madeup00_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' },
    })
    expect(res.status).toBe(401)
    expect(res.headers.get('www-authenticate')).toMatch(/invalid_token/)
  })
})

describe('accounts (admin)', () => {
  it('admins create uploaders who can then sign in; uploaders cannot create accounts', async () => {
    const asAdmin = await t.headersFor(admin)
    const res = await t.app.request('/api/users', {
      method: 'POST',
      ...json({ username: 'newbie', password: 'newbie-password' }, asAdmin),
    })
    expect(res.status).toBe(201)
    expect(await res.json()).toMatchObject({ username: 'newbie', role: 'uploader', active: true })
    expect((await login('newbie', 'newbie-password')).status).toBe(200)

    const dup = await t.app.request('/api/users', {
      method: 'POST',
      ...json({ username: 'newbie', password: 'another-password' }, asAdmin),
    })
    expect(dup.status).toBe(409)

    const asUma = await t.headersFor(uma)
    const denied = await t.app.request('/api/users', {
      method: 'POST',
      ...json({ username: 'sneaky', password: 'sneaky-password', role: 'admin' }, asUma),
    })
    expect(denied.status).toBe(403)
    expect((await t.app.request('/api/users', { headers: asUma })).status).toBe(403)
  })

  it('resets a password and deactivates an account, which ends its sessions and tokens', async () => {
    const asAdmin = await t.headersFor(admin)
    const u = await t.createUser('leaver')
    const cookie = await t.login(u.username, u.password)
    const token = await t.tokenFor(u)

    const reset = await t.app.request(`/api/users/${u.id}`, {
      method: 'PATCH',
      ...json({ password: 'reset-by-admin' }, asAdmin),
    })
    expect(reset.status).toBe(200)
    expect((await login(u.username, u.password)).status).toBe(401)
    expect((await login(u.username, 'reset-by-admin')).status).toBe(200)

    const off = await t.app.request(`/api/users/${u.id}`, {
      method: 'PATCH',
      ...json({ active: false }, asAdmin),
    })
    expect(await off.json()).toMatchObject({ active: false })
    expect((await t.app.request('/api/auth/me', { headers: { cookie } })).status).toBe(401)
    expect(
      (await t.app.request('/api/auth/me', { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(401)
    expect((await login(u.username, 'reset-by-admin')).status).toBe(401)
  })

  it('stops an admin from deactivating themselves', async () => {
    const res = await t.app.request(`/api/users/${admin.id}`, {
      method: 'PATCH',
      ...json({ active: false }, await t.headersFor(admin)),
    })
    expect(res.status).toBe(422)
  })
})

describe('cross-site requests', () => {
  it("refuses a form post from another site that rides on the visitor's session cookie", async () => {
    const cookie = await t.login('uma', uma.password)
    const res = await t.app.request('/api/auth/tokens', {
      method: 'POST',
      headers: { cookie, 'content-type': 'text/plain', origin: 'https://evil.example' },
      body: JSON.stringify({ name: 'stolen' }),
    })
    expect(res.status).toBe(403)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    const own = await t.app.request('/api/auth/logout', {
      method: 'POST',
      headers: { cookie, origin: 'http://localhost' },
    })
    expect(own.status).toBe(204)
  })
})
