/**
 * The whole video path over real HTTP, on the disk store: a movie encoded by native ffmpeg is
 * created as a draft, uploaded file by file, published, and streamed back byte for byte.
 */
import { readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mpdFiles, parseMpd } from '../../server/lib/dash/index.ts'
import { startTestServer, type TestServer, type TestUser } from '../support/app.ts'
import { type DashMovie, makeDash } from '../support/media.ts'

let fx: DashMovie
let s: TestServer
let alice: TestUser
let asAlice: Record<string, string>

beforeAll(async () => {
  fx = await makeDash({ seconds: 3 })
  s = await startTestServer({ blobs: 'fs' })
  alice = await s.createUser('alice')
  asAlice = await s.headersFor(alice)
})
afterAll(async () => {
  await s?.close()
  await fx?.cleanup()
})

async function createDraft(name: string): Promise<string> {
  const res = await fetch(`${s.url}/api/movies`, {
    method: 'POST',
    headers: { ...asAlice, 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  })
  expect(res.status).toBe(201)
  return ((await res.json()) as { id: string }).id
}

async function upload(id: string, path: string): Promise<Response> {
  return fetch(`${s.url}/api/movies/${id}/files/${path}`, {
    method: 'PUT',
    headers: { ...asAlice, 'x-content-sha256': await fx.sha256(path) },
    body: await fx.bytes(path),
  })
}

interface FileList {
  items: { path: string; size: number; sha256: string; createdAt: string }[]
  totalBytes: number
}

describe('draft → upload → publish → stream', () => {
  it('streams back every file the manifest names, byte for byte, once published', async () => {
    const id = await createDraft('Test pattern')
    expect(
      ((await (await fetch(`${s.url}/api/movies/${id}/files`, { headers: asAlice })).json()) as FileList)
        .items,
    ).toEqual([])

    for (const path of fx.files) {
      const res = await upload(id, path)
      expect(res.status, path).toBe(201)
      expect(await res.json()).toMatchObject({
        path,
        size: (await fx.bytes(path)).byteLength,
        sha256: await fx.sha256(path),
      })
    }
    const listed = (await (
      await fetch(`${s.url}/api/movies/${id}/files`, { headers: asAlice })
    ).json()) as FileList
    expect(listed.items.map((f) => f.path)).toEqual(fx.files)
    for (const f of listed.items) expect(f.sha256).toBe(await fx.sha256(f.path))

    // Not visible to anyone else before publish.
    expect((await fetch(`${s.url}/media/${id}/manifest.mpd`)).status).toBe(404)
    const draftManifest = await fetch(`${s.url}/media/${id}/manifest.mpd`, { headers: asAlice })
    expect(draftManifest.status).toBe(200)
    expect(draftManifest.headers.get('cache-control')).toBe('private, no-cache')
    await draftManifest.arrayBuffer()

    const published = await fetch(`${s.url}/api/movies/${id}/publish`, {
      method: 'POST',
      headers: { ...asAlice, 'content-type': 'application/json' },
      body: JSON.stringify({ manifest: 'manifest.mpd' }),
    })
    expect(published.status).toBe(200)
    const movie = (await published.json()) as Record<string, unknown>
    expect(movie).toMatchObject({
      status: 'ready',
      duration: 3,
      manifestUrl: `/media/${id}/manifest.mpd`,
      posterUrl: `/media/${id}/poster.jpg`,
      renditions: [
        {
          id: '0',
          kind: 'video',
          width: 640,
          height: 360,
          bandwidth: 800000,
          codecs: expect.stringMatching(/^avc1\./),
        },
        {
          id: '1',
          kind: 'video',
          width: 320,
          height: 180,
          bandwidth: 300000,
          codecs: expect.stringMatching(/^avc1\./),
        },
        { id: '2', kind: 'audio', bandwidth: 64000, codecs: 'mp4a.40.2' },
      ],
    })
    expect(movie.publishedAt).toEqual(expect.any(String))

    // An anonymous viewer follows the catalog's URLs.
    const catalog = (await (await fetch(`${s.url}/api/movies/${id}`)).json()) as {
      manifestUrl: string
      posterUrl: string
    }
    const manifestRes = await fetch(`${s.url}${catalog.manifestUrl}`)
    expect(manifestRes.status).toBe(200)
    expect(manifestRes.headers.get('content-type')).toBe('application/dash+xml')
    expect(manifestRes.headers.get('cache-control')).toBe('public, max-age=60')
    const manifest = new Uint8Array(await manifestRes.arrayBuffer())
    expect(Buffer.compare(manifest, await fx.bytes('manifest.mpd'))).toBe(0)

    const needed = mpdFiles(parseMpd(manifest))
    expect(needed.length).toBe(fx.files.filter((f) => f.endsWith('.m4s')).length)
    for (const path of needed) {
      const res = await fetch(`${s.url}/media/${id}/${path}`)
      expect(res.status, path).toBe(200)
      expect(res.headers.get('content-type')).toBe('video/iso.segment')
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
      expect(res.headers.get('etag')).toBe(`"${await fx.sha256(path)}"`)
      expect(res.headers.get('accept-ranges')).toBe('bytes')
      expect(res.headers.get('access-control-allow-origin')).toBe('*')
      const body = new Uint8Array(await res.arrayBuffer())
      expect(Buffer.compare(body, await fx.bytes(path)), path).toBe(0)
    }
    const poster = await fetch(`${s.url}${catalog.posterUrl}`)
    expect(poster.headers.get('content-type')).toBe('image/jpeg')
    expect(Buffer.compare(new Uint8Array(await poster.arrayBuffer()), await fx.bytes('poster.jpg'))).toBe(0)

    // What is on disk is the upload itself, under movies/<id>/.
    const onDisk = await readFile(join(s.mediaDir, 'movies', id, 'manifest.mpd'))
    expect(Buffer.compare(onDisk, await fx.bytes('manifest.mpd'))).toBe(0)
  })

  it('refuses to publish while one segment is missing, and names exactly that segment', async () => {
    const id = await createDraft('Missing one')
    const skipped = 'chunk-stream1-00002.m4s'
    for (const path of fx.files) if (path !== skipped) expect((await upload(id, path)).status).toBe(201)

    const refused = await fetch(`${s.url}/api/movies/${id}/publish`, { method: 'POST', headers: asAlice })
    expect(refused.status).toBe(422)
    expect(refused.headers.get('content-type')).toBe('application/problem+json')
    expect(await refused.json()).toMatchObject({
      type: '/problems/incomplete-movie',
      status: 422,
      missing: [skipped],
      missingCount: 1,
    })
    const still = (await (await fetch(`${s.url}/api/movies/${id}`, { headers: asAlice })).json()) as {
      status: string
    }
    expect(still.status).toBe('draft')

    expect((await upload(id, skipped)).status).toBe(201)
    const ok = await fetch(`${s.url}/api/movies/${id}/publish`, { method: 'POST', headers: asAlice })
    expect(ok.status).toBe(200)
  })

  it('resumes an interrupted upload: files already stored with the same hash are not rewritten', async () => {
    const id = await createDraft('Resumed')
    const firstHalf = fx.files.slice(0, Math.floor(fx.files.length / 2))
    for (const path of firstHalf) await upload(id, path)
    const before = (await (
      await fetch(`${s.url}/api/movies/${id}/files`, { headers: asAlice })
    ).json()) as FileList
    const stored = new Map(before.items.map((f) => [f.path, f.sha256]))
    const file = join(s.mediaDir, 'movies', id, firstHalf[0]!)
    const mtimeBefore = (await stat(file)).mtimeMs

    // The client re-sends everything whose hash the server does not already have...
    const statuses: Record<string, number> = {}
    for (const path of fx.files) {
      if (stored.get(path) === (await fx.sha256(path))) continue
      statuses[path] = (await upload(id, path)).status
    }
    expect(Object.keys(statuses).sort()).toEqual(fx.files.slice(firstHalf.length))
    expect(Object.values(statuses).every((st) => st === 201)).toBe(true)

    // ...and a blind retry of a stored file is a 200 that leaves it untouched.
    const retry = await upload(id, firstHalf[0]!)
    expect(retry.status).toBe(200)
    expect(retry.headers.get('etag')).toBe(`"${await fx.sha256(firstHalf[0]!)}"`)
    expect((await stat(file)).mtimeMs).toBe(mtimeBefore)
    const after = (await (
      await fetch(`${s.url}/api/movies/${id}/files`, { headers: asAlice })
    ).json()) as FileList
    expect(after.items.find((f) => f.path === firstHalf[0])!.createdAt).toBe(
      before.items.find((f) => f.path === firstHalf[0])!.createdAt,
    )
    expect(after.totalBytes).toBe(after.items.reduce((n, f) => n + f.size, 0))
  })

  it('deletes a movie’s files from disk when the movie is deleted', async () => {
    const id = await createDraft('Short-lived')
    for (const path of fx.files.slice(0, 3)) await upload(id, path)
    const res = await fetch(`${s.url}/api/movies/${id}`, { method: 'DELETE', headers: asAlice })
    expect(res.status).toBe(204)
    expect(await s.deps.blobs.list(`movies/${id}/`)).toEqual([])
    await expect(stat(join(s.mediaDir, 'movies', id))).rejects.toThrow()
  })
})
