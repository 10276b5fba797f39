import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { movies } from '../../db/schema.ts'
import { json, makeTestApp, type TestApp, type TestUser } from '../support/app.ts'

let t: TestApp
let admin: TestUser
let alice: TestUser
let bob: TestUser
let asAdmin: Record<string, string>
let asAlice: Record<string, string>
let asBob: Record<string, string>

beforeAll(async () => {
  t = await makeTestApp()
  admin = await t.createUser('admin', 'admin')
  alice = await t.createUser('alice')
  bob = await t.createUser('bob')
  asAdmin = await t.headersFor(admin)
  asAlice = await t.headersFor(alice)
  asBob = await t.headersFor(bob)
})
afterAll(() => t.close())

async function create(headers: Record<string, string>, body: Record<string, unknown>) {
  const res = await t.app.request('/api/movies', { method: 'POST', ...json(body, headers) })
  expect(res.status).toBe(201)
  return (await res.json()) as { id: string; [k: string]: unknown }
}

/** Publishing is the media issue's job; here a row is marked ready directly to test visibility. */
async function markReady(id: string) {
  await t.deps.db.update(movies).set({ status: 'ready' }).where(eq(movies.id, id))
}

describe('movie CRUD', () => {
  it('creates a draft owned by the caller, then reads, updates and deletes it', async () => {
    const created = await create(asAlice, { name: 'Shield Hero 1', description: 'A hero with a shield' })
    expect(created).toMatchObject({
      name: 'Shield Hero 1',
      description: 'A hero with a shield',
      active: true,
      status: 'draft',
      duration: null,
      manifestUrl: null,
      owner: { id: alice.id, username: 'alice' },
    })
    expect(created.id).toMatch(/^[A-Za-z0-9]{16}$/)

    const got = await t.app.request(`/api/movies/${created.id}`, { headers: asAlice })
    expect(got.status).toBe(200)
    expect(await got.json()).toEqual(created)

    const patched = await t.app.request(`/api/movies/${created.id}`, {
      method: 'PATCH',
      ...json({ name: 'Shield Hero, episode 1', active: false }, asAlice),
    })
    expect(patched.status).toBe(200)
    const body = (await patched.json()) as Record<string, unknown>
    expect(body).toMatchObject({
      name: 'Shield Hero, episode 1',
      active: false,
      description: 'A hero with a shield',
    })
    expect(Date.parse(body.updatedAt as string)).toBeGreaterThanOrEqual(
      Date.parse(created.updatedAt as string),
    )

    const del = await t.app.request(`/api/movies/${created.id}`, { method: 'DELETE', headers: asAlice })
    expect(del.status).toBe(204)
    const gone = await t.app.request(`/api/movies/${created.id}`, { headers: asAlice })
    expect(gone.status).toBe(404)
    expect(gone.headers.get('content-type')).toBe('application/problem+json')
  })

  it('answers a create with a Location header pointing at the new movie', async () => {
    const res = await t.app.request('/api/movies', { method: 'POST', ...json({ name: 'Located' }, asBob) })
    const body = (await res.json()) as { id: string }
    expect(res.headers.get('location')).toBe(`/api/movies/${body.id}`)
  })

  it('deletes the files of a deleted movie from the store', async () => {
    const m = await create(asAlice, { name: 'With files' })
    await t.deps.blobs.put(`movies/${m.id}/manifest.mpd`, new TextEncoder().encode('<MPD/>'))
    await t.deps.blobs.put(`movies/${m.id}/v0/init.mp4`, new Uint8Array([1, 2, 3]))
    expect(await t.deps.blobs.list(`movies/${m.id}/`)).toHaveLength(2)
    const del = await t.app.request(`/api/movies/${m.id}`, { method: 'DELETE', headers: asAlice })
    expect(del.status).toBe(204)
    expect(await t.deps.blobs.list(`movies/${m.id}/`)).toHaveLength(0)
  })
})

describe('who sees and changes what', () => {
  let draft: string
  let inactive: string
  let published: string

  beforeAll(async () => {
    draft = (await create(asAlice, { name: 'Roles draft' })).id
    inactive = (await create(asAlice, { name: 'Roles inactive', active: false })).id
    await markReady(inactive)
    published = (await create(asAlice, { name: 'Roles published' })).id
    await markReady(published)
  })

  const ids = async (headers: Record<string, string>) => {
    const res = await t.app.request('/api/movies?q=roles&limit=100', { headers })
    expect(res.status).toBe(200)
    return ((await res.json()) as { items: { id: string }[] }).items.map((m) => m.id).sort()
  }

  it('shows anonymous callers only published, active movies', async () => {
    expect(await ids({})).toEqual([published])
    expect((await t.app.request(`/api/movies/${draft}`)).status).toBe(404)
    expect((await t.app.request(`/api/movies/${inactive}`)).status).toBe(404)
    expect((await t.app.request(`/api/movies/${published}`)).status).toBe(200)
  })

  it("shows an uploader their own drafts but not someone else's", async () => {
    expect(await ids(asAlice)).toEqual([draft, inactive, published].sort())
    expect(await ids(asBob)).toEqual([published])
    expect((await t.app.request(`/api/movies/${draft}`, { headers: asBob })).status).toBe(404)
  })

  it('shows admins everything', async () => {
    expect(await ids(asAdmin)).toEqual([draft, inactive, published].sort())
  })

  it("refuses an uploader changing or deleting another's movie", async () => {
    const patch = await t.app.request(`/api/movies/${published}`, {
      method: 'PATCH',
      ...json({ name: 'Hijacked' }, asBob),
    })
    expect(patch.status).toBe(403)
    const hidden = await t.app.request(`/api/movies/${draft}`, {
      method: 'PATCH',
      ...json({ name: 'x' }, asBob),
    })
    expect(hidden.status).toBe(404)
    const del = await t.app.request(`/api/movies/${published}`, { method: 'DELETE', headers: asBob })
    expect(del.status).toBe(403)
    const still = (await (await t.app.request(`/api/movies/${published}`)).json()) as { name: string }
    expect(still.name).toBe('Roles published')
  })

  it('lets an admin change anyone’s movie', async () => {
    const res = await t.app.request(`/api/movies/${draft}`, {
      method: 'PATCH',
      ...json({ description: 'by admin' }, asAdmin),
    })
    expect(res.status).toBe(200)
    expect(((await res.json()) as { description: string }).description).toBe('by admin')
  })

  it('refuses anonymous writes with 401', async () => {
    const res = await t.app.request('/api/movies', { method: 'POST', ...json({ name: 'anon' }) })
    expect(res.status).toBe(401)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    const del = await t.app.request(`/api/movies/${published}`, { method: 'DELETE' })
    expect(del.status).toBe(401)
  })

  it('filters by active and narrows to the caller with mine=true', async () => {
    const res = await t.app.request('/api/movies?q=roles&active=false', { headers: asAdmin })
    const items = ((await res.json()) as { items: { id: string }[] }).items
    expect(items.map((m) => m.id)).toEqual([inactive])
    const mine = await t.app.request('/api/movies?mine=true&limit=100', { headers: asBob })
    const mineItems = ((await mine.json()) as { items: { owner: { id: string } }[] }).items
    expect(mineItems.length).toBeGreaterThan(0)
    expect(mineItems.every((m) => m.owner.id === bob.id)).toBe(true)
  })
})

describe('search', () => {
  it('finds a movie by a word in its description, and by a word prefix', async () => {
    const m = await create(asAdmin, {
      name: 'Plain title',
      description: 'Featuring an enormous turquoise dragon',
    })
    const other = await create(asAdmin, { name: 'Other', description: 'Nothing of note' })
    const res = await t.app.request('/api/movies?q=turquoise', { headers: asAdmin })
    const items = ((await res.json()) as { items: { id: string }[] }).items
    expect(items.map((i) => i.id)).toEqual([m.id])
    const prefix = await t.app.request('/api/movies?q=turqu%20drag', { headers: asAdmin })
    expect(((await prefix.json()) as { items: { id: string }[] }).items.map((i) => i.id)).toEqual([m.id])
    const none = await t.app.request('/api/movies?q=turquoise%20nothing', { headers: asAdmin })
    expect(((await none.json()) as { items: unknown[] }).items).toEqual([])
    expect(other.id).not.toBe(m.id)
  })

  it('follows renames and ignores FTS syntax typed by a person', async () => {
    const m = await create(asAdmin, { name: 'Before rename' })
    await t.app.request(`/api/movies/${m.id}`, {
      method: 'PATCH',
      ...json({ name: 'Zanzibar nights' }, asAdmin),
    })
    const found = await t.app.request('/api/movies?q=zanzibar', { headers: asAdmin })
    expect(((await found.json()) as { items: { id: string }[] }).items.map((i) => i.id)).toEqual([m.id])
    const old = await t.app.request('/api/movies?q=before%20rename', { headers: asAdmin })
    expect(((await old.json()) as { items: unknown[] }).items).toEqual([])
    const weird = await t.app.request(`/api/movies?q=${encodeURIComponent('"zanzibar" OR NEAR( *')}`, {
      headers: asAdmin,
    })
    expect(weird.status).toBe(200)
  })
})

describe('pagination', () => {
  it('visits every row exactly once while rows are being inserted', async () => {
    const p = await makeTestApp()
    try {
      const owner = await p.createUser('pager', 'admin')
      const headers = await p.headersFor(owner)
      const before: string[] = []
      for (let i = 0; i < 45; i++) {
        const res = await p.app.request('/api/movies', {
          method: 'POST',
          ...json({ name: `m${i}` }, headers),
        })
        before.push(((await res.json()) as { id: string }).id)
      }
      for (const sort of ['newest', 'oldest', 'name'] as const) {
        const seen: string[] = []
        let cursor: string | null = null
        let pages = 0
        do {
          const url: string = `/api/movies?limit=7&sort=${sort}${cursor ? `&cursor=${cursor}` : ''}`
          const res = await p.app.request(url, { headers })
          expect(res.status).toBe(200)
          const page = (await res.json()) as { items: { id: string }[]; nextCursor: string | null }
          seen.push(...page.items.map((m) => m.id))
          cursor = page.nextCursor
          // Insert between page reads, as other uploaders would.
          await p.app.request('/api/movies', {
            method: 'POST',
            ...json({ name: `late-${sort}-${pages}` }, headers),
          })
          pages++
        } while (cursor)
        expect(new Set(seen).size).toBe(seen.length)
        for (const id of before) expect(seen).toContain(id)
        expect(pages).toBeGreaterThan(6)
      }
    } finally {
      await p.close()
    }
  })

  it('orders newest first by default', async () => {
    const res = await t.app.request('/api/movies?limit=100', { headers: asAdmin })
    const items = ((await res.json()) as { items: { createdAt: string }[] }).items
    const times = items.map((m) => Date.parse(m.createdAt))
    expect(times).toEqual([...times].sort((a, b) => b - a))
  })

  it('rejects a forged cursor naming the field', async () => {
    const res = await t.app.request('/api/movies?cursor=bm9wZQ')
    expect(res.status).toBe(422)
    const body = (await res.json()) as { errors: { field: string }[] }
    expect(body.errors[0]?.field).toBe('cursor')
  })
})
