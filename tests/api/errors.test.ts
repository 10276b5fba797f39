import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { json, makeTestApp, type TestApp } from '../support/app.ts'

let t: TestApp
let headers: Record<string, string>
let movieId: string

beforeAll(async () => {
  t = await makeTestApp({ db: 'memory' })
  headers = await t.headersFor(await t.createUser('erin', 'uploader'))
  const res = await t.app.request('/api/movies', { method: 'POST', ...json({ name: 'x' }, headers) })
  movieId = ((await res.json()) as { id: string }).id
})
afterAll(() => t.close())

interface Problem {
  type: string
  title: string
  status: number
  detail: string
  errors?: { field: string; message: string }[]
}

async function expectProblem(res: Response, status: number): Promise<Problem> {
  expect(res.status).toBe(status)
  expect(res.headers.get('content-type')).toBe('application/problem+json')
  const body = (await res.json()) as Problem
  expect(body).toMatchObject({
    status,
    type: expect.any(String),
    title: expect.any(String),
    detail: expect.any(String),
  })
  expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+|node_modules/)
  return body
}

describe('bad input gets a problem+json naming what was wrong', () => {
  it('invalid JSON', async () => {
    const res = await t.app.request('/api/movies', {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: '{"name": "unterminated',
    })
    const body = await expectProblem(res, 400)
    expect(body.detail).toMatch(/JSON/i)
  })

  it('wrong types', async () => {
    const res = await t.app.request('/api/movies', {
      method: 'POST',
      ...json({ name: 42, active: 'yes' }, headers),
    })
    const body = await expectProblem(res, 422)
    expect(body.errors?.map((e) => e.field).sort()).toEqual(['active', 'name'])
  })

  it('unknown fields', async () => {
    const res = await t.app.request('/api/movies', {
      method: 'POST',
      ...json({ name: 'ok', status: 'ready', owner: 'me' }, headers),
    })
    const body = await expectProblem(res, 422)
    expect(body.errors?.map((e) => e.field).sort()).toEqual(['owner', 'status'])
  })

  it('oversized strings', async () => {
    const res = await t.app.request(`/api/movies/${movieId}`, {
      method: 'PATCH',
      ...json({ description: 'x'.repeat(5001) }, headers),
    })
    const body = await expectProblem(res, 422)
    expect(body.errors?.[0]?.field).toBe('description')
  })

  it('empty name', async () => {
    const res = await t.app.request('/api/movies', { method: 'POST', ...json({ name: '   ' }, headers) })
    expect((await expectProblem(res, 422)).errors?.[0]?.field).toBe('name')
  })

  it('bad ids', async () => {
    for (const id of ['short', 'has-dashes-in-it!', 'a'.repeat(40)]) {
      const res = await t.app.request(`/api/movies/${encodeURIComponent(id)}`)
      expect((await expectProblem(res, 422)).errors?.[0]?.field).toBe('id')
    }
  })

  it('bad query parameters', async () => {
    const res = await t.app.request('/api/movies?limit=0&active=maybe&sort=random')
    const body = await expectProblem(res, 422)
    expect(body.errors?.map((e) => e.field).sort()).toEqual(['active', 'limit', 'sort'])
  })

  it('unknown routes', async () => {
    await expectProblem(await t.app.request('/api/nope'), 404)
    await expectProblem(await t.app.request('/api/movies/AAAAAAAAAAAAAAAA/nothing-here'), 404)
  })
})

describe('health and API description', () => {
  it('answers health when the database is reachable', async () => {
    const res = await t.app.request('/api/health')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ok' })
  })

  it('serves an OpenAPI 3.1 document describing the catalog and auth routes', async () => {
    const res = await t.app.request('/api/openapi.json')
    expect(res.status).toBe(200)
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> }
    expect(doc.openapi).toBe('3.1.0')
    expect(Object.keys(doc.paths['/api/movies'] ?? {}).sort()).toEqual(['get', 'post'])
    expect(Object.keys(doc.paths['/api/movies/{id}'] ?? {}).sort()).toEqual(['delete', 'get', 'patch'])
    expect(doc.paths['/api/auth/login']?.post).toBeDefined()
    expect(doc.paths['/api/auth/tokens']?.post).toBeDefined()
  })

  it('serves an interactive reference at /api/docs', async () => {
    const res = await t.app.request('/api/docs')
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain('/api/openapi.json')
    // The UI script comes from our own origin, not a CDN.
    expect(html).toContain('src="/vendor/scalar-api-reference.js"')
    expect(html).not.toMatch(/cdn\.jsdelivr/)
  })
})
