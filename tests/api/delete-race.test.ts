/**
 * A movie deleted while one of its files is still streaming in: the upload is answered 404 (the
 * movie is gone), never 500, and leaves neither a row nor a blob behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { movieFiles } from '../../db/schema.ts'
import { movieKey } from '../../server/storage/keys.ts'
import { json, makeTestApp, type TestApp } from '../support/app.ts'
import { bytesOf, gatedBody, sha256Of } from '../support/bytes.ts'

describe.each(['fs', 'memory'] as const)('deleting a movie during an upload (%s storage)', (blobs) => {
  let t: TestApp
  let as: Record<string, string>
  beforeAll(async () => {
    t = await makeTestApp({ blobs })
    as = await t.headersFor(await t.createUser())
  })
  afterAll(() => t.close())

  it('answers the upload 404 and keeps nothing of it', async () => {
    const { id } = (await (
      await t.app.request('/api/movies', { method: 'POST', ...json({ name: 'Doomed' }, as) })
    ).json()) as { id: string }
    const data = bytesOf(256 * 1024)
    const gate = gatedBody(data, 64 * 1024)
    const putting = t.app.request(`/api/movies/${id}/files/v/seg-1.m4s`, {
      method: 'PUT',
      headers: { ...as, 'x-content-sha256': sha256Of(data), 'content-length': String(data.byteLength) },
      body: gate.stream,
      duplex: 'half',
    } as RequestInit)
    await gate.started(putting)
    const deleted = await t.app.request(`/api/movies/${id}`, { method: 'DELETE', headers: as })
    expect(deleted.status).toBe(204)
    gate.release()
    const res = await putting
    expect(res.status).toBe(404)
    expect(await res.json()).toMatchObject({ type: '/problems/movie-not-found' })
    expect(await t.deps.db.select().from(movieFiles)).toEqual([])
    expect(await t.deps.blobs.head(movieKey(id, 'v/seg-1.m4s'))).toBeNull()
  })
})
