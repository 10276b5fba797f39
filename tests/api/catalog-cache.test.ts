/**
 * Anonymous catalog answers are kept per server process (services/catalog-cache.ts). Two apps on
 * one database stand for two server processes: whatever one changes, the other's next anonymous
 * answer shows, and signed-in callers still get answers of their own.
 */
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { catalogGeneration, movies, users } from '../../db/schema.ts'
import { createApp } from '../../server/app.ts'
import { json, makeTestApp, type TestApp, type TestUser } from '../support/app.ts'
import { sha256Of } from '../support/bytes.ts'

let t: TestApp
/** The other process: its own runtime (and caches) on the same database. */
let other: ReturnType<typeof createApp>
let alice: TestUser
let asAlice: Record<string, string>

beforeAll(async () => {
  t = await makeTestApp()
  other = createApp(t.deps)
  alice = await t.createUser('alice-cache')
  asAlice = await t.headersFor(alice)
})
afterAll(() => t.close())

interface MovieOut {
  id: string
  name: string
  owner: { username: string } | null
  series: { name: string } | null
  inWatchlist: boolean | null
}

/** A published movie (marked ready directly: publishing is tested elsewhere). */
async function publishedMovie(name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await other.request('/api/movies', { method: 'POST', ...json({ name, ...extra }, asAlice) })
  expect(res.status).toBe(201)
  const { id } = (await res.json()) as { id: string }
  await t.deps.db.update(movies).set({ status: 'ready' }).where(eq(movies.id, id))
  return id
}

const anonymousList = async (q = '') =>
  ((await (await t.app.request(`/api/movies?limit=100${q}`)).json()) as { items: MovieOut[] }).items
const anonymousGet = async (id: string) => {
  const res = await t.app.request(`/api/movies/${id}`)
  return { status: res.status, body: (await res.json()) as MovieOut }
}
const generation = async () =>
  (await t.deps.db.select().from(catalogGeneration).where(eq(catalogGeneration.id, 1)))[0]!.n

describe('anonymous catalog answers kept by one process', () => {
  it('show a movie renamed, hidden or deleted through another process at the next request', async () => {
    const id = await publishedMovie('Kept answer')
    // Asked twice: the second answer is the kept one.
    for (let i = 0; i < 2; i++) {
      expect((await anonymousList()).map((m) => m.name)).toContain('Kept answer')
      expect((await anonymousGet(id)).body.name).toBe('Kept answer')
    }

    const renamed = await other.request(`/api/movies/${id}`, {
      method: 'PATCH',
      ...json({ name: 'Renamed elsewhere' }, asAlice),
    })
    expect(renamed.status).toBe(200)
    expect((await anonymousList()).map((m) => m.name)).toContain('Renamed elsewhere')
    expect((await anonymousList('&q=renamed')).map((m) => m.id)).toEqual([id])
    expect((await anonymousGet(id)).body.name).toBe('Renamed elsewhere')

    await other.request(`/api/movies/${id}`, { method: 'PATCH', ...json({ active: false }, asAlice) })
    expect((await anonymousList()).map((m) => m.id)).not.toContain(id)
    expect((await anonymousGet(id)).status).toBe(404)

    await other.request(`/api/movies/${id}`, { method: 'PATCH', ...json({ active: true }, asAlice) })
    expect((await anonymousGet(id)).status).toBe(200)
    expect((await other.request(`/api/movies/${id}`, { method: 'DELETE', headers: asAlice })).status).toBe(
      204,
    )
    expect((await anonymousList()).map((m) => m.id)).not.toContain(id)
    expect((await anonymousGet(id)).status).toBe(404)
  })

  it('show a new owner name and a renamed series', async () => {
    const created = await other.request('/api/series', {
      method: 'POST',
      ...json({ name: 'Old series' }, asAlice),
    })
    const seriesId = ((await created.json()) as { id: string }).id
    const id = await publishedMovie('Episode one', { seriesId, season: 1, episode: 1 })
    expect((await anonymousGet(id)).body.series?.name).toBe('Old series')
    expect((await anonymousGet(id)).body.owner?.username).toBe('alice-cache')

    await other.request(`/api/series/${seriesId}`, {
      method: 'PATCH',
      ...json({ name: 'New series' }, asAlice),
    })
    expect((await anonymousGet(id)).body.series?.name).toBe('New series')
    await t.deps.db.update(users).set({ username: 'alice-renamed' }).where(eq(users.id, alice.id))
    expect((await anonymousGet(id)).body.owner?.username).toBe('alice-renamed')
    expect((await anonymousList()).find((m) => m.id === id)?.owner?.username).toBe('alice-renamed')
  })

  it('give a signed-in viewer their own answer, list included', async () => {
    const id = await publishedMovie('On my list')
    expect((await anonymousGet(id)).body.inWatchlist).toBeNull()
    const viewer = await t.createUser(undefined, 'viewer')
    const asViewer = await t.headersFor(viewer)
    expect(
      (await other.request(`/api/me/watchlist/${id}`, { method: 'PUT', headers: asViewer })).status,
    ).toBeLessThan(300)
    const mine = (await (await t.app.request(`/api/movies/${id}`, { headers: asViewer })).json()) as MovieOut
    expect(mine.inWatchlist).toBe(true)
    expect((await anonymousGet(id)).body.inWatchlist).toBeNull()
  })

  it('are not thrown away by uploads, which change nothing the catalog shows', async () => {
    const res = await t.app.request('/api/movies', {
      method: 'POST',
      ...json({ name: 'Uploading' }, asAlice),
    })
    const { id } = (await res.json()) as { id: string }
    const before = await generation()
    const data = new TextEncoder().encode('segment bytes')
    const put = await t.app.request(`/api/movies/${id}/files/v/seg-1.m4s`, {
      method: 'PUT',
      headers: { ...asAlice, 'x-content-sha256': sha256Of(data) },
      body: data,
    })
    expect(put.status).toBe(201)
    // The movie's file totals moved (migration 0004's triggers), the catalog's generation did not.
    const [row] = await t.deps.db.select().from(movies).where(eq(movies.id, id))
    expect(row!.fileCount).toBe(1)
    expect(await generation()).toBe(before)
    await t.app.request(`/api/movies/${id}`, { method: 'PATCH', ...json({ name: 'Uploaded' }, asAlice) })
    expect(await generation()).toBe(before + 1)
  })
})
