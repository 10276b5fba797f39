/**
 * File paths: every way of climbing out of a movie's folder, or naming something that is not a
 * movie file, is a 400 problem — for uploads, deletes and streaming alike, whether the request
 * arrives through app.request() or as raw bytes on a socket that no URL parser has tidied up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkMoviePath } from '../../server/lib/paths.ts'
import { json, startTestServer, type TestServer } from '../support/app.ts'
import { sha256Of } from '../support/bytes.ts'
import { rawRequest } from '../support/http.ts'

let s: TestServer
let asAlice: Record<string, string>
let id: string

beforeAll(async () => {
  s = await startTestServer({ db: 'memory' })
  asAlice = await s.headersFor(await s.createUser('alice'))
  const res = await s.app.request('/api/movies', { method: 'POST', ...json({ name: 'Paths' }, asAlice) })
  id = ((await res.json()) as { id: string }).id
})
afterAll(() => s?.close())

// Tails that survive URL parsing, so they reach the app through app.request() unchanged.
const ENCODED = [
  ['encoded slash', '..%2F..%2Fetc%2Fpasswd.m4s'],
  ['encoded dots and slash', '%2e%2e%2fsecret.m4s'],
  ['encoded backslash', '..%5c..%5cwin.ini.m4s'],
  ['encoded NUL', 'seg%00.m4s'],
  ['encoded letter (needless escaping)', 'se%67.m4s'],
  ['absolute path', '/etc/passwd.m4s'],
  ['empty segment', 'video//seg.m4s'],
  ['trailing slash', 'video/'],
  ['hidden file', '.hidden.m4s'],
  ['dots only', '.../seg.m4s'],
  ['extension not allowed', 'index.html'],
  ['no extension', 'README'],
  ['upper-case extension', 'poster.JPG'],
  ['character outside the set', 'seg+1.m4s'],
  ['too deep', 'a/b/c/d/e.m4s'],
  ['too long', `${'a'.repeat(129)}.m4s`],
] as const

// Request targets a URL parser would normalise (or a runtime would reject) before the app sees them.
const RAW = [
  ['dot-dot', '../../../etc/passwd.m4s'],
  ['dot-dot inside the folder', 'video/../seg.m4s'],
  ['encoded dot-dot', '%2e%2e/%2e%2e/etc/passwd.m4s'],
  ['mixed dot-dot', '.%2e/secret.m4s'],
  ['single dot', './seg.m4s'],
  ['backslashes', '..\\..\\secret.m4s'],
] as const

const problemType = async (res: Response) => ((await res.json()) as { type: string }).type

describe('movie file paths', () => {
  it.each(ENCODED)('PUT refuses %s with 400', async (_name, tail) => {
    const res = await s.app.request(`/api/movies/${id}/files/${tail}`, {
      method: 'PUT',
      headers: { ...asAlice, 'x-content-sha256': sha256Of('x') },
      body: 'x',
    })
    expect(res.status).toBe(400)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    expect(await problemType(res)).toBe('/problems/invalid-path')
  })

  it.each(ENCODED)('DELETE and GET /media refuse %s with 400', async (_name, tail) => {
    const del = await s.app.request(`/api/movies/${id}/files/${tail}`, { method: 'DELETE', headers: asAlice })
    expect(del.status).toBe(400)
    const get = await s.app.request(`/media/${id}/${tail}`, { headers: asAlice })
    expect(get.status).toBe(400)
    expect(await problemType(get)).toBe('/problems/invalid-path')
  })

  it.each(RAW)('a raw request target with %s is a 400 on every route', async (_name, tail) => {
    const put = await rawRequest(
      s.port,
      'PUT',
      `/api/movies/${id}/files/${tail}`,
      {
        ...asAlice,
        'x-content-sha256': sha256Of('x'),
      },
      'x',
    )
    expect(put.status).toBe(400)
    const del = await rawRequest(s.port, 'DELETE', `/api/movies/${id}/files/${tail}`, asAlice)
    expect(del.status).toBe(400)
    const get = await rawRequest(s.port, 'GET', `/media/${id}/${tail}`, asAlice)
    expect(get.status).toBe(400)
    // Nothing was stored anywhere, under any name.
    expect(await s.deps.blobs.list('')).toEqual([])
  })

  it('accepts nested paths of allowed characters', async () => {
    const res = await s.app.request(`/api/movies/${id}/files/video/720p/chunk-00001.m4s`, {
      method: 'PUT',
      headers: { ...asAlice, 'x-content-sha256': sha256Of('x') },
      body: 'x',
    })
    expect(res.status).toBe(201)
    const raw = await rawRequest(s.port, 'GET', `/media/${id}/video/720p/chunk-00001.m4s`, asAlice)
    expect(raw.status).toBe(200)
    expect(raw.body).toBe('x')
  })
})

describe('checkMoviePath', () => {
  it.each([
    'manifest.mpd',
    'init-stream0.m4s',
    'chunk-stream0-00001.m4s',
    'video/720p/init.mp4',
    'a/b/c/d.webm',
    'poster.jpg',
    'poster.jpeg',
    'poster.png',
    'poster.webp',
    'subs/en.vtt',
    'Under_score-1.2.m4s',
  ])('accepts %j', (path) => {
    expect(checkMoviePath(path)).toEqual({ ok: true, path })
  })

  it.each([
    '',
    '..',
    '../a.m4s',
    'a/../b.m4s',
    './a.m4s',
    'a\\b.m4s',
    'a\0.m4s',
    'a b.m4s',
    'a.exe',
    'é.m4s',
    'a.m4s/',
  ])('refuses %j', (path) => {
    expect(checkMoviePath(path).ok).toBe(false)
  })
})
