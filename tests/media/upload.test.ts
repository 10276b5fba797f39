/**
 * The upload protocol's rules, black-box through the app on the disk store: hashes, limits,
 * idempotency, who may write, and what a reader sees while an upload is in flight.
 */
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { json, makeTestApp, type TestApp } from '../support/app.ts'
import { bytesOf, countingStream, gatedBody, sha256Of } from '../support/bytes.ts'

const MiB = 1024 * 1024
let t: TestApp
let asAlice: Record<string, string>
let asBob: Record<string, string>
let asAdmin: Record<string, string>

beforeAll(async () => {
  t = await makeTestApp({
    blobs: 'fs',
    config: { maxFileBytes: 1 * MiB, maxMovieBytes: 3 * MiB },
  })
  asAlice = await t.headersFor(await t.createUser('alice'))
  asBob = await t.headersFor(await t.createUser('bob'))
  asAdmin = await t.headersFor(await t.createUser('admin', 'admin'))
})
afterAll(() => t.close())

async function draft(headers = asAlice): Promise<string> {
  const res = await t.app.request('/api/movies', {
    method: 'POST',
    ...json({ name: 'Upload test' }, headers),
  })
  return ((await res.json()) as { id: string }).id
}

function put(
  id: string,
  path: string,
  body: Uint8Array | ReadableStream<Uint8Array>,
  headers: Record<string, string>,
) {
  return t.app.request(`/api/movies/${id}/files/${path}`, {
    method: 'PUT',
    headers,
    body,
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit)
}

const withHash = (data: Uint8Array, headers = asAlice) => ({ ...headers, 'x-content-sha256': sha256Of(data) })

/** Every file under the movie's folder in the store, temporary ones included. */
async function filesOnDisk(id: string): Promise<{ name: string; size: number }[]> {
  const dir = join(t.mediaDir, 'movies', id)
  try {
    const names = await readdir(dir, { recursive: true })
    return Promise.all(names.map(async (name) => ({ name, size: (await stat(join(dir, name))).size })))
  } catch {
    return []
  }
}

async function publishMinimal(id: string, headers = asAlice) {
  const mpd = new TextEncoder().encode(
    '<MPD type="static" mediaPresentationDuration="PT2S"><Period><AdaptationSet mimeType="video/mp4">' +
      '<Representation id="v" bandwidth="1000" width="64" height="36"><BaseURL>v.mp4</BaseURL><SegmentBase/>' +
      '</Representation></AdaptationSet></Period></MPD>',
  )
  const video = bytesOf(1000, 5)
  expect((await put(id, 'manifest.mpd', mpd, withHash(mpd, headers))).status).toBe(201)
  expect((await put(id, 'v.mp4', video, withHash(video, headers))).status).toBe(201)
  expect((await t.app.request(`/api/movies/${id}/publish`, { method: 'POST', headers })).status).toBe(200)
  return video
}

describe('PUT /api/movies/:id/files/<path>', () => {
  it('requires x-content-sha256 as 64 hex digits', async () => {
    const id = await draft()
    const data = bytesOf(10)
    for (const bad of [undefined, 'abc', sha256Of(data).slice(1), `${sha256Of(data).slice(1)}g`]) {
      const res = await put(
        id,
        'a.m4s',
        data,
        bad === undefined ? asAlice : { ...asAlice, 'x-content-sha256': bad },
      )
      expect(res.status).toBe(400)
      expect(res.headers.get('content-type')).toBe('application/problem+json')
      expect(await res.json()).toMatchObject({ type: '/problems/sha256-required' })
    }
    expect(await filesOnDisk(id)).toEqual([])
  })

  it('rejects a body whose hash differs from x-content-sha256 and stores nothing', async () => {
    const id = await draft()
    const data = bytesOf(200_000)
    const res = await put(id, 'seg.m4s', data, { ...asAlice, 'x-content-sha256': sha256Of('other bytes') })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({
      type: '/problems/sha256-mismatch',
      expected: sha256Of('other bytes'),
      actual: sha256Of(data),
    })
    const list = (await (await t.app.request(`/api/movies/${id}/files`, { headers: asAlice })).json()) as {
      items: unknown[]
    }
    expect(list.items).toEqual([])
    expect(await filesOnDisk(id)).toEqual([])
    expect((await t.app.request(`/media/${id}/seg.m4s`, { headers: asAlice })).status).toBe(404)
  })

  it('is idempotent: the same bytes again are a 200; other bytes replace a draft’s file', async () => {
    const id = await draft()
    const v1 = bytesOf(5000, 1)
    const first = await put(id, 'video/720p/init.mp4', v1, withHash(v1))
    expect(first.status).toBe(201)
    expect(await first.json()).toMatchObject({
      path: 'video/720p/init.mp4',
      size: 5000,
      contentType: 'video/mp4',
    })
    expect((await put(id, 'video/720p/init.mp4', v1, withHash(v1))).status).toBe(200)

    const v2 = bytesOf(6000, 2)
    const replaced = await put(id, 'video/720p/init.mp4', v2, withHash(v2))
    expect(replaced.status).toBe(200)
    expect(await replaced.json()).toMatchObject({ size: 6000, sha256: sha256Of(v2) })
    const served = await t.app.request(`/media/${id}/video/720p/init.mp4`, { headers: asAlice })
    expect(Buffer.compare(new Uint8Array(await served.arrayBuffer()), v2)).toBe(0)
  })

  it('refuses different bytes for a file of a published movie with 409, and keeps the original', async () => {
    const id = await draft()
    const video = await publishMinimal(id)
    const other = bytesOf(1000, 6)
    const res = await put(id, 'v.mp4', other, withHash(other))
    expect(res.status).toBe(409)
    expect(await res.json()).toMatchObject({ type: '/problems/file-immutable', sha256: sha256Of(video) })
    const served = await t.app.request(`/media/${id}/v.mp4`)
    expect(Buffer.compare(new Uint8Array(await served.arrayBuffer()), video)).toBe(0)
    // The same bytes again are still fine: a client re-running a finished upload does no harm.
    expect((await put(id, 'v.mp4', video, withHash(video))).status).toBe(200)
  })

  it('takes no new segments or manifests once published (subtitles go through their own route)', async () => {
    const id = await draft()
    await publishMinimal(id)
    const segment = bytesOf(500, 7)
    for (const path of ['v2.mp4', 'extra/seg-1.m4s', 'other.mpd', 'subs/en.vtt']) {
      const res = await put(id, path, segment, withHash(segment))
      expect(res.status).toBe(409)
      expect(await res.json()).toMatchObject({ type: '/problems/movie-published', path })
    }
    const files = (await (await t.app.request(`/api/movies/${id}/files`, { headers: asAlice })).json()) as {
      items: { path: string }[]
    }
    expect(files.items.map((f) => f.path)).toEqual(['manifest.mpd', 'v.mp4'])
  })

  it('replaces a published movie’s poster with a newly named file, keeping the old one servable', async () => {
    const id = await draft()
    const first = bytesOf(300, 8)
    expect((await put(id, 'poster.jpg', first, withHash(first))).status).toBe(201)
    await publishMinimal(id)
    const movie = async () =>
      (await (await t.app.request(`/api/movies/${id}`, { headers: asAlice })).json()) as { posterUrl: string }
    expect((await movie()).posterUrl).toBe(`/media/${id}/poster.jpg`)
    // The same name with other bytes stays refused: caches keep published files forever.
    const next = bytesOf(300, 9)
    expect((await put(id, 'poster.jpg', next, withHash(next))).status).toBe(409)
    const name = `poster-${sha256Of(next).slice(0, 16)}.jpg`
    expect((await put(id, name, next, withHash(next))).status).toBe(201)
    expect((await movie()).posterUrl).toBe(`/media/${id}/${name}`)
    const served = await t.app.request(`/media/${id}/${name}`)
    expect(Buffer.compare(new Uint8Array(await served.arrayBuffer()), next)).toBe(0)
    expect((await t.app.request(`/media/${id}/poster.jpg`)).status).toBe(200)
  })

  it('refuses a declared Content-Length over the file limit before reading the body', async () => {
    const id = await draft()
    const { stream, state } = countingStream(2 * MiB)
    const res = await put(id, 'big.m4s', stream, {
      ...asAlice,
      'x-content-sha256': sha256Of('x'),
      'content-length': String(2 * MiB),
    })
    expect(res.status).toBe(413)
    expect(await res.json()).toMatchObject({ type: '/problems/file-too-large', limit: MiB })
    expect(state.pulled).toBe(0)
    expect(await filesOnDisk(id)).toEqual([])
  })

  it('stops an oversize body without a length as it streams, without filling the disk', async () => {
    const id = await draft()
    // 200 MiB offered, 1 MiB allowed: the server must give up long before the end.
    const { stream, state } = countingStream(200 * MiB, 64 * 1024)
    const res = await put(id, 'huge.m4s', stream, { ...asAlice, 'x-content-sha256': sha256Of('x') })
    expect(res.status).toBe(413)
    expect(state.pulled).toBeLessThanOrEqual(MiB + 64 * 1024)
    expect(state.cancelled).toBe(true)
    expect(await filesOnDisk(id)).toEqual([])
  })

  it('stores a body sent without Content-Length (chunked) as it streams', async () => {
    const id = await draft()
    const data = bytesOf(300 * 1024, 3)
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < data.byteLength; at += 64 * 1024)
          controller.enqueue(data.slice(at, at + 64 * 1024))
        controller.close()
      },
    })
    const res = await put(id, 'chunked.m4s', chunked, withHash(data))
    expect(res.status).toBe(201)
    expect(await res.json()).toMatchObject({
      path: 'chunked.m4s',
      size: data.byteLength,
      sha256: sha256Of(data),
    })
  })

  it('counts a movie’s other files against its total limit', async () => {
    const id = await draft()
    const chunk = bytesOf(MiB, 3)
    for (const name of ['a.m4s', 'b.m4s', 'c.m4s']) {
      expect((await put(id, name, chunk, withHash(chunk))).status).toBe(201)
    }
    const one = new Uint8Array([1])
    const res = await put(id, 'd.m4s', one, withHash(one))
    expect(res.status).toBe(413)
    expect(await res.json()).toMatchObject({
      type: '/problems/movie-too-large',
      limit: 3 * MiB,
      remaining: 0,
    })
    // Replacing a file only counts the difference.
    const smaller = bytesOf(MiB - 10, 4)
    expect((await put(id, 'a.m4s', smaller, withHash(smaller))).status).toBe(200)
    expect((await put(id, 'd.m4s', one, withHash(one))).status).toBe(201)
  })

  it('lets the owner and admins upload, nobody else', async () => {
    const id = await draft()
    const data = bytesOf(10)
    const anon = await put(id, 'a.m4s', data, { 'x-content-sha256': sha256Of(data) })
    expect(anon.status).toBe(401)
    expect((await put(id, 'a.m4s', data, withHash(data, asBob))).status).toBe(404)
    expect((await put(id, 'a.m4s', data, withHash(data, asAdmin))).status).toBe(201)
    expect((await t.app.request(`/api/movies/${id}/files`, { headers: asBob })).status).toBe(404)
    expect((await t.app.request(`/api/movies/${id}/files`)).status).toBe(401)
    expect(
      (await t.app.request(`/api/movies/${id}/publish`, { method: 'POST', headers: asBob })).status,
    ).toBe(404)
  })

  it('answers 404 for a movie that does not exist and 422 for a malformed id', async () => {
    const data = bytesOf(10)
    expect((await put('AAAAAAAAAAAAAAAA', 'a.m4s', data, withHash(data))).status).toBe(404)
    expect((await put('short', 'a.m4s', data, withHash(data))).status).toBe(422)
  })

  it('shows a reader the complete old file, never part of the new one, while an upload of the same path streams', async () => {
    const id = await draft()
    const old = bytesOf(300_000, 7)
    expect((await put(id, 'live.m4s', old, withHash(old))).status).toBe(201)
    const next = bytesOf(400_000, 8)
    const gate = gatedBody(next, 200_000)
    const uploading = put(id, 'live.m4s', gate.stream, withHash(next))
    await gate.started(uploading)

    const during = await t.app.request(`/media/${id}/live.m4s`, { headers: asAlice })
    expect(during.status).toBe(200)
    expect(during.headers.get('content-length')).toBe('300000')
    expect(Buffer.compare(new Uint8Array(await during.arrayBuffer()), old)).toBe(0)
    const ranged = await t.app.request(`/media/${id}/live.m4s`, {
      headers: { ...asAlice, range: 'bytes=-10' },
    })
    expect(Buffer.compare(new Uint8Array(await ranged.arrayBuffer()), old.subarray(-10))).toBe(0)

    gate.release()
    expect((await uploading).status).toBe(200)
    const after = await t.app.request(`/media/${id}/live.m4s`, { headers: asAlice })
    expect(Buffer.compare(new Uint8Array(await after.arrayBuffer()), next)).toBe(0)
  })

  it('never shows a reader a file whose first upload is still streaming', async () => {
    const id = await draft()
    const data = bytesOf(100_000, 9)
    const gate = gatedBody(data, 50_000)
    const uploading = put(id, 'first.m4s', gate.stream, withHash(data))
    await gate.started(uploading)
    expect((await t.app.request(`/media/${id}/first.m4s`, { headers: asAlice })).status).toBe(404)
    const list = (await (await t.app.request(`/api/movies/${id}/files`, { headers: asAlice })).json()) as {
      items: unknown[]
    }
    expect(list.items).toEqual([])
    gate.release()
    expect((await uploading).status).toBe(201)
    expect((await t.app.request(`/media/${id}/first.m4s`, { headers: asAlice })).status).toBe(200)
  })
})

describe('DELETE /api/movies/:id/files/<path>', () => {
  it('deletes a draft’s file, then reports it missing', async () => {
    const id = await draft()
    const data = bytesOf(10)
    await put(id, 'a.m4s', data, withHash(data))
    const del = await t.app.request(`/api/movies/${id}/files/a.m4s`, { method: 'DELETE', headers: asAlice })
    expect(del.status).toBe(204)
    expect(await filesOnDisk(id)).toEqual([])
    const again = await t.app.request(`/api/movies/${id}/files/a.m4s`, { method: 'DELETE', headers: asAlice })
    expect(again.status).toBe(404)
    expect(await again.json()).toMatchObject({ type: '/problems/file-not-found' })
  })

  it('refuses to delete a file of a published movie', async () => {
    const id = await draft()
    await publishMinimal(id)
    const res = await t.app.request(`/api/movies/${id}/files/v.mp4`, { method: 'DELETE', headers: asAlice })
    expect(res.status).toBe(409)
    expect((await t.app.request(`/media/${id}/v.mp4`)).status).toBe(200)
  })
})

describe('OpenAPI', () => {
  it('documents the upload protocol', async () => {
    const doc = (await (await t.app.request('/api/openapi.json')).json()) as {
      paths: Record<string, Record<string, { parameters?: { in: string; name: string }[] }>>
    }
    expect(Object.keys(doc.paths['/api/movies/{id}/files/{path}'] ?? {}).sort()).toEqual(['delete', 'put'])
    expect(doc.paths['/api/movies/{id}/files']).toHaveProperty('get')
    expect(doc.paths['/api/movies/{id}/publish']).toHaveProperty('post')
    const params = doc.paths['/api/movies/{id}/files/{path}']!.put!.parameters!.map(
      (p) => `${p.in}:${p.name}`,
    )
    expect(params.sort()).toEqual(['header:x-content-sha256', 'path:id', 'path:path'])
  })
})
