/**
 * Series and episodes: CRUD and who may do it, episode numbers, the movie's place in its series,
 * listing, the next episode to watch across seasons, posters, and deleting a series.
 */
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { movies } from '../../db/schema.ts'
import { sha256Hex } from '../../server/lib/crypto.ts'
import { json, makeTestApp, type TestApp, type TestUser } from '../support/app.ts'
import { type Headers, markPublished, ok, requester } from './calls.ts'

interface EpisodeRef {
  id: string
  name: string
  season: number
  episode: number
}
interface MovieJson {
  id: string
  name: string
  series: { id: string; name: string } | null
  season: number | null
  episode: number | null
  previousEpisode: EpisodeRef | null
  nextEpisode: EpisodeRef | null
  posterUrl: string | null
  progress: { watched: boolean; inProgress: boolean; position: number } | null
  inWatchlist: boolean | null
}
interface SeriesJson {
  id: string
  name: string
  posterUrl: string | null
  episodeCount: number
  seasons: { season: number; episodeCount: number; nextFreeEpisode: number | null }[]
  next: (EpisodeRef & { progress: MovieJson['progress'] }) | null
  inWatchlist: boolean | null
  owner: { id: string; username: string } | null
}

let t: TestApp
let admin: TestUser
let maker: TestUser
let rival: TestUser
let viewer: TestUser
let asAdmin: Headers
let asMaker: Headers
let asRival: Headers
let asViewer: Headers

beforeAll(async () => {
  t = await makeTestApp()
  admin = await t.createUser('series-admin', 'admin')
  maker = await t.createUser('series-maker', 'uploader')
  rival = await t.createUser('series-rival', 'uploader')
  viewer = await t.createUser('series-viewer', 'viewer')
  asAdmin = await t.headersFor(admin)
  asMaker = await t.headersFor(maker)
  asRival = await t.headersFor(rival)
  asViewer = await t.headersFor(viewer)
})
afterAll(() => t.close())

const request = (...args: Parameters<ReturnType<typeof requester>>) => requester(t)(...args)

const newSeries = (headers: Headers, name: string) =>
  ok<SeriesJson>(request('POST', '/api/series', headers, { name }), 201)

const newMovie = (headers: Headers, body: Record<string, unknown>) =>
  ok<MovieJson>(request('POST', '/api/movies', headers, body), 201)

/** Published directly, with a poster or not. */
const publish = (id: string, poster: string | null = null) => markPublished(t, id, { poster })

const watch = (headers: Headers, id: string, position: number) =>
  ok(request('PUT', `/api/me/progress/${id}`, headers, { position, duration: 1200 }))

describe('series CRUD', () => {
  it('lets uploaders create and change their own series, admins any, viewers none', async () => {
    const s = await newSeries(asMaker, 'Shield Hero')
    expect(s).toMatchObject({
      name: 'Shield Hero',
      owner: { id: maker.id, username: 'series-maker' },
      episodeCount: 0,
      seasons: [],
      next: null,
      inWatchlist: false,
    })
    expect((await request('POST', '/api/series', asViewer, { name: 'Nope' })).status).toBe(403)
    expect((await request('POST', '/api/series', {}, { name: 'Nope' })).status).toBe(401)

    // Empty: only its owner and admins see it.
    expect((await request('GET', `/api/series/${s.id}`, asMaker)).status).toBe(200)
    expect((await request('GET', `/api/series/${s.id}`, asAdmin)).status).toBe(200)
    expect((await request('GET', `/api/series/${s.id}`, asViewer)).status).toBe(404)
    expect((await request('GET', `/api/series/${s.id}`)).status).toBe(404)
    expect((await request('GET', `/api/series/${s.id}`, asRival)).status).toBe(404)

    const renamed = await ok<SeriesJson>(
      request('PATCH', `/api/series/${s.id}`, asMaker, { name: 'Shield Hero!' }),
    )
    expect(renamed.name).toBe('Shield Hero!')
    const byAdmin = await ok<SeriesJson>(
      request('PATCH', `/api/series/${s.id}`, asAdmin, { description: 'By admin' }),
    )
    expect(byAdmin).toMatchObject({ name: 'Shield Hero!' })

    // Visible through a published episode, but still not the rival's to change.
    const ep = await newMovie(asMaker, { name: 'Pilot', seriesId: s.id })
    await publish(ep.id)
    expect((await request('GET', `/api/series/${s.id}`, asRival)).status).toBe(200)
    expect((await request('PATCH', `/api/series/${s.id}`, asRival, { name: 'Mine now' })).status).toBe(403)
    expect((await request('DELETE', `/api/series/${s.id}`, asRival)).status).toBe(403)
    expect((await request('PATCH', `/api/series/${s.id}`, asViewer, { name: 'Mine now' })).status).toBe(403)
  })

  it('deleting a series leaves its movies, unlinked, and takes it off watch lists', async () => {
    const s = await newSeries(asMaker, 'Doomed')
    const a = await newMovie(asMaker, { name: 'Doomed 1', seriesId: s.id })
    const b = await newMovie(asMaker, { name: 'Doomed 2', seriesId: s.id })
    await publish(a.id)
    await publish(b.id)
    expect((await request('PUT', `/api/me/watchlist/${s.id}`, asViewer)).status).toBe(201)

    expect((await request('DELETE', `/api/series/${s.id}`, asMaker)).status).toBe(204)
    expect((await request('GET', `/api/series/${s.id}`, asAdmin)).status).toBe(404)
    for (const m of [a, b]) {
      const movie = await ok<MovieJson>(request('GET', `/api/movies/${m.id}`, asViewer))
      expect(movie).toMatchObject({
        series: null,
        season: null,
        episode: null,
        nextEpisode: null,
        previousEpisode: null,
      })
    }
    const list = await ok<{ items: unknown[] }>(request('GET', '/api/me/watchlist', asViewer))
    expect(JSON.stringify(list)).not.toContain(s.id)
    // Now standalone: in the catalog grid.
    const grid = await ok<{ items: MovieJson[] }>(
      request('GET', '/api/movies?standalone=true&limit=100', asViewer),
    )
    expect(grid.items.map((m) => m.id)).toEqual(expect.arrayContaining([a.id, b.id]))
  })
})

describe('episodes', () => {
  let s: SeriesJson

  beforeAll(async () => {
    s = await newSeries(asMaker, 'Numbered')
  })

  it('get season 1 and the next free number unless told otherwise', async () => {
    const first = await newMovie(asMaker, { name: 'N1', seriesId: s.id })
    const second = await newMovie(asMaker, { name: 'N2', seriesId: s.id })
    const special = await newMovie(asMaker, { name: 'N0', seriesId: s.id, season: 0, episode: 0 })
    const s2 = await newMovie(asMaker, { name: 'N2x1', seriesId: s.id, season: 2 })
    expect([first, second, special, s2].map((m) => [m.season, m.episode])).toEqual([
      [1, 1],
      [1, 2],
      [0, 0],
      [2, 1],
    ])
    expect(first.series).toEqual({ id: s.id, name: 'Numbered' })
  })

  it('refuse a taken number with a 409, and a season without a series with a 422', async () => {
    const taken = await request('POST', '/api/movies', asMaker, {
      name: 'Dup',
      seriesId: s.id,
      season: 1,
      episode: 2,
    })
    expect(taken.status).toBe(409)
    expect(await taken.json()).toMatchObject({
      type: '/problems/episode-taken',
      errors: [{ field: 'episode' }],
    })
    const loose = await request('POST', '/api/movies', asMaker, { name: 'Loose', episode: 3 })
    expect(loose.status).toBe(422)
    const standalone = await newMovie(asMaker, { name: 'Standalone' })
    const patched = await request('PATCH', `/api/movies/${standalone.id}`, asMaker, { season: 2 })
    expect(patched.status).toBe(422)
  })

  it("cannot go into someone else's series (admins may)", async () => {
    const res = await request('POST', '/api/movies', asRival, { name: 'Intruder', seriesId: s.id })
    expect(res.status).toBe(403)
    const mine = await newMovie(asRival, { name: 'Intruder 2' })
    expect((await request('PATCH', `/api/movies/${mine.id}`, asRival, { seriesId: s.id })).status).toBe(403)
    expect(
      (await request('POST', '/api/movies', asRival, { name: 'x', seriesId: 'AAAAAAAAAAAAAAAA' })).status,
    ).toBe(404)
    const byAdmin = await newMovie(asAdmin, { name: 'Admin episode', seriesId: s.id, season: 3 })
    expect(byAdmin).toMatchObject({ season: 3, episode: 1 })
  })

  it('move between seasons, renumber, and leave their series', async () => {
    const m = await newMovie(asMaker, { name: 'Mover', seriesId: s.id })
    expect(m).toMatchObject({ season: 1, episode: 3 })
    const moved = await ok<MovieJson>(request('PATCH', `/api/movies/${m.id}`, asMaker, { season: 2 }))
    expect(moved).toMatchObject({ season: 2, episode: 2 })
    const renumbered = await ok<MovieJson>(request('PATCH', `/api/movies/${m.id}`, asMaker, { episode: 7 }))
    expect(renumbered).toMatchObject({ season: 2, episode: 7 })
    // Changing only the name keeps its place.
    const renamed = await ok<MovieJson>(request('PATCH', `/api/movies/${m.id}`, asMaker, { name: 'Mover!' }))
    expect(renamed).toMatchObject({ season: 2, episode: 7 })
    const out = await ok<MovieJson>(request('PATCH', `/api/movies/${m.id}`, asMaker, { seriesId: null }))
    expect(out).toMatchObject({ series: null, season: null, episode: null })
  })

  it('tell the upload page the next free number of each season (owners and admins only)', async () => {
    const mine = await ok<SeriesJson>(request('GET', `/api/series/${s.id}`, asMaker))
    expect(mine.seasons).toEqual([
      { season: 0, episodeCount: 1, nextFreeEpisode: 1 },
      { season: 1, episodeCount: 2, nextFreeEpisode: 3 },
      { season: 2, episodeCount: 1, nextFreeEpisode: 2 },
      // The admin's draft: not visible to the owner, so no season 3 here…
    ])
    const asTheAdmin = await ok<SeriesJson>(request('GET', `/api/series/${s.id}`, asAdmin))
    expect(asTheAdmin.seasons.find((x) => x.season === 3)).toEqual({
      season: 3,
      episodeCount: 1,
      nextFreeEpisode: 2,
    })
    // …but its number counts: the owner's next upload into season 3 does not collide with it.
    const next = await newMovie(asMaker, { name: 'After the admin', seriesId: s.id, season: 3 })
    expect(next.episode).toBe(2)
  })
})

describe('a series as the catalog and the series page show it', () => {
  let s: SeriesJson
  const eps: Record<string, MovieJson> = {}

  beforeAll(async () => {
    s = await newSeries(asMaker, 'Across Seasons')
    // Created out of order on purpose: order comes from (season, episode), not creation.
    for (const [key, season, episode] of [
      ['s2e2', 2, 2],
      ['s1e2', 1, 2],
      ['s2e1', 2, 1],
      ['s1e1', 1, 1],
    ] as const) {
      eps[key] = await newMovie(asMaker, { name: key.toUpperCase(), seriesId: s.id, season, episode })
      await publish(eps[key].id, key === 's1e2' ? 'poster.jpg' : null)
    }
    // A draft episode: seen by its owner, nobody else.
    eps.draft = await newMovie(asMaker, { name: 'S2E3 draft', seriesId: s.id, season: 2, episode: 3 })
  })

  it('lists episodes in order, counting only those the caller may see', async () => {
    const detail = await ok<SeriesJson & { episodes: MovieJson[] }>(
      request('GET', `/api/series/${s.id}`, asViewer),
    )
    expect(detail.episodes.map((e) => e.name)).toEqual(['S1E1', 'S1E2', 'S2E1', 'S2E2'])
    expect(detail.episodeCount).toBe(4)
    expect(detail.seasons).toEqual([
      { season: 1, episodeCount: 2, nextFreeEpisode: null },
      { season: 2, episodeCount: 2, nextFreeEpisode: null },
    ])
    const owner = await ok<SeriesJson & { episodes: MovieJson[] }>(
      request('GET', `/api/series/${s.id}`, asMaker),
    )
    expect(owner.episodes.map((e) => e.name)).toEqual(['S1E1', 'S1E2', 'S2E1', 'S2E2', 'S2E3 draft'])
  })

  it("falls back to the first episode's poster", async () => {
    const detail = await ok<SeriesJson>(request('GET', `/api/series/${s.id}`))
    expect(detail.posterUrl).toBe(`/media/${eps.s1e2!.id}/poster.jpg`)
  })

  it('gives each episode its neighbours across seasons', async () => {
    const m = await ok<MovieJson>(request('GET', `/api/movies/${eps.s1e2!.id}`, asViewer))
    expect(m.previousEpisode).toEqual({ id: eps.s1e1!.id, name: 'S1E1', season: 1, episode: 1 })
    expect(m.nextEpisode).toEqual({ id: eps.s2e1!.id, name: 'S2E1', season: 2, episode: 1 })
    const last = await ok<MovieJson>(request('GET', `/api/movies/${eps.s2e2!.id}`, asViewer))
    expect(last.nextEpisode).toBeNull()
    // Its owner sees the draft as the next one.
    const forOwner = await ok<MovieJson>(request('GET', `/api/movies/${eps.s2e2!.id}`, asMaker))
    expect(forOwner.nextEpisode?.name).toBe('S2E3 draft')
    // The same in lists.
    const listed = await ok<{ items: MovieJson[] }>(request('GET', `/api/movies?series=${s.id}`, asViewer))
    expect(listed.items.find((x) => x.id === eps.s1e1!.id)?.nextEpisode?.id).toBe(eps.s1e2!.id)
    expect(listed.items).toHaveLength(4)
  })

  it('computes the next episode to watch across seasons', async () => {
    const fan = await t.createUser('across-fan', 'viewer')
    const asFan = await t.headersFor(fan)
    const next = async () => (await ok<SeriesJson>(request('GET', `/api/series/${s.id}`, asFan))).next
    expect((await next())?.id).toBe(eps.s1e1!.id)
    // Anonymous callers are offered the first episode.
    expect((await ok<SeriesJson>(request('GET', `/api/series/${s.id}`))).next?.id).toBe(eps.s1e1!.id)

    await watch(asFan, eps.s1e1!.id, 1190)
    expect((await next())?.id).toBe(eps.s1e2!.id)
    await watch(asFan, eps.s1e2!.id, 1150) // 50 s left: the credits
    const n = await next()
    expect(n).toMatchObject({ id: eps.s2e1!.id, season: 2, episode: 1, progress: null })

    // Stopped in the middle: that one, with where it stopped.
    await watch(asFan, eps.s2e1!.id, 300)
    expect(await next()).toMatchObject({ id: eps.s2e1!.id, progress: { inProgress: true, position: 300 } })

    await watch(asFan, eps.s2e1!.id, 1200)
    expect((await next())?.id).toBe(eps.s2e2!.id)

    // Rewatching an earlier episode does not send them back: the in-progress one is the latest activity…
    await watch(asFan, eps.s1e1!.id, 100)
    expect((await next())?.id).toBe(eps.s1e1!.id)
    // …and once it is done again, the next unwatched after the last watched one comes back.
    await watch(asFan, eps.s1e1!.id, 1200)
    expect((await next())?.id).toBe(eps.s2e2!.id)

    await watch(asFan, eps.s2e2!.id, 1200)
    expect(await next()).toBeNull()

    // The same in the list.
    const list = await ok<{ items: SeriesJson[] }>(request('GET', '/api/series?limit=100', asFan))
    expect(list.items.find((x) => x.id === s.id)).toMatchObject({ next: null, episodeCount: 4 })
  })

  it('skips over a watched episode after a gap', async () => {
    const fan = await t.createUser('gap-fan', 'viewer')
    const asFan = await t.headersFor(fan)
    await watch(asFan, eps.s2e1!.id, 1200) // jumped straight to season 2
    const next = await ok<SeriesJson>(request('GET', `/api/series/${s.id}`, asFan))
    expect(next.next?.id).toBe(eps.s2e2!.id)
    // Marking S2E1 unwatched again: nothing watched, the start is next.
    await ok(request('DELETE', `/api/me/progress/${eps.s2e1!.id}/watched`, asFan))
    expect((await ok<SeriesJson>(request('GET', `/api/series/${s.id}`, asFan))).next?.id).toBe(eps.s1e1!.id)
  })

  it('shows the episodes with the caller’s own progress', async () => {
    const fan = await t.createUser('detail-fan', 'viewer')
    const asFan = await t.headersFor(fan)
    await watch(asFan, eps.s1e1!.id, 1200)
    const detail = await ok<{ episodes: MovieJson[] }>(request('GET', `/api/series/${s.id}`, asFan))
    expect(detail.episodes.map((e) => e.progress?.watched ?? null)).toEqual([true, null, null, null])
    const someoneElse = await ok<{ episodes: MovieJson[] }>(request('GET', `/api/series/${s.id}`, asRival))
    expect(someoneElse.episodes.map((e) => e.progress)).toEqual([null, null, null, null])
  })
})

describe('listing series', () => {
  let fresh: TestApp
  let asOwner: Headers

  beforeAll(async () => {
    let clock = Date.parse('2026-01-01T00:00:00Z')
    fresh = await makeTestApp({ now: () => (clock += 1000) })
    asOwner = await fresh.headersFor(await fresh.createUser('lister', 'uploader'))
  })
  afterAll(() => fresh.close())

  const post = async (path: string, body: unknown) => {
    const res = await fresh.app.request(path, { method: 'POST', ...json(body, asOwner) })
    expect(res.status).toBe(201)
    return (await res.json()) as { id: string }
  }
  const release = async (id: string, at: string) =>
    fresh.deps.db
      .update(movies)
      .set({ status: 'ready', publishedAt: new Date(at) })
      .where(eq(movies.id, id))

  it('orders by newest activity, searches by name and pages with a cursor', async () => {
    const ids: Record<string, string> = {}
    for (const name of ['Alpha Saga', 'Beta Saga', 'Gamma Tale', 'Empty Saga'])
      ids[name] = (await post('/api/series', { name })).id
    const alpha1 = await post('/api/movies', { name: 'a1', seriesId: ids['Alpha Saga'] })
    const beta1 = await post('/api/movies', { name: 'b1', seriesId: ids['Beta Saga'] })
    const gamma1 = await post('/api/movies', { name: 'g1', seriesId: ids['Gamma Tale'] })
    await release(alpha1.id, '2026-03-01T00:00:00Z')
    await release(beta1.id, '2026-02-01T00:00:00Z')
    await release(gamma1.id, '2026-04-01T00:00:00Z')

    const names = async (query: string, headers: Headers = {}) => {
      const res = await fresh.app.request(`/api/series${query}`, { headers })
      expect(res.status).toBe(200)
      return (await res.json()) as {
        items: { name: string; activityAt: string }[]
        nextCursor: string | null
      }
    }
    const anon = await names('')
    expect(anon.items.map((x) => x.name)).toEqual(['Gamma Tale', 'Alpha Saga', 'Beta Saga'])
    expect(anon.items[0]!.activityAt).toBe('2026-04-01T00:00:00.000Z')
    // The owner also sees the empty one (activity: its creation, in January).
    expect((await names('', asOwner)).items.map((x) => x.name)).toEqual([
      'Gamma Tale',
      'Alpha Saga',
      'Beta Saga',
      'Empty Saga',
    ])
    expect((await names('?mine=true', asOwner)).items).toHaveLength(4)

    expect((await names('?q=saga')).items.map((x) => x.name)).toEqual(['Alpha Saga', 'Beta Saga'])
    expect((await names('?q=GAM')).items.map((x) => x.name)).toEqual(['Gamma Tale'])
    expect((await names('?q=100%25')).items).toEqual([])

    const first = await names('?limit=2')
    expect(first.items.map((x) => x.name)).toEqual(['Gamma Tale', 'Alpha Saga'])
    const second = await names(`?limit=2&cursor=${first.nextCursor}`)
    expect(second).toMatchObject({ items: [{ name: 'Beta Saga' }], nextCursor: null })
    expect((await fresh.app.request('/api/series?cursor=bm9wZQ')).status).toBe(422)
  })
})

describe('the catalog filters', () => {
  it('standalone=true leaves episodes out; series=<id> keeps only them', async () => {
    const s = await newSeries(asMaker, 'Filter Show')
    const ep = await newMovie(asMaker, { name: 'Filter episode', seriesId: s.id })
    const solo = await newMovie(asMaker, { name: 'Filter solo' })
    await publish(ep.id)
    await publish(solo.id)
    const standalone = await ok<{ items: MovieJson[] }>(
      request('GET', '/api/movies?standalone=true&limit=100'),
    )
    expect(standalone.items.map((m) => m.id)).toContain(solo.id)
    expect(standalone.items.every((m) => m.series === null)).toBe(true)
    const only = await ok<{ items: MovieJson[] }>(request('GET', `/api/movies?series=${s.id}`))
    expect(only.items.map((m) => m.id)).toEqual([ep.id])
  })
})

describe('series posters', () => {
  let s: SeriesJson
  const png = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 1, 2, 3, 4])

  beforeAll(async () => {
    s = await newSeries(asMaker, 'Postered')
  })

  const upload = async (headers: Headers, body: Uint8Array, type = 'image/png', sha?: string) =>
    t.app.request(`/api/series/${s.id}/poster`, {
      method: 'PUT',
      headers: { ...headers, 'content-type': type, 'x-content-sha256': sha ?? (await sha256Hex(body)) },
      body: body as Uint8Array<ArrayBuffer>,
    })

  it('stores an uploaded poster, hash-checked, and serves it under /media', async () => {
    expect((await upload(asMaker, png, 'image/png', '0'.repeat(64))).status).toBe(400)
    expect((await upload(asMaker, png, 'image/gif')).status).toBe(415)
    expect((await upload(asViewer, png)).status).toBe(404) // an empty series: not visible to them
    expect((await upload(asRival, png)).status).toBe(404)

    const res = await upload(asMaker, png)
    expect(res.status).toBe(200)
    const json = (await res.json()) as SeriesJson
    expect(json.posterUrl).toMatch(new RegExp(`^/media/series/${s.id}/poster\\.png\\?v=[0-9a-f]{12}$`))

    // Only its owner sees an empty series, so only they get its poster.
    expect((await t.app.request(json.posterUrl!)).status).toBe(404)
    const own = await t.app.request(json.posterUrl!, { headers: asMaker })
    expect(own.status).toBe(200)
    expect(own.headers.get('content-type')).toBe('image/png')
    expect(own.headers.get('cache-control')).toBe('private, no-cache')
    expect(new Uint8Array(await own.arrayBuffer())).toEqual(png)

    // With a published episode, everyone may, and caches may keep it briefly.
    const ep = await newMovie(asMaker, { name: 'Postered 1', seriesId: s.id })
    await publish(ep.id, 'poster.jpg')
    const pub = await t.app.request(json.posterUrl!)
    expect(pub.status).toBe(200)
    expect(pub.headers.get('cache-control')).toBe('public, max-age=60')
    const etag = pub.headers.get('etag')!
    expect((await t.app.request(json.posterUrl!, { headers: { 'if-none-match': etag } })).status).toBe(304)
    const head = await t.app.request(json.posterUrl!, { method: 'HEAD' })
    expect(head.headers.get('content-length')).toBe(String(png.byteLength))
    // Its own poster wins over the episode's.
    expect((await ok<SeriesJson>(request('GET', `/api/series/${s.id}`))).posterUrl).toBe(json.posterUrl)
  })

  it('replaces a poster of another type and removes it again', async () => {
    const jpeg = new Uint8Array([255, 216, 255, 224, 9, 9])
    const res = await upload(asMaker, jpeg, 'image/jpeg')
    const json = (await res.json()) as SeriesJson
    expect(json.posterUrl).toContain('/poster.jpg?v=')
    expect((await t.app.request(`/media/series/${s.id}/poster.png`)).status).toBe(404)
    expect(await t.deps.blobs.list(`series/${s.id}/`)).toHaveLength(1)

    const removed = await ok<SeriesJson>(request('DELETE', `/api/series/${s.id}/poster`, asMaker))
    expect(removed.posterUrl).toMatch(/^\/media\/[A-Za-z0-9]{16}\/poster\.jpg$/)
    expect(await t.deps.blobs.list(`series/${s.id}/`)).toEqual([])
  })
})
