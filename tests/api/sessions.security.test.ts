/**
 * What ends a sign-in: a password change ends every other session, an admin's reset or a
 * deactivation ends them all (cached lookups included), API tokens go with them unless asked not
 * to, and nothing comes back on reactivation. Expired sessions leave the database. The session
 * cookie is `__Host-` prefixed and Secure exactly when the connection is HTTPS.
 */
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sessions } from '../../db/schema.ts'
import { json, makeTestApp, type TestApp, type TestUser } from '../support/app.ts'

let t: TestApp
let admin: TestUser
let asAdmin: Record<string, string>

beforeAll(async () => {
  // The session cache is on (as on a Node server): what ends a session must reach it too.
  t = await makeTestApp({ config: { sessionCacheMs: 60_000 } })
  admin = await t.createUser('sess-admin', 'admin')
  asAdmin = await t.headersFor(admin)
})
afterAll(() => t.close())

const ORIGIN = { origin: 'http://localhost' }
const me = async (headers: Record<string, string>): Promise<Response> =>
  t.app.request('/api/auth/me', { headers })
const status = async (headers: Record<string, string>) => (await me(headers)).status
const cookieOf = (cookie: string) => ({ cookie })
const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
const patchUser = (id: string, body: unknown) =>
  t.app.request(`/api/users/${id}`, { method: 'PATCH', ...json(body, asAdmin) })

describe('changing a password', () => {
  it('ends every other session of the user, keeps the one that changed it, and revokes their tokens', async () => {
    const u = await t.createUser()
    const here = await t.login(u.username, u.password)
    const phone = await t.login(u.username, u.password)
    expect(await status(cookieOf(phone))).toBe(200) // now cached
    const res = await t.app.request('/api/auth/password', {
      method: 'POST',
      ...json({ currentPassword: u.password, newPassword: 'a-new-password-1' }, { cookie: here, ...ORIGIN }),
    })
    expect(res.status).toBe(204)
    expect(await status(cookieOf(here))).toBe(200)
    expect(await status(cookieOf(phone))).toBe(401)
    expect(await status(bearer(u.token))).toBe(401)
  })

  it('keeps the tokens when asked to', async () => {
    const u = await t.createUser()
    const here = await t.login(u.username, u.password)
    const res = await t.app.request('/api/auth/password', {
      method: 'POST',
      ...json(
        { currentPassword: u.password, newPassword: 'a-new-password-2', revokeTokens: false },
        { cookie: here, ...ORIGIN },
      ),
    })
    expect(res.status).toBe(204)
    expect(await status(bearer(u.token))).toBe(200)
  })

  it('is rate-limited: wrong current passwords stop being checked after a few', async () => {
    const limited = await makeTestApp({ config: { loginMaxAttempts: 3 } })
    try {
      const u = await limited.createUser()
      const cookie = await limited.login(u.username, u.password)
      const change = (currentPassword: string) =>
        limited.app.request('/api/auth/password', {
          method: 'POST',
          ...json({ currentPassword, newPassword: 'whatever-new-1' }, { cookie, ...ORIGIN }),
        })
      for (let i = 0; i < 3; i++) expect((await change(`wrong-guess-${i}`)).status).toBe(422)
      const blocked = await change(u.password)
      expect(blocked.status).toBe(429)
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0)
    } finally {
      await limited.close()
    }
  })
})

describe("an admin's reset or deactivation", () => {
  it('a reset ends every session (cached ones too) and revokes the tokens by default', async () => {
    const u = await t.createUser()
    const cookie = await t.login(u.username, u.password)
    expect(await status(cookieOf(cookie))).toBe(200)
    expect((await patchUser(u.id, { password: 'reset-by-admin-1' })).status).toBe(200)
    expect(await status(cookieOf(cookie))).toBe(401)
    expect(await status(bearer(u.token))).toBe(401)
  })

  it('a reset can leave the tokens working', async () => {
    const u = await t.createUser()
    expect((await patchUser(u.id, { password: 'reset-by-admin-2', revokeTokens: false })).status).toBe(200)
    expect(await status(bearer(u.token))).toBe(200)
  })

  it('reactivating an account does not bring its old sessions or tokens back', async () => {
    const u = await t.createUser()
    const cookie = await t.login(u.username, u.password)
    expect((await patchUser(u.id, { active: false })).status).toBe(200)
    expect((await patchUser(u.id, { active: true })).status).toBe(200)
    expect(await status(cookieOf(cookie))).toBe(401)
    expect(await status(bearer(u.token))).toBe(401)
    // The account itself works again.
    expect(await status(cookieOf(await t.login(u.username, u.password)))).toBe(200)
  })

  it('a role change ends nothing', async () => {
    const u = await t.createUser()
    const cookie = await t.login(u.username, u.password)
    expect((await patchUser(u.id, { role: 'viewer' })).status).toBe(200)
    expect(await me(cookieOf(cookie)).then((r) => r.json())).toMatchObject({ user: { role: 'viewer' } })
    expect(await status(bearer(u.token))).toBe(200)
  })
})

describe('expired sessions', () => {
  it('are purged from the database, not only refused', async () => {
    let clock = Date.now()
    const timed = await makeTestApp({ config: { sessionTtlMs: 60_000 }, now: () => clock })
    try {
      const u = await timed.createUser()
      await timed.login(u.username, u.password)
      const count = async () =>
        (await timed.deps.db.select().from(sessions).where(eq(sessions.userId, u.id))).length
      expect(await count()).toBe(1)
      clock += 120_000
      // Signing in is one of the moments expired sessions are swept.
      await timed.login(u.username, u.password)
      expect(await count()).toBe(1)
    } finally {
      await timed.close()
    }
  })
})

describe('the session cookie', () => {
  const signIn = async (url: string, headers: Record<string, string> = {}) => {
    const u = await t.createUser()
    return t.app.request(url, {
      method: 'POST',
      ...json({ username: u.username, password: u.password }, headers),
    })
  }

  it('is not Secure on a plain-HTTP connection, whatever the Host says', async () => {
    const res = await signIn('http://video.example/api/auth/login')
    const cookie = res.headers.get('set-cookie') ?? ''
    expect(cookie).toMatch(/^adh_session=/)
    expect(cookie).not.toMatch(/Secure/)
  })

  it('is __Host- prefixed, Secure, host-only and on / over HTTPS', async () => {
    const res = await signIn('https://video.example/api/auth/login')
    const cookie = res.headers.get('set-cookie') ?? ''
    expect(cookie).toMatch(/^__Host-adh_session=[A-Za-z0-9]{43};/)
    expect(cookie).toMatch(/; Secure/)
    expect(cookie).toMatch(/; Path=\//)
    expect(cookie).not.toMatch(/Domain=/i)
    const value = cookie.split(';')[0]!
    const who = await t.app.request('https://video.example/api/auth/me', { headers: { cookie: value } })
    expect(who.status).toBe(200)
  })

  it('over HTTPS, a cookie without the prefix (one a sibling site could have set) signs nobody in', async () => {
    const res = await signIn('https://video.example/api/auth/login')
    const secret = (res.headers.get('set-cookie') ?? '').split(';')[0]!.split('=')[1]!
    const who = await t.app.request('https://video.example/api/auth/me', {
      headers: { cookie: `adh_session=${secret}` },
    })
    expect(who.status).toBe(401)
  })

  it('signs out with the cookie it was signed in with', async () => {
    const res = await signIn('https://video.example/api/auth/login')
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!
    const out = await t.app.request('https://video.example/api/auth/logout', {
      method: 'POST',
      headers: { cookie, origin: 'https://video.example' },
    })
    expect(out.status).toBe(204)
    expect(out.headers.get('set-cookie')).toMatch(/^__Host-adh_session=;/)
    const who = await t.app.request('https://video.example/api/auth/me', { headers: { cookie } })
    expect(who.status).toBe(401)
  })
})
