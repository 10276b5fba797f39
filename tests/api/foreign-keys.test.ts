/**
 * Deleting a movie, a series or an account leaves no row pointing at it, also on a connection that
 * does not enforce foreign keys (PRAGMA foreign_keys is per connection, and libSQL over HTTP runs
 * every statement on a new one, with whatever the server's default is): the real libSQL client on
 * a file, the pragma off. Orphans are found the way SQLite itself finds them, with PRAGMA
 * foreign_key_check, which reports every row whose parent is missing whether or not the
 * connection enforces the keys.
 */
import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  apiTokens,
  fileLeases,
  invites,
  movieFiles,
  movies,
  progress,
  series,
  sessions,
  watchlist,
} from '../../db/schema.ts'
import { json, makeTestApp, type TestApp } from '../support/app.ts'
import { bytesOf, gatedBody, sha256Of } from '../support/bytes.ts'
import { type Headers, markPublished, ok, requester } from './calls.ts'

let t: TestApp
let request: ReturnType<typeof requester>
let asAdmin: Headers
let asUploader: Headers

beforeAll(async () => {
  t = await makeTestApp({ db: 'unenforced' })
  request = requester(t)
  asAdmin = await t.headersFor(await t.createUser('root', 'admin'))
  asUploader = await t.headersFor(await t.createUser('maker', 'uploader'))
})
afterAll(() => t?.close())

/** Rows whose parent row is gone, as SQLite reports them. */
const orphans = () => t.deps.db.all(sql`PRAGMA foreign_key_check`)

async function newMovie(headers: Headers, body: Record<string, unknown> = {}): Promise<string> {
  return (await ok<{ id: string }>(request('POST', '/api/movies', headers, { name: 'M', ...body }), 201)).id
}

async function putFile(id: string, path: string, headers: Headers) {
  const data = bytesOf(1000, path.length)
  const res = await t.app.request(`/api/movies/${id}/files/${path}`, {
    method: 'PUT',
    headers: { ...headers, 'x-content-sha256': sha256Of(data) },
    body: data,
  })
  expect(res.status).toBe(201)
}

/** A viewer with a session cookie (signed up through an admin's invite) and an API token. */
async function viewer(name: string) {
  const made = await ok<{ secret: string }>(request('POST', '/api/invites', asAdmin, {}), 201)
  const res = await t.app.request('/api/auth/signup', {
    method: 'POST',
    ...json({ username: name, password: `${name}-password`, invite: made.secret }),
  })
  expect(res.status).toBe(201)
  const { user } = (await res.json()) as { user: { id: string } }
  return { id: user.id, headers: { authorization: `Bearer ${await t.tokenFor(user)}` } }
}

describe('on a connection that does not enforce foreign keys', () => {
  it('is such a connection: a row may point at nothing', async () => {
    expect(await t.deps.db.all(sql`PRAGMA foreign_keys`)).toEqual([{ foreign_keys: 0 }])
    expect(await orphans()).toEqual([])
  })

  it("deleting a movie removes its files' rows, list entries, progress and upload leases", async () => {
    const id = await newMovie(asUploader)
    for (const path of ['manifest.mpd', 'v/init.mp4', 'v/seg-1.m4s']) await putFile(id, path, asUploader)
    await markPublished(t, id)
    const fan = await viewer('fan')
    await ok(request('PUT', `/api/me/watchlist/${id}`, fan.headers), 201)
    await ok(request('PUT', `/api/me/progress/${id}`, fan.headers, { position: 60, duration: 1200 }))
    // What an upload killed mid-body leaves until its lease expires.
    await t.deps.db
      .insert(fileLeases)
      .values({ movieId: id, path: 'v/seg-2.m4s', holder: 'dead', bytes: 10, expiresAt: Date.now() + 60_000 })

    expect((await request('DELETE', `/api/movies/${id}`, asUploader)).status).toBe(204)

    expect(await orphans()).toEqual([])
    for (const table of [movieFiles, fileLeases, watchlist, progress]) {
      expect(await t.deps.db.select().from(table).where(eq(table.movieId, id))).toEqual([])
    }
    expect(await t.deps.blobs.list(`movies/${id}/`)).toEqual([])
  })

  it('deleting a series keeps its episodes, standalone, and removes list entries of it', async () => {
    const show = await ok<{ id: string }>(request('POST', '/api/series', asUploader, { name: 'Show' }), 201)
    const episode = await newMovie(asUploader, { seriesId: show.id, season: 1, episode: 1 })
    await markPublished(t, episode)
    const fan = await viewer('series-fan')
    await ok(request('PUT', `/api/me/watchlist/${show.id}`, fan.headers), 201)

    expect((await request('DELETE', `/api/series/${show.id}`, asUploader)).status).toBe(204)

    expect(await orphans()).toEqual([])
    expect(await t.deps.db.select().from(watchlist).where(eq(watchlist.seriesId, show.id))).toEqual([])
    const [row] = await t.deps.db.select().from(movies).where(eq(movies.id, episode))
    expect(row).toMatchObject({ seriesId: null, season: null, episode: null })
  })

  it('deleting an account removes its sessions, tokens, list and progress; its movies, series and invites stay, ownerless', async () => {
    const boss = await t.createUser('boss', 'admin')
    const asBoss = await t.headersFor(boss)
    const movie = await newMovie(asBoss)
    await markPublished(t, movie)
    const show = await ok<{ id: string }>(request('POST', '/api/series', asBoss, { name: 'Boss show' }), 201)
    const made = await ok<{ id: string; secret: string }>(request('POST', '/api/invites', asBoss, {}), 201)
    const signedUp = await t.app.request('/api/auth/signup', {
      method: 'POST',
      ...json({ username: 'invited', password: 'invited-password', invite: made.secret }),
    })
    expect(signedUp.status).toBe(201)
    const invited = ((await signedUp.json()) as { user: { id: string } }).user
    const asInvited = { authorization: `Bearer ${await t.tokenFor(invited)}` }
    await ok(request('PUT', `/api/me/watchlist/${movie}`, asInvited), 201)
    await ok(request('PUT', `/api/me/progress/${movie}`, asInvited, { position: 5, duration: 1200 }))
    await ok(request('PUT', `/api/me/watchlist/${movie}`, asBoss), 201)
    await t.login('boss', boss.password)

    for (const id of [invited.id, boss.id]) {
      expect(await t.deps.db.select().from(sessions).where(eq(sessions.userId, id))).toHaveLength(1)
      expect((await request('DELETE', `/api/users/${id}`, asAdmin)).status).toBe(204)
      expect(await orphans()).toEqual([])
      for (const table of [sessions, apiTokens, watchlist, progress]) {
        expect(await t.deps.db.select().from(table).where(eq(table.userId, id))).toEqual([])
      }
    }
    expect(
      await t.deps.db.select({ owner: movies.ownerId }).from(movies).where(eq(movies.id, movie)),
    ).toEqual([{ owner: null }])
    expect(
      await t.deps.db.select({ owner: series.ownerId }).from(series).where(eq(series.id, show.id)),
    ).toEqual([{ owner: null }])
    expect(
      await t.deps.db
        .select({ createdBy: invites.createdBy, usedBy: invites.usedBy })
        .from(invites)
        .where(eq(invites.id, made.id)),
    ).toEqual([{ createdBy: null, usedBy: null }])
  })

  it('a movie deleted while one of its files streams in keeps no row or blob of it', async () => {
    const id = await newMovie(asUploader)
    const data = bytesOf(256 * 1024)
    const gate = gatedBody(data, 64 * 1024)
    const putting = t.app.request(`/api/movies/${id}/files/v/seg-1.m4s`, {
      method: 'PUT',
      headers: {
        ...asUploader,
        'x-content-sha256': sha256Of(data),
        'content-length': String(data.byteLength),
      },
      body: gate.stream,
      duplex: 'half',
    } as RequestInit)
    await gate.started(putting)
    expect((await request('DELETE', `/api/movies/${id}`, asUploader)).status).toBe(204)
    gate.release()
    const res = await putting
    expect(res.status).toBe(404)
    expect(await res.json()).toMatchObject({ type: '/problems/movie-not-found' })
    expect(await orphans()).toEqual([])
    expect(await t.deps.db.select().from(movieFiles).where(eq(movieFiles.movieId, id))).toEqual([])
    expect(await t.deps.blobs.list(`movies/${id}/`)).toEqual([])
  })
})
