/**
 * A movie deleted between a service's look at it and its insert: putting it on a watch list,
 * saving or marking progress, adding a subtitle. Each answers the 404 of a missing movie, never a
 * 500 (the foreign key refusing the row), and leaves no row pointing at nothing where the
 * connection does not enforce foreign keys. The deletion is put in that gap deterministically: the
 * app's database runs it just before the INSERT (tests/support/db-hooks.ts).
 */
import { eq, sql } from 'drizzle-orm'
import type { SQLiteTable } from 'drizzle-orm/sqlite-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { movieFiles, movies, progress, watchlist } from '../../db/schema.ts'
import { writeMpd } from '../../server/lib/dash/index.ts'
import { deleteMovie } from '../../server/services/movies.ts'
import { moviePrefix } from '../../server/storage/keys.ts'
import { makeTestApp, type TestApp } from '../support/app.ts'
import { sha256Of } from '../support/bytes.ts'
import { beforeInsert } from '../support/db-hooks.ts'
import { type Headers, markPublished, ok, requester } from './calls.ts'

const ABSENT = 'AAAAAAAAAAAAAAAA'

/** The one video rendition of a published test movie: its manifest names these files. */
const MANIFEST = writeMpd({
  duration: 2,
  minBufferTime: 2,
  periods: [
    {
      id: '0',
      start: 0,
      adaptationSets: [
        {
          id: '0',
          contentType: 'video',
          mimeType: 'video/mp4',
          addressing: {
            timescale: 1000,
            segments: [{ number: 1, start: 0, duration: 2000 }],
            initialization: 'init-$RepresentationID$.m4s',
            media: 'chunk-$RepresentationID$-$Number%05d$.m4s',
          },
          representations: [{ id: 'v0', bandwidth: 500_000, codecs: 'avc1.64001e', width: 640, height: 360 }],
        },
      ],
    },
  ],
})
const FILES = { 'init-v0.m4s': 'init', 'chunk-v0-00001.m4s': 'segment', 'manifest.mpd': MANIFEST }

describe.each(['file', 'unenforced'] as const)(
  'a movie deleted just before the insert (%s database)',
  (db) => {
    let t: TestApp
    let request: ReturnType<typeof requester>
    let asOwner: Headers
    let asViewer: Headers
    /** The next INSERT into this table first deletes this movie, as another request would. */
    let pending: { table: SQLiteTable; movieId: string } | null = null

    beforeAll(async () => {
      t = await makeTestApp({
        db,
        blobs: 'fs',
        wrapDb: (real) =>
          beforeInsert(real, async (table) => {
            if (pending?.table !== table) return
            const { movieId } = pending
            pending = null
            await deleteMovie(t.deps, movieId)
          }),
      })
      request = requester(t)
      asOwner = await t.headersFor(await t.createUser(undefined, 'uploader'))
      asViewer = await t.headersFor(await t.createUser(undefined, 'viewer'))
    })
    afterAll(() => t?.close())

    /** Rows whose parent row is gone, as SQLite reports them whether or not the keys are enforced. */
    const orphans = () => t.deps.db.all(sql`PRAGMA foreign_key_check`)

    async function publishedMovie(): Promise<string> {
      const { id } = await ok<{ id: string }>(
        request('POST', '/api/movies', asOwner, { name: 'Doomed' }),
        201,
      )
      await markPublished(t, id)
      return id
    }

    /** Answers the request with the movie deleted just before its insert into `table`. */
    async function withDeletion(
      table: SQLiteTable,
      movieId: string,
      send: () => Response | Promise<Response>,
    ) {
      pending = { table, movieId }
      const res = await send()
      expect(pending, 'the insert ran and the movie was deleted before it').toBeNull()
      expect(await t.deps.db.select({ id: movies.id }).from(movies).where(eq(movies.id, movieId))).toEqual([])
      return res
    }

    /** Status and problem type, as for an id that never existed. */
    async function problemOf(res: Response) {
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
      return { status: res.status, type: ((await res.json()) as { type: string }).type }
    }

    it('putting it on a watch list answers as for a missing movie and adds nothing', async () => {
      const id = await publishedMovie()
      const res = await withDeletion(watchlist, id, () => request('PUT', `/api/me/watchlist/${id}`, asViewer))
      const missing = await problemOf(await request('PUT', `/api/me/watchlist/${ABSENT}`, asViewer))
      expect(missing.status).toBe(404)
      expect(await problemOf(res)).toEqual(missing)
      expect(await t.deps.db.select().from(watchlist).where(eq(watchlist.movieId, id))).toEqual([])
      expect(await orphans()).toEqual([])
    })

    it('saving progress answers as for a missing movie and writes nothing', async () => {
      const id = await publishedMovie()
      const body = { position: 60, duration: 1200 }
      const res = await withDeletion(progress, id, () =>
        request('PUT', `/api/me/progress/${id}`, asViewer, body),
      )
      const missing = await problemOf(await request('PUT', `/api/me/progress/${ABSENT}`, asViewer, body))
      expect(missing).toEqual({ status: 404, type: '/problems/movie-not-found' })
      expect(await problemOf(res)).toEqual(missing)
      expect(await t.deps.db.select().from(progress).where(eq(progress.movieId, id))).toEqual([])
      expect(await orphans()).toEqual([])
    })

    it('marking it watched answers as for a missing movie and writes nothing', async () => {
      const id = await publishedMovie()
      const res = await withDeletion(progress, id, () =>
        request('PUT', `/api/me/progress/${id}/watched`, asViewer),
      )
      const missing = await problemOf(await request('PUT', `/api/me/progress/${ABSENT}/watched`, asViewer))
      expect(missing).toEqual({ status: 404, type: '/problems/movie-not-found' })
      expect(await problemOf(res)).toEqual(missing)
      expect(await t.deps.db.select().from(progress).where(eq(progress.movieId, id))).toEqual([])
      expect(await orphans()).toEqual([])
    })

    it('adding a subtitle answers as for a missing movie and keeps neither row nor file', async () => {
      const { id } = await ok<{ id: string }>(
        request('POST', '/api/movies', asOwner, { name: 'Doomed' }),
        201,
      )
      for (const [path, text] of Object.entries(FILES)) {
        const bytes = new TextEncoder().encode(text)
        const put = await t.app.request(`/api/movies/${id}/files/${path}`, {
          method: 'PUT',
          headers: { ...asOwner, 'x-content-sha256': sha256Of(bytes) },
          body: bytes,
        })
        expect(put.status).toBe(201)
      }
      await ok(request('POST', `/api/movies/${id}/publish`, asOwner, {}))
      const vtt = { language: 'fr', vtt: 'WEBVTT\n\n00:00:00.500 --> 00:00:01.500\nBonjour\n' }
      const res = await withDeletion(movieFiles, id, () =>
        request('POST', `/api/movies/${id}/subtitles`, asOwner, vtt),
      )
      const missing = await problemOf(await request('POST', `/api/movies/${ABSENT}/subtitles`, asOwner, vtt))
      expect(missing).toEqual({ status: 404, type: '/problems/movie-not-found' })
      expect(await problemOf(res)).toEqual(missing)
      expect(await t.deps.db.select().from(movieFiles).where(eq(movieFiles.movieId, id))).toEqual([])
      expect(await t.deps.blobs.list(moviePrefix(id))).toEqual([])
      expect(await orphans()).toEqual([])
    })
  },
)
