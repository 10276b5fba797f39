/**
 * GET/HEAD /media/<id>/<path> as a CDN origin: byte ranges and their edge cases, validators and
 * 304s, content types, caching by visibility, CORS, and who may read a draft.
 */
import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { movies } from '../../db/schema.ts'
import { json, makeTestApp, type TestApp } from '../support/app.ts'
import { bytesOf, sha256Of } from '../support/bytes.ts'

let t: TestApp
let asAlice: Record<string, string>
let asBob: Record<string, string>
let asAdmin: Record<string, string>
let pub: string
let draft: string
const SEG = bytesOf(1000, 42)
const ETAG = `"${sha256Of(SEG)}"`
const MPD =
  '<MPD type="static" mediaPresentationDuration="PT4S"><Period><AdaptationSet mimeType="video/mp4" codecs="avc1.64001f">' +
  '<Representation id="v" bandwidth="500000" width="640" height="360"><SegmentTemplate media="seg-$Number$.m4s" ' +
  'initialization="init.mp4" duration="2" startNumber="1"/></Representation></AdaptationSet></Period></MPD>'

async function newMovie(): Promise<string> {
  const res = await t.app.request('/api/movies', { method: 'POST', ...json({ name: 'Streaming' }, asAlice) })
  return ((await res.json()) as { id: string }).id
}

async function put(id: string, path: string, data: Uint8Array<ArrayBuffer> | string) {
  const res = await t.app.request(`/api/movies/${id}/files/${path}`, {
    method: 'PUT',
    headers: { ...asAlice, 'x-content-sha256': sha256Of(data) },
    body: data,
  })
  expect(res.status).toBe(201)
}

beforeAll(async () => {
  t = await makeTestApp()
  asAlice = await t.headersFor(await t.createUser('alice'))
  asBob = await t.headersFor(await t.createUser('bob'))
  asAdmin = await t.headersFor(await t.createUser('admin', 'admin'))
  pub = await newMovie()
  for (const [path, data] of [
    ['manifest.mpd', MPD],
    ['init.mp4', bytesOf(100, 1)],
    ['seg-1.m4s', SEG],
    ['seg-2.m4s', bytesOf(900, 2)],
    ['poster.webp', bytesOf(50, 3)],
    ['subs/en.vtt', 'WEBVTT\n\n00:00.000 --> 00:01.000\nHi\n'],
    ['empty.m4s', new Uint8Array(0)],
  ] as const) {
    await put(pub, path, data)
  }
  expect(
    (await t.app.request(`/api/movies/${pub}/publish`, { method: 'POST', headers: asAlice })).status,
  ).toBe(200)
  draft = await newMovie()
  await put(draft, 'seg-1.m4s', SEG)
})
afterAll(() => t.close())

const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
  t.app.request(`/media/${pub}/${path}`, { method, headers })

const bytes = async (res: Response) => new Uint8Array(await res.arrayBuffer())

describe('byte ranges', () => {
  it('serves the whole file without a Range header', async () => {
    const res = await get('seg-1.m4s')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-length')).toBe('1000')
    expect(res.headers.get('accept-ranges')).toBe('bytes')
    expect(res.headers.get('content-range')).toBeNull()
    expect(Buffer.compare(await bytes(res), SEG)).toBe(0)
  })

  it.each([
    ['first byte', 'bytes=0-0', 0, 0],
    ['last byte', 'bytes=999-999', 999, 999],
    ['middle', 'bytes=100-199', 100, 199],
    ['open-ended', 'bytes=500-', 500, 999],
    ['end past the last byte (clamped)', 'bytes=990-5000', 990, 999],
    ['suffix', 'bytes=-1', 999, 999],
    ['suffix of 10', 'bytes=-10', 990, 999],
    ['suffix longer than the file', 'bytes=-5000', 0, 999],
    ['whole file as a range', 'bytes=0-999', 0, 999],
    ['spaces and case', 'Bytes = 10-19', 10, 19],
  ])('answers %s with 206 and exactly those bytes', async (_name, range, start, end) => {
    const res = await get('seg-1.m4s', { range })
    expect(res.status).toBe(206)
    expect(res.headers.get('content-range')).toBe(`bytes ${start}-${end}/1000`)
    expect(res.headers.get('content-length')).toBe(String(end - start + 1))
    expect(res.headers.get('etag')).toBe(ETAG)
    expect(Buffer.compare(await bytes(res), SEG.subarray(start, end + 1))).toBe(0)
  })

  it.each([
    ['a start past the end', 'bytes=1000-'],
    ['a start far past the end', 'bytes=5000-6000'],
    ['an empty suffix', 'bytes=-0'],
  ])('answers %s with 416 and the size', async (_name, range) => {
    const res = await get('seg-1.m4s', { range })
    expect(res.status).toBe(416)
    expect(res.headers.get('content-range')).toBe('bytes */1000')
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    expect(await res.json()).toMatchObject({ status: 416, type: '/problems/range-not-satisfiable' })
  })

  it('cannot satisfy any range of an empty file', async () => {
    const res = await get('empty.m4s', { range: 'bytes=0-' })
    expect(res.status).toBe(416)
    expect(res.headers.get('content-range')).toBe('bytes */0')
    const whole = await get('empty.m4s')
    expect(whole.status).toBe(200)
    expect(whole.headers.get('content-length')).toBe('0')
  })

  it.each([
    ['an unknown unit', 'items=0-1'],
    ['a reversed range', 'bytes=5-2'],
    ['garbage', 'bytes=abc'],
    ['several ranges', 'bytes=0-0,-1'],
  ])('ignores %s and serves the whole file', async (_name, range) => {
    const res = await get('seg-1.m4s', { range })
    expect(res.status).toBe(200)
    expect(Buffer.compare(await bytes(res), SEG)).toBe(0)
  })

  it('honours If-Range only while the client’s copy is current', async () => {
    const current = await get('seg-1.m4s', { range: 'bytes=0-9', 'if-range': ETAG })
    expect(current.status).toBe(206)
    const stale = await get('seg-1.m4s', { range: 'bytes=0-9', 'if-range': `"${sha256Of('old')}"` })
    expect(stale.status).toBe(200)
    expect((await bytes(stale)).byteLength).toBe(1000)
  })

  it('answers HEAD with the same status and headers as GET, and no body', async () => {
    const head = await get('seg-1.m4s', { range: 'bytes=10-19' }, 'HEAD')
    expect(head.status).toBe(206)
    expect(head.headers.get('content-length')).toBe('10')
    expect(head.headers.get('content-range')).toBe('bytes 10-19/1000')
    expect((await bytes(head)).byteLength).toBe(0)
    const whole = await get('seg-1.m4s', {}, 'HEAD')
    expect(whole.status).toBe(200)
    expect(whole.headers.get('content-length')).toBe('1000')
    expect(whole.headers.get('etag')).toBe(ETAG)
  })
})

describe('validators and caching', () => {
  it('answers If-None-Match with the current ETag by 304, weak or in a list', async () => {
    for (const inm of [ETAG, `W/${ETAG}`, `"nope", ${ETAG}`, '*']) {
      const res = await get('seg-1.m4s', { 'if-none-match': inm })
      expect(res.status).toBe(304)
      expect(res.headers.get('etag')).toBe(ETAG)
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
      expect((await bytes(res)).byteLength).toBe(0)
    }
    expect((await get('seg-1.m4s', { 'if-none-match': '"other"' })).status).toBe(200)
  })

  it('answers If-Modified-Since by 304 when there is no If-None-Match', async () => {
    const first = await get('seg-1.m4s')
    const lastModified = first.headers.get('last-modified')!
    expect((await get('seg-1.m4s', { 'if-modified-since': lastModified })).status).toBe(304)
    expect((await get('seg-1.m4s', { 'if-modified-since': 'Thu, 01 Jan 1970 00:00:00 GMT' })).status).toBe(
      200,
    )
    expect(
      (await get('seg-1.m4s', { 'if-modified-since': lastModified, 'if-none-match': '"x"' })).status,
    ).toBe(200)
  })

  it('labels each kind of file with its type and lets shared caches keep segments forever', async () => {
    const expected: Record<string, [string, string]> = {
      'manifest.mpd': ['application/dash+xml', 'public, max-age=60'],
      'init.mp4': ['video/mp4', 'public, max-age=31536000, immutable'],
      'seg-1.m4s': ['video/iso.segment', 'public, max-age=31536000, immutable'],
      'poster.webp': ['image/webp', 'public, max-age=31536000, immutable'],
      'subs/en.vtt': ['text/vtt; charset=utf-8', 'public, max-age=31536000, immutable'],
    }
    for (const [path, [type, cache]] of Object.entries(expected)) {
      const res = await get(path)
      expect(res.status, path).toBe(200)
      expect(res.headers.get('content-type'), path).toBe(type)
      expect(res.headers.get('cache-control'), path).toBe(cache)
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
      await res.arrayBuffer()
    }
  })

  it('keeps drafts out of shared caches, and errors out of every cache', async () => {
    const own = await t.app.request(`/media/${draft}/seg-1.m4s`, { headers: asAlice })
    expect(own.status).toBe(200)
    expect(own.headers.get('cache-control')).toBe('private, no-cache')
    const anon = await t.app.request(`/media/${draft}/seg-1.m4s`)
    expect(anon.status).toBe(404)
    expect(anon.headers.get('cache-control')).toBe('no-store')
    expect((await get('nothing-here.m4s')).headers.get('cache-control')).toBe('no-store')
  })
})

describe('who may read', () => {
  it('lets anyone read a published, active movie; hides drafts from all but owner and admins', async () => {
    expect((await get('seg-1.m4s')).status).toBe(200)
    expect((await t.app.request(`/media/${draft}/seg-1.m4s`, { headers: asAdmin })).status).toBe(200)
    const bob = await t.app.request(`/media/${draft}/seg-1.m4s`, { headers: asBob })
    expect(bob.status).toBe(404)
    expect(await bob.json()).toMatchObject({ type: '/problems/movie-not-found' })
  })

  it('hides a deactivated movie from viewers but not from its owner', async () => {
    const id = await newMovie()
    await put(id, 'seg-1.m4s', SEG)
    await t.deps.db.update(movies).set({ status: 'ready', active: false }).where(eq(movies.id, id))
    expect((await t.app.request(`/media/${id}/seg-1.m4s`)).status).toBe(404)
    const own = await t.app.request(`/media/${id}/seg-1.m4s`, { headers: asAlice })
    expect(own.status).toBe(200)
    expect(own.headers.get('cache-control')).toBe('private, no-cache')
  })

  it('stops serving a deleted movie at once, even a file it served a moment before', async () => {
    const id = await newMovie()
    await put(id, 'manifest.mpd', MPD)
    await put(id, 'init.mp4', bytesOf(100, 1))
    await put(id, 'seg-1.m4s', SEG)
    await put(id, 'seg-2.m4s', bytesOf(900, 2))
    expect(
      (await t.app.request(`/api/movies/${id}/publish`, { method: 'POST', headers: asAlice })).status,
    ).toBe(200)
    expect((await t.app.request(`/media/${id}/seg-1.m4s`)).status).toBe(200)
    expect((await t.app.request(`/api/movies/${id}`, { method: 'DELETE', headers: asAlice })).status).toBe(
      204,
    )
    const gone = await t.app.request(`/media/${id}/seg-1.m4s`)
    expect(gone.status).toBe(404)
    expect(await gone.json()).toMatchObject({ type: '/problems/movie-not-found' })
  })

  it('reports a missing file of a visible movie as file-not-found', async () => {
    const res = await get('seg-3.m4s')
    expect(res.status).toBe(404)
    expect(await res.json()).toMatchObject({ type: '/problems/file-not-found' })
  })
})

describe('CORS', () => {
  it('lets players on other origins read files and the headers they need', async () => {
    const res = await get('seg-1.m4s', { origin: 'https://player.example', range: 'bytes=0-1' })
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    const exposed = res.headers.get('access-control-expose-headers')!.toLowerCase()
    for (const h of ['content-range', 'content-length', 'etag', 'accept-ranges']) expect(exposed).toContain(h)
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin')
  })

  it('answers a preflight for ranged GETs', async () => {
    const res = await t.app.request(`/media/${pub}/seg-1.m4s`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://player.example',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'range',
        'access-control-request-private-network': 'true',
      },
    })
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-private-network')).toBe('true')
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    expect(res.headers.get('access-control-allow-methods')).toContain('GET')
    expect(res.headers.get('access-control-allow-headers')!.toLowerCase()).toContain('range')
  })
})
