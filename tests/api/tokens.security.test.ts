/**
 * API tokens with scopes and an expiry, and an admin's view of anyone's tokens and sessions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { json, makeTestApp, type TestApp, type TestUser } from '../support/app.ts'

let clock = Date.now()
let t: TestApp
let admin: TestUser
let uma: TestUser
let umaCookie: string

beforeAll(async () => {
  t = await makeTestApp({ now: () => clock })
  admin = await t.createUser('tok-admin', 'admin')
  uma = await t.createUser('tok-uma', 'uploader')
  umaCookie = await t.login(uma.username, uma.password)
})
afterAll(() => t.close())

type H = Record<string, string>
const ORIGIN = { origin: 'http://localhost' }
const req = (method: string, path: string, headers: H, body?: unknown) =>
  t.app.request(path, body === undefined ? { method, headers } : { method, ...json(body, headers) })
const bearer = (token: string): H => ({ authorization: `Bearer ${token}` })

async function mint(cookie: string, body: Record<string, unknown>) {
  const res = await req('POST', '/api/auth/tokens', { cookie, ...ORIGIN }, { name: 'scoped', ...body })
  expect(res.status, await res.clone().text()).toBe(201)
  return (await res.json()) as { id: string; token: string; scopes: string[]; expiresAt: string | null }
}

describe('token scopes', () => {
  it('a read token reads and changes nothing', async () => {
    const { token, scopes } = await mint(umaCookie, { scopes: ['read'] })
    expect(scopes).toEqual(['read'])
    expect((await req('GET', '/api/movies', bearer(token))).status).toBe(200)
    const write = await req('POST', '/api/movies', bearer(token), { name: 'nope' })
    expect(write.status).toBe(403)
    expect(write.headers.get('content-type')).toBe('application/problem+json')
    expect(write.headers.get('www-authenticate')).toMatch(/insufficient_scope/)
    expect(((await write.json()) as { type: string }).type).toBe('/problems/insufficient-scope')
  })

  it('an upload token reads and uploads, but mints no token and changes no password', async () => {
    const { token } = await mint(umaCookie, { scopes: ['upload'] })
    expect((await req('POST', '/api/movies', bearer(token), { name: 'by script' })).status).toBe(201)
    expect((await req('GET', '/api/movies?mine=true', bearer(token))).status).toBe(200)
    expect((await req('POST', '/api/auth/tokens', bearer(token), { name: 'more' })).status).toBe(403)
    const password = await req('POST', '/api/auth/password', bearer(token), {
      currentPassword: uma.password,
      newPassword: 'taken-over-pass',
    })
    expect(password.status).toBe(403)
    expect((await req('GET', '/api/auth/me', bearer(token))).status).toBe(200)
  })

  it('an admin-scoped token manages accounts, within its own scopes', async () => {
    const adminCookie = await t.login(admin.username, admin.password)
    const { token } = await mint(adminCookie, { scopes: ['admin'] })
    expect((await req('GET', '/api/users', bearer(token))).status).toBe(200)
    expect((await req('POST', '/api/movies', bearer(token), { name: 'not with this one' })).status).toBe(403)
    const narrower = await req('POST', '/api/auth/tokens', bearer(token), { name: 'n', scopes: ['admin'] })
    expect(narrower.status).toBe(201)
    const wider = await req('POST', '/api/auth/tokens', bearer(token), { name: 'w', scopes: ['upload'] })
    expect(wider.status).toBe(403)
  })

  it('without scopes, a token may do everything its user may, as before', async () => {
    const { token, scopes } = await mint(umaCookie, {})
    expect(scopes).toEqual(['read', 'upload', 'admin'])
    expect((await req('POST', '/api/auth/tokens', bearer(token), { name: 'child' })).status).toBe(201)
  })

  it('refuses an unknown scope by name', async () => {
    const res = await req(
      'POST',
      '/api/auth/tokens',
      { cookie: umaCookie, ...ORIGIN },
      { name: 'x', scopes: ['root'] },
    )
    expect(res.status).toBe(422)
    expect(JSON.stringify(await res.json())).toContain('scopes')
  })
})

describe('token expiry', () => {
  it('a token stops working when it expires, and says when in the list', async () => {
    const expiresAt = new Date(clock + 3600_000).toISOString()
    const { id, token } = await mint(umaCookie, { expiresAt })
    expect((await req('GET', '/api/auth/me', bearer(token))).status).toBe(200)
    const list = (await (await req('GET', '/api/auth/tokens', { cookie: umaCookie })).json()) as {
      items: { id: string; expiresAt: string | null }[]
    }
    expect(list.items.find((i) => i.id === id)?.expiresAt).toBe(expiresAt)
    clock += 2 * 3600_000
    expect((await req('GET', '/api/auth/me', bearer(token))).status).toBe(401)
  })

  it('refuses an expiry in the past', async () => {
    const res = await req(
      'POST',
      '/api/auth/tokens',
      { cookie: umaCookie, ...ORIGIN },
      { name: 'stale', expiresAt: new Date(clock - 1000).toISOString() },
    )
    expect(res.status).toBe(422)
  })
})

describe("an admin's view of someone's tokens and sessions", () => {
  it('lists and revokes any user’s tokens; others may not', async () => {
    const asAdmin = await t.headersFor(admin)
    const victim = await t.createUser()
    const list = await req('GET', `/api/users/${victim.id}/tokens`, asAdmin)
    expect(list.status).toBe(200)
    const { items } = (await list.json()) as { items: { id: string; name: string; scopes: string[] }[] }
    expect(items).toHaveLength(1)
    expect(JSON.stringify(items)).not.toContain(victim.token)
    expect((await req('GET', `/api/users/${victim.id}/tokens`, bearer(uma.token))).status).toBe(403)
    const revoke = await req('DELETE', `/api/users/${victim.id}/tokens/${items[0]!.id}`, asAdmin)
    expect(revoke.status).toBe(204)
    expect((await req('GET', '/api/auth/me', bearer(victim.token))).status).toBe(401)
    expect((await req('DELETE', `/api/users/${victim.id}/tokens/${items[0]!.id}`, asAdmin)).status).toBe(404)
  })

  it('lists and ends any user’s sessions, one or all', async () => {
    const asAdmin = await t.headersFor(admin)
    const victim = await t.createUser()
    const signIn = async (agent: string) => {
      const res = await t.app.request('/api/auth/login', {
        method: 'POST',
        ...json({ username: victim.username, password: victim.password }, { 'user-agent': agent }),
      })
      return (res.headers.get('set-cookie') ?? '').split(';')[0]!
    }
    const laptop = await signIn('Laptop browser')
    const phone = await signIn('Phone browser')
    const tablet = await signIn('Tablet browser')
    const list = await req('GET', `/api/users/${victim.id}/sessions`, asAdmin)
    expect(list.status).toBe(200)
    const { items } = (await list.json()) as { items: { id: string; userAgent: string | null }[] }
    expect(items.map((s) => s.userAgent).sort()).toEqual([
      'Laptop browser',
      'Phone browser',
      'Tablet browser',
    ])
    const phoneSession = items.find((s) => s.userAgent === 'Phone browser')!
    expect((await req('DELETE', `/api/users/${victim.id}/sessions/${phoneSession.id}`, asAdmin)).status).toBe(
      204,
    )
    expect((await req('GET', '/api/auth/me', { cookie: phone })).status).toBe(401)
    expect((await req('GET', '/api/auth/me', { cookie: laptop })).status).toBe(200)
    expect((await req('DELETE', `/api/users/${victim.id}/sessions`, asAdmin)).status).toBe(204)
    expect((await req('GET', '/api/auth/me', { cookie: laptop })).status).toBe(401)
    expect((await req('GET', '/api/auth/me', { cookie: tablet })).status).toBe(401)
    expect((await req('GET', `/api/users/${victim.id}/sessions`, bearer(uma.token))).status).toBe(403)
  })
})
