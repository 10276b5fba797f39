import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTestApp, type TestApp, type TestUser } from '../support/app.ts'
import { type Headers, markPublished, ok, requester } from './calls.ts'

interface Progress {
  movieId: string
  position: number
  duration: number
  watched: boolean
  inProgress: boolean
  watchedAt: string | null
  updatedAt: string
}
interface MovieJson {
  id: string
  name: string
  inWatchlist: boolean | null
  progress: Progress | null
  season: number | null
  episode: number | null
}

let clock = Date.parse('2026-06-01T12:00:00Z')
let t: TestApp
let admin: TestUser
let uploader: TestUser
let alice: TestUser
let bob: TestUser
let asAdmin: Headers
let asUploader: Headers
let asAlice: Headers
let asBob: Headers

beforeAll(async () => {
  // Every read of the clock moves it a second on: "most recent first" is then never a tie.
  t = await makeTestApp({ now: () => (clock += 1000) })
  admin = await t.createUser('me-admin', 'admin')
  uploader = await t.createUser('me-uploader', 'uploader')
  alice = await t.createUser('alice-viewer', 'viewer')
  bob = await t.createUser('bob-viewer', 'viewer')
  asAdmin = await t.headersFor(admin)
  asUploader = await t.headersFor(uploader)
  asAlice = await t.headersFor(alice)
  asBob = await t.headersFor(bob)
})
afterAll(() => t.close())

const request = (...args: Parameters<ReturnType<typeof requester>>) => requester(t)(...args)

/** A published movie of `duration` seconds (publishing itself is tested elsewhere). */
async function movie(name: string, duration = 1200, extra: Record<string, unknown> = {}): Promise<string> {
  const { id } = await ok<{ id: string }>(request('POST', '/api/movies', asUploader, { name, ...extra }), 201)
  await markPublished(t, id, { duration })
  return id
}

const save = (headers: Headers, id: string, position: number, duration = 1200) =>
  request('PUT', `/api/me/progress/${id}`, headers, { position, duration })

describe('the watch list', () => {
  it('adds movies and series idempotently and lists them newest added first', async () => {
    const m1 = await movie('List movie 1')
    const m2 = await movie('List movie 2')
    const { id: s } = await ok<{ id: string }>(
      request('POST', '/api/series', asUploader, { name: 'List show' }),
      201,
    )
    await movie('List show 1', 1200, { seriesId: s })

    const first = await ok<{ addedAt: string }>(request('PUT', `/api/me/watchlist/${m1}`, asAlice), 201)
    expect(first).toMatchObject({ id: m1, kind: 'movie' })
    const again = await ok(request('PUT', `/api/me/watchlist/${m1}`, asAlice), 200)
    expect(again).toEqual({ id: m1, kind: 'movie', addedAt: first.addedAt })
    await ok(request('PUT', `/api/me/watchlist/${s}`, asAlice), 201)
    await ok(request('PUT', `/api/me/watchlist/${m2}`, asAlice), 201)

    const list = await ok<{ items: Record<string, unknown>[]; nextCursor: string | null }>(
      request('GET', '/api/me/watchlist', asAlice),
    )
    expect(list.items.map((i) => [i.kind, ((i.movie ?? i.series) as { id: string }).id])).toEqual([
      ['movie', m2],
      ['series', s],
      ['movie', m1],
    ])
    expect(list.items[1]).toMatchObject({ series: { name: 'List show', episodeCount: 1, inWatchlist: true } })
    expect(list.items[0]).toMatchObject({ movie: { name: 'List movie 2', inWatchlist: true } })

    // Pages.
    const page1 = await ok<{ items: unknown[]; nextCursor: string }>(
      request('GET', '/api/me/watchlist?limit=2', asAlice),
    )
    expect(page1.items).toHaveLength(2)
    const page2 = await ok<{ items: { movie: { id: string } }[]; nextCursor: null }>(
      request('GET', `/api/me/watchlist?limit=2&cursor=${page1.nextCursor}`, asAlice),
    )
    expect(page2.items.map((i) => i.movie.id)).toEqual([m1])
    expect(page2.nextCursor).toBeNull()

    // Every movie's JSON says whether it is on the caller's list.
    expect((await ok<MovieJson>(request('GET', `/api/movies/${m1}`, asAlice))).inWatchlist).toBe(true)
    expect((await ok<MovieJson>(request('GET', `/api/movies/${m1}`, asBob))).inWatchlist).toBe(false)
    expect((await ok<MovieJson>(request('GET', `/api/movies/${m1}`))).inWatchlist).toBeNull()
    const catalog = await ok<{ items: MovieJson[] }>(request('GET', '/api/movies?limit=100', asAlice))
    expect(
      catalog.items
        .filter((m) => m.inWatchlist)
        .map((m) => m.id)
        .sort(),
    ).toEqual([m1, m2].sort())

    // Removing is idempotent too.
    expect((await request('DELETE', `/api/me/watchlist/${m1}`, asAlice)).status).toBe(204)
    expect((await request('DELETE', `/api/me/watchlist/${m1}`, asAlice)).status).toBe(204)
    expect((await request('DELETE', `/api/me/watchlist/${s}`, asAlice)).status).toBe(204)
    const after = await ok<{ items: { movie: { id: string } }[] }>(
      request('GET', '/api/me/watchlist', asAlice),
    )
    expect(after.items.map((i) => i.movie.id)).toEqual([m2])
  })

  it('refuses what the caller cannot see, and hides what becomes invisible without forgetting it', async () => {
    const { id: draft } = await ok<{ id: string }>(
      request('POST', '/api/movies', asUploader, { name: 'Draft' }),
      201,
    )
    expect((await request('PUT', `/api/me/watchlist/${draft}`, asAlice)).status).toBe(404)
    expect((await request('PUT', '/api/me/watchlist/AAAAAAAAAAAAAAAA', asAlice)).status).toBe(404)
    expect((await request('PUT', '/api/me/watchlist/not-an-id', asAlice)).status).toBe(422)
    expect((await request('PUT', `/api/me/watchlist/${draft}`)).status).toBe(401)

    const m = await movie('Soon hidden')
    await ok(request('PUT', `/api/me/watchlist/${m}`, asBob), 201)
    await ok(request('PATCH', `/api/movies/${m}`, asUploader, { active: false }))
    const hidden = await ok<{ items: { movie: { id: string } }[] }>(
      request('GET', '/api/me/watchlist', asBob),
    )
    expect(hidden.items.map((i) => i.movie.id)).not.toContain(m)
    await ok(request('PATCH', `/api/movies/${m}`, asUploader, { active: true }))
    const back = await ok<{ items: { movie: { id: string } }[] }>(request('GET', '/api/me/watchlist', asBob))
    expect(back.items.map((i) => i.movie.id)).toContain(m)
  })
})

describe('progress', () => {
  it('is saved idempotently and marks the movie watched past 90%', async () => {
    const m = await movie('Progress movie', 3000)
    const p1 = await ok<Progress>(save(asAlice, m, 300, 3000))
    expect(p1).toMatchObject({
      movieId: m,
      position: 300,
      duration: 3000,
      watched: false,
      inProgress: true,
      watchedAt: null,
    })
    const p2 = await ok<Progress>(save(asAlice, m, 300, 3000))
    expect({ ...p2, updatedAt: '' }).toEqual({ ...p1, updatedAt: '' })
    expect(await ok<Progress>(request('GET', `/api/me/progress/${m}`, asAlice))).toEqual(p2)

    expect(await ok<Progress>(save(asAlice, m, 2699, 3000))).toMatchObject({
      watched: false,
      inProgress: true,
    })
    const done = await ok<Progress>(save(asAlice, m, 2700, 3000))
    expect(done).toMatchObject({ watched: true, inProgress: false, position: 2700 })
    expect(done.watchedAt).toEqual(expect.any(String))
    // Watching again from the start keeps the watched mark, and offers to resume the rewatch.
    expect(await ok<Progress>(save(asAlice, m, 60, 3000))).toMatchObject({ watched: true, inProgress: true })
    // The movie's JSON carries it too.
    expect((await ok<MovieJson>(request('GET', `/api/movies/${m}`, asAlice))).progress).toMatchObject({
      position: 60,
      watched: true,
    })
  })

  it('counts the last two minutes as watched, once past the half-way point', async () => {
    // 1000 s: 90% is 900 s, the last two minutes start at 880 s.
    const short = await movie('Short one', 1000)
    expect(await ok<Progress>(save(asAlice, short, 879, 1000))).toMatchObject({ watched: false })
    expect(await ok<Progress>(save(asAlice, short, 880, 1000))).toMatchObject({ watched: true })
    const clip = await movie('Three-minute clip', 180)
    // 119 s left, but only a third in: not watched.
    expect(await ok<Progress>(save(asAlice, clip, 61, 180))).toMatchObject({
      watched: false,
      inProgress: true,
    })
    expect(await ok<Progress>(save(asAlice, clip, 90, 180))).toMatchObject({ watched: true })
  })

  it('clamps a position past the end, and refuses nonsense', async () => {
    const m = await movie('Known length', 600)
    expect(await ok<Progress>(save(asAlice, m, 700, 600))).toMatchObject({
      position: 600,
      duration: 600,
      watched: true,
    })
    expect((await save(asAlice, m, -1)).status).toBe(422)
    expect((await save(asAlice, m, 10, 0)).status).toBe(422)
    const extra = await request('PUT', `/api/me/progress/${m}`, asAlice, { position: 1, duration: 2, x: 1 })
    expect(extra.status).toBe(422)
    const { id: draft } = await ok<{ id: string }>(
      request('POST', '/api/movies', asUploader, { name: 'Draft' }),
      201,
    )
    expect((await save(asAlice, draft, 10)).status).toBe(404)
    expect((await save({}, m, 10)).status).toBe(401)
  })

  it('answers 404 when there is none', async () => {
    const m = await movie('Never watched')
    const res = await request('GET', `/api/me/progress/${m}`, asAlice)
    expect(res.status).toBe(404)
    expect(await res.json()).toMatchObject({ type: '/problems/progress-not-found' })
  })

  it('is marked watched and unwatched explicitly, idempotently', async () => {
    const m = await movie('Marked', 1000)
    const w1 = await ok<Progress>(request('PUT', `/api/me/progress/${m}/watched`, asAlice))
    expect(w1).toMatchObject({ watched: true, inProgress: false, position: 1000, duration: 1000 })
    expect(await ok<Progress>(request('PUT', `/api/me/progress/${m}/watched`, asAlice))).toMatchObject({
      watched: true,
    })
    const u = await ok<Progress>(request('DELETE', `/api/me/progress/${m}/watched`, asAlice))
    expect(u).toMatchObject({ watched: false, inProgress: false, position: 0, watchedAt: null })
    expect(await ok<Progress>(request('DELETE', `/api/me/progress/${m}/watched`, asAlice))).toMatchObject({
      watched: false,
    })
  })

  it('lists history most recent first, by state, and forgets one or all', async () => {
    const carol = await t.createUser('carol-viewer', 'viewer')
    const asCarol = await t.headersFor(carol)
    const a = await movie('History A', 1000)
    const b = await movie('History B', 1000)
    const c = await movie('History C', 1000)
    await ok(save(asCarol, a, 100, 1000))
    await ok(save(asCarol, b, 950, 1000))
    await ok(save(asCarol, c, 200, 1000))
    const ids = async (query: string) =>
      (
        await ok<{ items: (Progress & { movie: { id: string } })[] }>(
          request('GET', `/api/me/progress${query}`, asCarol),
        )
      ).items.map((i) => i.movie.id)
    expect(await ids('')).toEqual([c, b, a])
    expect(await ids('?state=watching')).toEqual([c, a])
    expect(await ids('?state=watched')).toEqual([b])
    const page = await ok<{ nextCursor: string }>(request('GET', '/api/me/progress?limit=2', asCarol))
    expect(await ids(`?limit=2&cursor=${page.nextCursor}`)).toEqual([a])

    expect((await request('DELETE', `/api/me/progress/${c}`, asCarol)).status).toBe(204)
    expect((await request('DELETE', `/api/me/progress/${c}`, asCarol)).status).toBe(204)
    expect(await ids('')).toEqual([b, a])
    expect((await request('DELETE', '/api/me/progress', asCarol)).status).toBe(204)
    expect(await ids('')).toEqual([])
  })
})

describe('privacy', () => {
  it("gives another viewer, an uploader and an admin a 404 for someone else's data", async () => {
    const m = await movie('Private matters')
    await ok(request('PUT', `/api/me/watchlist/${m}`, asAlice), 201)
    await ok(save(asAlice, m, 500))

    for (const [who, headers] of [
      ['another viewer', asBob],
      ['an uploader', asUploader],
      ['an admin', asAdmin],
    ] as const) {
      expect((await request('GET', `/api/me/progress/${m}`, headers)).status, who).toBe(404)
      const list = await ok<{ items: unknown[] }>(request('GET', '/api/me/watchlist?limit=100', headers))
      expect(JSON.stringify(list), who).not.toContain(m)
      const history = await ok<{ items: unknown[] }>(request('GET', '/api/me/progress?limit=100', headers))
      expect(JSON.stringify(history), who).not.toContain(m)
      const cont = await ok<{ items: unknown[] }>(request('GET', '/api/me/continue', headers))
      expect(JSON.stringify(cont), who).not.toContain(m)
      const seen = await ok<MovieJson>(request('GET', `/api/movies/${m}`, headers))
      expect(seen, who).toMatchObject({ inWatchlist: false, progress: null })
      // Their deletes touch only their own (empty) data.
      expect((await request('DELETE', `/api/me/progress/${m}`, headers)).status, who).toBe(204)
      expect((await request('DELETE', `/api/me/watchlist/${m}`, headers)).status, who).toBe(204)
      // No route takes someone else's id.
      for (const path of [`/api/users/${alice.id}/progress`, `/api/users/${alice.id}/watchlist`]) {
        expect((await request('GET', path, headers)).status, `${who} ${path}`).toBe(404)
      }
    }
    // Alice's are untouched.
    expect(await ok<Progress>(request('GET', `/api/me/progress/${m}`, asAlice))).toMatchObject({
      position: 500,
    })
    const mine = await ok<{ items: { movie: { id: string } }[] }>(
      request('GET', '/api/me/watchlist?limit=100', asAlice),
    )
    expect(mine.items.map((i) => i.movie.id)).toContain(m)
  })
})

describe('continue watching', () => {
  it('shows unfinished movies most recent first and one entry per series with its next episode', async () => {
    const dave = await t.createUser('dave-viewer', 'viewer')
    const asDave = await t.headersFor(dave)
    const { id: show } = await ok<{ id: string }>(
      request('POST', '/api/series', asUploader, { name: 'Row show' }),
      201,
    )
    const e1 = await movie('Row E1', 1200, { seriesId: show, season: 1, episode: 1 })
    const e2 = await movie('Row E2', 1200, { seriesId: show, season: 1, episode: 2 })
    await movie('Row S2E1', 1200, { seriesId: show, season: 2, episode: 1 })
    const solo = await movie('Row solo')
    const finished = await movie('Row finished')
    const glance = await movie('Row glance')

    await ok(save(asDave, solo, 600))
    await ok(save(asDave, finished, 1200))
    await ok(save(asDave, e1, 1200))
    await ok(save(asDave, glance, 2)) // a glance is nothing to resume

    type Item = { kind: string; movie: MovieJson; at: string }
    const row = async () => (await ok<{ items: Item[] }>(request('GET', '/api/me/continue', asDave))).items
    expect((await row()).map((i) => [i.kind, i.movie.name])).toEqual([
      ['next', 'Row E2'],
      ['resume', 'Row solo'],
    ])
    expect((await row())[1]!.movie.progress).toMatchObject({ position: 600, inProgress: true })

    // Watching the solo movie again puts it first; stopping midway in E2 makes the series entry a resume.
    await ok(save(asDave, solo, 650))
    await ok(save(asDave, e2, 300))
    const items = await row()
    expect(items.map((i) => [i.kind, i.movie.id])).toEqual([
      ['resume', e2],
      ['resume', solo],
    ])
    expect(items[0]!.movie).toMatchObject({ season: 1, episode: 2, progress: { position: 300 } })

    // Finishing the series' last episodes takes it out of the row.
    await ok(save(asDave, e2, 1200))
    expect((await row()).map((i) => i.movie.name)).toEqual(['Row S2E1', 'Row solo'])
    await ok(request('PUT', `/api/me/progress/${(await row())[0]!.movie.id}/watched`, asDave))
    expect((await row()).map((i) => i.movie.name)).toEqual(['Row solo'])
    expect((await request('GET', '/api/me/continue?limit=0', asDave)).status).toBe(422)
  })
})

describe('preferences', () => {
  it('default to autoplaying the next episode and change one at a time, per user', async () => {
    expect(await ok(request('GET', '/api/me/preferences', asAlice))).toEqual({ autoplayNext: true })
    expect(await ok(request('PATCH', '/api/me/preferences', asAlice, { autoplayNext: false }))).toEqual({
      autoplayNext: false,
    })
    expect(await ok(request('GET', '/api/me/preferences', asAlice))).toEqual({ autoplayNext: false })
    expect(await ok(request('GET', '/api/me/preferences', asBob))).toEqual({ autoplayNext: true })
    expect(await ok(request('PATCH', '/api/me/preferences', asAlice, {}))).toEqual({ autoplayNext: false })
    expect((await request('PATCH', '/api/me/preferences', asAlice, { theme: 'dark' })).status).toBe(422)
    expect((await request('GET', '/api/me/preferences')).status).toBe(401)
  })
})

describe('the player saving progress from the page', () => {
  let cookie: string
  let id: string

  beforeAll(async () => {
    cookie = await t.login(bob.username, bob.password)
    id = await movie('Beacon target')
  })

  const put = (headers: Headers, body: string) =>
    t.app.request(`/api/me/progress/${id}`, { method: 'PUT', headers: { cookie, ...headers }, body })

  it('is accepted from our own origin with the session cookie (fetch keepalive sends JSON)', async () => {
    const body = JSON.stringify({ position: 42, duration: 1200 })
    const withOrigin = await put({ 'content-type': 'application/json', origin: 'http://localhost' }, body)
    expect(withOrigin.status).toBe(200)
    const withFetchSite = await put(
      { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' },
      body,
    )
    expect(withFetchSite.status).toBe(200)
  })

  it('refuses a cross-site form post, a body that is not JSON, and a body over 1 KiB', async () => {
    const crossSite = await put(
      { 'content-type': 'text/plain', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      JSON.stringify({ position: 1, duration: 2 }),
    )
    expect(crossSite.status).toBe(403)
    const notJson = await put(
      { 'content-type': 'text/plain', origin: 'http://localhost' },
      '{"position":1,"duration":2}',
    )
    expect(notJson.status).toBe(415)
    expect(notJson.headers.get('content-type')).toBe('application/problem+json')
    const big = await put(
      { 'content-type': 'application/json', origin: 'http://localhost' },
      JSON.stringify({ position: 1, duration: 2, pad: 'x'.repeat(2000) }),
    )
    expect(big.status).toBe(413)
    expect(await big.json()).toMatchObject({ type: '/problems/body-too-large' })
    // Without a declared length (chunked), it is counted as it arrives.
    const chunks = [JSON.stringify({ position: 1, duration: 2, pad: 'x'.repeat(600) }), ' '.repeat(600)]
    const streamed = await t.app.request(`/api/me/progress/${id}`, {
      method: 'PUT',
      headers: { cookie, 'content-type': 'application/json', origin: 'http://localhost' },
      body: new ReadableStream({
        pull(controller) {
          const next = chunks.shift()
          if (next === undefined) controller.close()
          else controller.enqueue(new TextEncoder().encode(next))
        },
      }),
      duplex: 'half',
    } as RequestInit)
    expect(streamed.status).toBe(413)
    const small = await t.app.request(`/api/me/progress/${id}`, {
      method: 'PUT',
      headers: { cookie, 'content-type': 'application/json', origin: 'http://localhost' },
      body: new Blob([JSON.stringify({ position: 7, duration: 1200 })]).stream(),
      duplex: 'half',
    } as RequestInit)
    expect(await small.json()).toMatchObject({ position: 7 })
  })
})
