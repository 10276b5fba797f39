/**
 * What createApp puts together: every API route described in the OpenAPI document, the file
 * routes answering every shape of path the way they always have, and the app's in-memory state
 * (the /media lookup cache) ageing by the app's own clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PUBLIC_LOOKUP_TTL_MS } from '../../server/runtime.ts'
import { json, makeTestApp, type TestApp } from '../helpers.ts'
import { sha256Of } from '../media/fixtures.ts'

let clock = Date.UTC(2026, 0, 1)
let t: TestApp
let asAlice: Record<string, string>

beforeAll(async () => {
  t = await makeTestApp({ now: () => clock })
  asAlice = await t.headersFor(await t.createUser('alice'))
})
afterAll(() => t.cleanup())

async function draft(): Promise<string> {
  const res = await t.app.request('/api/movies', { method: 'POST', ...json({ name: 'App test' }, asAlice) })
  return ((await res.json()) as { id: string }).id
}

function put(id: string, path: string, data: Uint8Array) {
  return t.app.request(`/api/movies/${id}/files/${path}`, {
    method: 'PUT',
    headers: { ...asAlice, 'x-content-sha256': sha256Of(data) },
    body: data as Uint8Array<ArrayBuffer>,
  })
}

async function published(): Promise<string> {
  const id = await draft()
  const mpd = new TextEncoder().encode(
    '<MPD type="static" mediaPresentationDuration="PT2S"><Period><AdaptationSet mimeType="video/mp4">' +
      '<Representation id="v" bandwidth="1000" width="64" height="36"><BaseURL>v.mp4</BaseURL><SegmentBase/>' +
      '</Representation></AdaptationSet></Period></MPD>',
  )
  expect((await put(id, 'manifest.mpd', mpd)).status).toBe(201)
  expect((await put(id, 'v.mp4', new Uint8Array(100).fill(7))).status).toBe(201)
  const res = await t.app.request(`/api/movies/${id}/publish`, { method: 'POST', headers: asAlice })
  expect(res.status).toBe(200)
  return id
}

describe('the OpenAPI document', () => {
  it('describes every route under /api, with its method', async () => {
    const doc = (await (await t.app.request('/api/openapi.json')).json()) as {
      paths: Record<string, Record<string, unknown>>
    }
    // The document itself and its viewer are the description, not part of it; `*` routes only
    // catch malformed file paths for the documented `{path}` route.
    const routes = t.app.routes.filter(
      (r) =>
        r.method !== 'ALL' &&
        r.path.startsWith('/api/') &&
        !['/api/openapi.json', '/api/docs'].includes(r.path) &&
        !r.path.endsWith('*'),
    )
    expect(routes.length).toBeGreaterThan(15)
    const missing = routes
      .map((r) => ({ method: r.method.toLowerCase(), path: r.path.replace(/:(\w+)(\{[^}]*\})?/g, '{$1}') }))
      .filter((r) => doc.paths[r.path]?.[r.method] === undefined)
      .map((r) => `${r.method.toUpperCase()} ${r.path}`)
    expect(missing).toEqual([])
  })
})

describe('the file routes', () => {
  it('answers a file path with several folders', async () => {
    const id = await draft()
    const data = new Uint8Array(10).fill(1)
    const res = await put(id, 'video/720p/init.m4s', data)
    expect(res.status).toBe(201)
    expect(await res.json()).toMatchObject({ path: 'video/720p/init.m4s', size: 10 })
    const gone = await t.app.request(`/api/movies/${id}/files/video/720p/init.m4s`, {
      method: 'DELETE',
      headers: asAlice,
    })
    expect(gone.status).toBe(204)
  })

  it('says what is wrong with an empty file path or a missing one, rather than a bare 404', async () => {
    const id = await draft()
    const data = new Uint8Array(10)
    const empty = await put(id, '', data)
    expect(empty.status).toBe(400)
    expect(await empty.json()).toMatchObject({ type: '/problems/invalid-path' })
    const none = await t.app.request(`/api/movies/${id}/files`, {
      method: 'PUT',
      headers: { ...asAlice, 'x-content-sha256': sha256Of(data) },
      body: data as Uint8Array<ArrayBuffer>,
    })
    expect(none.status).toBe(422)
    const deleteNone = await t.app.request(`/api/movies/${id}/files/`, { method: 'DELETE', headers: asAlice })
    expect(deleteNone.status).toBe(400)
  })
})

describe('the app state', () => {
  it('keeps serving a public file for a second after its movie is hidden, by the app clock, then stops', async () => {
    const id = await published()
    expect((await t.app.request(`/media/${id}/v.mp4`)).status).toBe(200)
    const hide = await t.app.request(`/api/movies/${id}`, {
      method: 'PATCH',
      ...json({ active: false }, asAlice),
    })
    expect(hide.status).toBe(200)
    // The lookup of a public file is reused while it is fresh: no query per segment.
    expect((await t.app.request(`/media/${id}/v.mp4`)).status).toBe(200)
    clock += PUBLIC_LOOKUP_TTL_MS
    expect((await t.app.request(`/media/${id}/v.mp4`)).status).toBe(404)
    // Its owner still sees it.
    expect((await t.app.request(`/media/${id}/v.mp4`, { headers: asAlice })).status).toBe(200)
  })
})
