/**
 * Viewer accounts: what a viewer may and may not do, invites, sign-up in each SIGNUP mode, a
 * private catalog, and deleting an account.
 */
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../server/lib/crypto.ts'
import { json, makeTestApp, type TestApp, type TestUser } from '../support/app.ts'
import { type Headers, markPublished } from './calls.ts'

let t: TestApp
let admin: TestUser
let uploader: TestUser
let viewer: TestUser
let asAdmin: Headers
let asUploader: Headers
let asViewer: Headers

beforeAll(async () => {
  t = await makeTestApp()
  admin = await t.createUser('boss', 'admin')
  uploader = await t.createUser('maker', 'uploader')
  viewer = await t.createUser('watcher', 'viewer')
  asAdmin = await t.headersFor(admin)
  asUploader = await t.headersFor(uploader)
  asViewer = await t.headersFor(viewer)
})
afterAll(() => t.close())

async function createMovie(app: TestApp, headers: Headers, body: Record<string, unknown>) {
  const res = await app.app.request('/api/movies', { method: 'POST', ...json(body, headers) })
  expect(res.status).toBe(201)
  return (await res.json()) as { id: string }
}

const publish = (app: TestApp, id: string) => markPublished(app, id)

const signup = (app: TestApp, body: Record<string, unknown>) =>
  app.app.request('/api/auth/signup', { method: 'POST', ...json(body) })

async function invite(app: TestApp, headers: Headers, body: Record<string, unknown> = {}) {
  const res = await app.app.request('/api/invites', { method: 'POST', ...json(body, headers) })
  expect(res.status).toBe(201)
  return (await res.json()) as { id: string; secret: string; path: string; role: string; expiresAt: string }
}

describe('a viewer', () => {
  it('cannot create movies or series, upload or publish', async () => {
    const created = await t.app.request('/api/movies', {
      method: 'POST',
      ...json({ name: 'Mine' }, asViewer),
    })
    expect(created.status).toBe(403)
    expect(created.headers.get('content-type')).toBe('application/problem+json')
    const series = await t.app.request('/api/series', { method: 'POST', ...json({ name: 'Mine' }, asViewer) })
    expect(series.status).toBe(403)

    // A published movie they can see: still not theirs to change.
    const movie = await createMovie(t, asUploader, { name: 'Published' })
    await publish(t, movie.id)
    const body = new TextEncoder().encode('x')
    const put = await t.app.request(`/api/movies/${movie.id}/files/poster.jpg`, {
      method: 'PUT',
      headers: { ...asViewer, 'x-content-sha256': await sha256Hex(body) },
      body,
    })
    expect(put.status).toBe(403)
    const republish = await t.app.request(`/api/movies/${movie.id}/publish`, {
      method: 'POST',
      headers: asViewer,
    })
    expect(republish.status).toBe(403)
    const patch = await t.app.request(`/api/movies/${movie.id}`, {
      method: 'PATCH',
      ...json({ name: 'x' }, asViewer),
    })
    expect(patch.status).toBe(403)
  })

  it('sees published movies like anonymous callers, never drafts', async () => {
    const draft = await createMovie(t, asUploader, { name: 'Draft for nobody' })
    const shown = await createMovie(t, asUploader, { name: 'Shown to all' })
    await publish(t, shown.id)
    expect((await t.app.request(`/api/movies/${draft.id}`, { headers: asViewer })).status).toBe(404)
    expect((await t.app.request(`/api/movies/${shown.id}`, { headers: asViewer })).status).toBe(200)
    const list = (await (await t.app.request('/api/movies?limit=100', { headers: asViewer })).json()) as {
      items: { id: string; status: string }[]
    }
    expect(list.items.map((m) => m.id)).toContain(shown.id)
    expect(list.items.map((m) => m.id)).not.toContain(draft.id)
    expect(new Set(list.items.map((m) => m.status))).toEqual(new Set(['ready']))
    // Uploading into the draft: it does not exist as far as a viewer knows.
    const files = await t.app.request(`/api/movies/${draft.id}/files`, { headers: asViewer })
    expect(files.status).toBe(404)
  })

  it('loses write access to movies they owned when demoted from uploader', async () => {
    const former = await t.createUser('former', 'uploader')
    const asFormer = await t.headersFor(former)
    const movie = await createMovie(t, asFormer, { name: 'Made before the demotion' })
    const demoted = await t.app.request(`/api/users/${former.id}`, {
      method: 'PATCH',
      ...json({ role: 'viewer' }, asAdmin),
    })
    expect(await demoted.json()).toMatchObject({ role: 'viewer' })
    expect((await t.app.request(`/api/movies/${movie.id}`, { headers: asFormer })).status).toBe(404)
    await publish(t, movie.id)
    const patch = await t.app.request(`/api/movies/${movie.id}`, {
      method: 'PATCH',
      ...json({ name: 'x' }, asFormer),
    })
    expect(patch.status).toBe(403)
  })

  it('can be created by an admin with role viewer', async () => {
    const res = await t.app.request('/api/users', {
      method: 'POST',
      ...json({ username: 'made-viewer', password: 'long-enough-pw', role: 'viewer' }, asAdmin),
    })
    expect(res.status).toBe(201)
    expect(await res.json()).toMatchObject({ username: 'made-viewer', role: 'viewer' })
  })
})

describe('invites', () => {
  it('are made by admins only, shown once, listed while pending and revocable', async () => {
    expect((await t.app.request('/api/invites', { method: 'POST', ...json({}, asUploader) })).status).toBe(
      403,
    )
    expect((await t.app.request('/api/invites', { method: 'POST', ...json({}, asViewer) })).status).toBe(403)
    expect((await t.app.request('/api/invites', { method: 'POST', ...json({}) })).status).toBe(401)

    const made = await invite(t, asAdmin)
    expect(made).toMatchObject({ role: 'viewer', createdBy: { id: admin.id, username: 'boss' } })
    expect(made.path).toBe(`/signup?invite=${made.secret}`)
    // A week by default.
    expect(Date.parse(made.expiresAt) - Date.now()).toBeGreaterThan(6.9 * 24 * 3600 * 1000)

    const listed = (await (await t.app.request('/api/invites', { headers: asAdmin })).json()) as {
      items: { id: string }[]
    }
    expect(listed.items.map((i) => i.id)).toContain(made.id)
    expect(JSON.stringify(listed)).not.toContain(made.secret)

    expect(
      (await t.app.request(`/api/invites/${made.id}`, { method: 'DELETE', headers: asAdmin })).status,
    ).toBe(204)
    expect(
      (await t.app.request(`/api/invites/${made.id}`, { method: 'DELETE', headers: asAdmin })).status,
    ).toBe(404)
    const revoked = await signup(t, { username: 'too-late', password: 'long-enough-pw', invite: made.secret })
    expect(revoked.status).toBe(403)
    expect(await revoked.json()).toMatchObject({ type: '/problems/invalid-invite', reason: 'unknown' })
  })

  it('work once: the invitee signs up and is signed in, a second use is refused', async () => {
    const made = await invite(t, asAdmin)
    const check = await t.app.request(`/api/auth/signup?invite=${made.secret}`)
    expect(await check.json()).toEqual({
      signup: 'invite',
      privateCatalog: false,
      invite: { valid: true, reason: null, role: 'viewer', expiresAt: made.expiresAt },
    })

    const res = await signup(t, { username: 'invitee', password: 'invitee-password', invite: made.secret })
    expect(res.status).toBe(201)
    expect(await res.json()).toMatchObject({ user: { username: 'invitee', role: 'viewer', active: true } })
    const cookie = res.headers.get('set-cookie') ?? ''
    expect(cookie).toMatch(/^adh_session=[A-Za-z0-9]{43};/)
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/SameSite=Lax/)
    const me = await t.app.request('/api/auth/me', { headers: { cookie: cookie.split(';')[0]! } })
    expect(await me.json()).toMatchObject({ user: { username: 'invitee', role: 'viewer' } })
    // The same password signs in.
    expect((await t.login('invitee', 'invitee-password')).length).toBeGreaterThan(0)

    const again = await signup(t, { username: 'invitee2', password: 'invitee-password', invite: made.secret })
    expect(again.status).toBe(403)
    expect(await again.json()).toMatchObject({ type: '/problems/invalid-invite', reason: 'used' })
    const after = await (await t.app.request(`/api/auth/signup?invite=${made.secret}`)).json()
    expect(after).toMatchObject({ invite: { valid: false, reason: 'used', role: null } })
    const listed = (await (await t.app.request('/api/invites', { headers: asAdmin })).json()) as {
      items: { id: string }[]
    }
    expect(listed.items.map((i) => i.id)).not.toContain(made.id)
  })

  it('give the role they were made for', async () => {
    const made = await invite(t, asAdmin, { role: 'uploader' })
    const res = await signup(t, { username: 'new-maker', password: 'new-maker-pass', invite: made.secret })
    expect(await res.json()).toMatchObject({ user: { role: 'uploader' } })
    const adminInvite = await t.app.request('/api/invites', {
      method: 'POST',
      ...json({ role: 'admin' }, asAdmin),
    })
    expect(adminInvite.status).toBe(422)
  })

  it('expire', async () => {
    let clock = Date.now()
    const timed = await makeTestApp({ now: () => clock })
    try {
      const boss = await timed.createUser('timed-boss', 'admin')
      const made = await invite(timed, await timed.headersFor(boss), { expiresInHours: 1 })
      clock += 3600 * 1000 + 1
      const res = await signup(timed, { username: 'late', password: 'late-password', invite: made.secret })
      expect(res.status).toBe(403)
      expect(await res.json()).toMatchObject({ reason: 'expired' })
      expect(await (await timed.app.request(`/api/auth/signup?invite=${made.secret}`)).json()).toMatchObject({
        invite: { valid: false, reason: 'expired' },
      })
      // Expired invites are no longer pending.
      const listed = await (
        await timed.app.request('/api/invites', { headers: await timed.headersFor(boss) })
      ).json()
      expect(listed).toEqual({ items: [] })
    } finally {
      timed.close()
    }
  })

  it('leave an invite unused when the username is taken, so the invitee can pick another', async () => {
    const made = await invite(t, asAdmin)
    const taken = await signup(t, { username: 'watcher', password: 'whatever-pass', invite: made.secret })
    expect(taken.status).toBe(409)
    const ok = await signup(t, { username: 'watcher-two', password: 'whatever-pass', invite: made.secret })
    expect(ok.status).toBe(201)
  })

  it('are used by exactly one of two sign-ups racing for it', async () => {
    const made = await invite(t, asAdmin)
    const results = await Promise.all(
      ['racer-a', 'racer-b', 'racer-c'].map((username) =>
        signup(t, { username, password: 'racing-password', invite: made.secret }),
      ),
    )
    expect(results.map((r) => r.status).sort()).toEqual([201, 403, 403])
    const users = (await (await t.app.request('/api/users', { headers: asAdmin })).json()) as {
      items: { username: string }[]
    }
    expect(users.items.filter((u) => u.username.startsWith('racer-'))).toHaveLength(1)
  })
})

describe('sign-up modes', () => {
  it('invite (the default): refuses a sign-up without an invite', async () => {
    const res = await signup(t, { username: 'no-invite', password: 'no-invite-pass' })
    expect(res.status).toBe(403)
    expect(await res.json()).toMatchObject({ type: '/problems/invite-required' })
  })

  it('applies the same username and password rules as admin-made accounts', async () => {
    const made = await invite(t, asAdmin)
    const short = await signup(t, { username: 'shorty', password: 'short', invite: made.secret })
    expect(short.status).toBe(422)
    expect(JSON.stringify(await short.json())).toContain('password')
    const badName = await signup(t, { username: 'a b', password: 'long-enough-pw', invite: made.secret })
    expect(badName.status).toBe(422)
  })

  it('open: anyone becomes a viewer; an invite still gives its role', async () => {
    const open = await makeTestApp({ config: { signup: 'open' } })
    try {
      const res = await signup(open, { username: 'walk-in', password: 'walk-in-pass' })
      expect(res.status).toBe(201)
      expect(await res.json()).toMatchObject({ user: { role: 'viewer' } })
      expect(await (await open.app.request('/api/auth/signup')).json()).toEqual({
        signup: 'open',
        privateCatalog: false,
        invite: null,
      })
      const boss = await open.createUser('open-boss', 'admin')
      const made = await invite(open, await open.headersFor(boss), { role: 'uploader' })
      const invited = await signup(open, {
        username: 'invited-maker',
        password: 'long-enough-pw',
        invite: made.secret,
      })
      expect(await invited.json()).toMatchObject({ user: { role: 'uploader' } })
    } finally {
      open.close()
    }
  })

  it('closed: refuses every sign-up and every new invite', async () => {
    const closed = await makeTestApp({ config: { signup: 'closed' } })
    try {
      const boss = await closed.createUser('closed-boss', 'admin')
      const made = await closed.app.request('/api/invites', {
        method: 'POST',
        ...json({}, await closed.headersFor(boss)),
      })
      expect(made.status).toBe(409)
      const res = await signup(closed, { username: 'knocker', password: 'knocker-pass' })
      expect(res.status).toBe(403)
      expect(await res.json()).toMatchObject({ type: '/problems/signup-closed' })
    } finally {
      closed.close()
    }
  })

  it('rate-limits failed sign-ups per address', async () => {
    const limited = await makeTestApp({ config: { loginMaxAttempts: 3 } })
    try {
      for (let i = 0; i < 3; i++) {
        const res = await signup(limited, {
          username: `guess${i}`,
          password: 'guessing-pass',
          invite: `wrong${i}`,
        })
        expect(res.status).toBe(403)
      }
      const blocked = await signup(limited, {
        username: 'guess9',
        password: 'guessing-pass',
        invite: 'wrong9',
      })
      expect(blocked.status).toBe(429)
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0)
    } finally {
      limited.close()
    }
  })
})

describe('a private catalog (PRIVATE_CATALOG=true)', () => {
  let p: TestApp
  let movieId: string
  let seriesId: string
  let viewerCookie: string

  beforeAll(async () => {
    p = await makeTestApp({ config: { privateCatalog: true } })
    const maker = await p.createUser('private-maker', 'uploader')
    const asMaker = await p.headersFor(maker)
    const s = await p.app.request('/api/series', {
      method: 'POST',
      ...json({ name: 'Family show' }, asMaker),
    })
    seriesId = ((await s.json()) as { id: string }).id
    movieId = (await createMovie(p, asMaker, { name: 'Home video', seriesId })).id
    await publish(p, movieId)
    const fan = await p.createUser('private-viewer', 'viewer')
    viewerCookie = await p.login(fan.username, fan.password)
  })
  afterAll(() => p.close())

  it('answers 401 to anonymous callers everywhere but signing in and up', async () => {
    for (const path of [
      '/api/movies',
      `/api/movies/${movieId}`,
      '/api/series',
      `/api/series/${seriesId}`,
      `/media/${movieId}/manifest.mpd`,
    ]) {
      const res = await p.app.request(path)
      expect(res.status, path).toBe(401)
      expect(res.headers.get('content-type')).toBe('application/problem+json')
    }
    expect((await p.app.request('/api/health')).status).toBe(200)
    expect((await p.app.request('/api/openapi.json')).status).toBe(200)
    expect(await (await p.app.request('/api/auth/signup')).json()).toMatchObject({ privateCatalog: true })
    expect(
      (await p.app.request('/api/auth/login', { method: 'POST', ...json({ username: 'x', password: 'y' }) }))
        .status,
    ).toBe(401)
  })

  it('shows everything published to any signed-in user', async () => {
    const headers = { cookie: viewerCookie }
    const list = (await (await p.app.request('/api/movies', { headers })).json()) as {
      items: { id: string }[]
    }
    expect(list.items.map((m) => m.id)).toEqual([movieId])
    expect((await p.app.request(`/api/series/${seriesId}`, { headers })).status).toBe(200)
  })
})

describe('deleting an account', () => {
  it('is for admins, never on oneself', async () => {
    const target = await t.createUser('short-lived', 'viewer')
    expect(
      (await t.app.request(`/api/users/${target.id}`, { method: 'DELETE', headers: asUploader })).status,
    ).toBe(403)
    expect((await t.app.request(`/api/users/${target.id}`, { method: 'DELETE' })).status).toBe(401)
    const self = await t.app.request(`/api/users/${admin.id}`, { method: 'DELETE', headers: asAdmin })
    expect(self.status).toBe(409)
    expect(
      (await t.app.request('/api/users/AAAAAAAAAAAAAAAA', { method: 'DELETE', headers: asAdmin })).status,
    ).toBe(404)
  })

  it('removes their list, progress, sessions and tokens; their movies and series stay, unowned', async () => {
    const leaving = await t.createUser('leaving', 'uploader')
    const asLeaving = await t.headersFor(leaving)
    const cookie = await t.login(leaving.username, leaving.password)
    const own = await createMovie(t, asLeaving, { name: 'Left behind' })
    await publish(t, own.id)
    const s = await t.app.request('/api/series', {
      method: 'POST',
      ...json({ name: 'Left series' }, asLeaving),
    })
    const ownSeries = (await s.json()) as { id: string }
    const other = await createMovie(t, asUploader, { name: 'Watched by the leaver' })
    await publish(t, other.id)
    expect(
      (await t.app.request(`/api/me/watchlist/${other.id}`, { method: 'PUT', headers: asLeaving })).status,
    ).toBe(201)
    expect(
      (
        await t.app.request(`/api/me/progress/${other.id}`, {
          method: 'PUT',
          ...json({ position: 60, duration: 1200 }, asLeaving),
        })
      ).status,
    ).toBe(200)

    expect(
      (await t.app.request(`/api/users/${leaving.id}`, { method: 'DELETE', headers: asAdmin })).status,
    ).toBe(204)

    const db = t.deps.db
    const { watchlist, progress, sessions, apiTokens, users, series } = await import('../../db/schema.ts')
    expect(await db.select().from(watchlist).where(eq(watchlist.userId, leaving.id))).toEqual([])
    expect(await db.select().from(progress).where(eq(progress.userId, leaving.id))).toEqual([])
    expect(await db.select().from(sessions).where(eq(sessions.userId, leaving.id))).toEqual([])
    expect(await db.select().from(apiTokens).where(eq(apiTokens.userId, leaving.id))).toEqual([])
    expect(await db.select().from(users).where(eq(users.id, leaving.id))).toEqual([])
    // Signed out everywhere.
    expect((await t.app.request('/api/auth/me', { headers: { cookie } })).status).toBe(401)
    expect((await t.app.request('/api/auth/me', { headers: asLeaving })).status).toBe(401)
    // What they made stays.
    const movie = await (await t.app.request(`/api/movies/${own.id}`)).json()
    expect(movie).toMatchObject({ id: own.id, owner: null })
    const [kept] = await db.select().from(series).where(eq(series.id, ownSeries.id))
    expect(kept).toMatchObject({ name: 'Left series', ownerId: null })
  })
})

describe('sessions, remembered for a while', () => {
  it('end at once when the account is demoted, deactivated or deleted, or signs out', async () => {
    const u = await t.createUser('remembered', 'uploader')
    const cookie = await t.login(u.username, u.password)
    const asCookie = { cookie, origin: 'http://localhost' }
    const create = () =>
      t.app.request('/api/movies', { method: 'POST', ...json({ name: 'By cookie' }, asCookie) })
    // Used once, so the session is in the cache from now on.
    expect((await create()).status).toBe(201)

    const patch = (body: Record<string, unknown>) =>
      t.app.request(`/api/users/${u.id}`, { method: 'PATCH', ...json(body, asAdmin) })
    expect((await patch({ role: 'viewer' })).status).toBe(200)
    expect((await create()).status).toBe(403)
    expect((await patch({ role: 'uploader' })).status).toBe(200)
    expect((await create()).status).toBe(201)
    expect((await patch({ active: false })).status).toBe(200)
    expect((await t.app.request('/api/auth/me', { headers: { cookie } })).status).toBe(401)
    expect((await patch({ active: true })).status).toBe(200)

    const again = await t.login(u.username, u.password)
    expect((await t.app.request('/api/auth/me', { headers: { cookie: again } })).status).toBe(200)
    const out = await t.app.request('/api/auth/logout', {
      method: 'POST',
      headers: { cookie: again, origin: 'http://localhost' },
    })
    expect(out.status).toBe(204)
    expect((await t.app.request('/api/auth/me', { headers: { cookie: again } })).status).toBe(401)

    const last = await t.login(u.username, u.password)
    expect((await t.app.request('/api/auth/me', { headers: { cookie: last } })).status).toBe(200)
    expect((await t.app.request(`/api/users/${u.id}`, { method: 'DELETE', headers: asAdmin })).status).toBe(
      204,
    )
    expect((await t.app.request('/api/auth/me', { headers: { cookie: last } })).status).toBe(401)
  })
})
