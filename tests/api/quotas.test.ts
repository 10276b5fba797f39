/**
 * What one user and one movie may hold: a per-user byte quota over all the movies a user owns, a
 * maximum number of files per movie, both decided before a byte of the body is read; and the file
 * list a page at a time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../server/config.ts'
import { json, makeTestApp, type TestApp } from '../support/app.ts'
import { bytesOf, countingStream, gatedBody, sha256Of } from '../support/bytes.ts'

const KiB = 1024
let t: TestApp
let asAlice: Record<string, string>
let asBob: Record<string, string>
let asAdmin: Record<string, string>

beforeAll(async () => {
  t = await makeTestApp({
    blobs: 'fs',
    config: {
      maxFileBytes: 200 * KiB,
      maxMovieBytes: 1000 * KiB,
      userQuotaBytes: 300 * KiB,
      maxMovieFiles: 4,
    },
  })
  asAlice = await t.headersFor(await t.createUser('alice'))
  asBob = await t.headersFor(await t.createUser('bob'))
  asAdmin = await t.headersFor(await t.createUser('admin', 'admin'))
})
afterAll(() => t.close())

async function draft(headers: Record<string, string>): Promise<string> {
  const res = await t.app.request('/api/movies', { method: 'POST', ...json({ name: 'Quota test' }, headers) })
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

const withHash = (data: Uint8Array, headers: Record<string, string>) => ({
  ...headers,
  'x-content-sha256': sha256Of(data),
})

describe('the per-user quota', () => {
  it('counts every movie the user owns, and refuses a declared body that would pass it before reading it', async () => {
    const first = await draft(asAlice)
    const second = await draft(asAlice)
    const a = bytesOf(150 * KiB, 1)
    const b = bytesOf(120 * KiB, 2)
    expect((await put(first, 'a.m4s', a, withHash(a, asAlice))).status).toBe(201)
    expect((await put(second, 'b.m4s', b, withHash(b, asAlice))).status).toBe(201)

    const { stream, state } = countingStream(50 * KiB)
    const res = await put(second, 'c.m4s', stream, {
      ...asAlice,
      'x-content-sha256': sha256Of('x'),
      'content-length': String(50 * KiB),
    })
    expect(res.status).toBe(413)
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/)
    const body = (await res.json()) as { type: string; detail: string; quota: number; remaining: number }
    expect(body).toMatchObject({ type: '/problems/quota-exceeded', quota: 300 * KiB, remaining: 30 * KiB })
    expect(body.detail).toMatch(/quota of 307200 bytes/)
    expect(state.pulled).toBe(0)

    // Bob's quota is his own.
    const bobs = await draft(asBob)
    const big = bytesOf(200 * KiB, 3)
    expect((await put(bobs, 'a.m4s', big, withHash(big, asBob))).status).toBe(201)

    // A smaller replacement only counts the difference, and frees room for another file.
    const smaller = bytesOf(100 * KiB, 4)
    expect((await put(first, 'a.m4s', smaller, withHash(smaller, asAlice))).status).toBe(200)
    const fits = bytesOf(70 * KiB, 5)
    expect((await put(second, 'c.m4s', fits, withHash(fits, asAlice))).status).toBe(201)
  })

  it("charges the movie's owner when an admin uploads into it", async () => {
    const carol = await t.createUser('carol')
    const asCarol = await t.headersFor(carol)
    const id = await draft(asCarol)
    const data = bytesOf(200 * KiB, 6)
    expect((await put(id, 'a.m4s', data, withHash(data, asAdmin))).status).toBe(201)
    const more = bytesOf(150 * KiB, 7)
    const res = await put(id, 'b.m4s', more, withHash(more, asAdmin))
    expect(res.status).toBe(413)
    expect(await res.json()).toMatchObject({ type: '/problems/quota-exceeded', remaining: 100 * KiB })
  })

  it('counts bytes still streaming into another movie of the same user', async () => {
    const dave = await t.headersFor(await t.createUser('dave'))
    const [one, two] = [await draft(dave), await draft(dave)]
    const data = bytesOf(200 * KiB, 8)
    const gate = gatedBody(data, 16 * KiB)
    const first = put(one, 'a.m4s', gate.stream, {
      ...withHash(data, dave),
      'content-length': String(data.byteLength),
    })
    await gate.started(first)
    const other = bytesOf(150 * KiB, 9)
    const refused = await put(two, 'b.m4s', other, withHash(other, dave))
    expect(refused.status).toBe(413)
    expect(await refused.json()).toMatchObject({ type: '/problems/quota-exceeded', remaining: 100 * KiB })
    gate.release()
    expect((await first).status).toBe(201)
  })

  it('stops a body without a length at the quota as it streams', async () => {
    const erin = await t.headersFor(await t.createUser('erin'))
    const id = await draft(erin)
    const data = bytesOf(200 * KiB, 10)
    expect((await put(id, 'a.m4s', data, withHash(data, erin))).status).toBe(201)
    const { stream, state } = countingStream(1000 * KiB, 16 * KiB)
    const res = await put(id, 'b.m4s', stream, { ...erin, 'x-content-sha256': sha256Of('x') })
    expect(res.status).toBe(413)
    expect(await res.json()).toMatchObject({ type: '/problems/quota-exceeded' })
    expect(state.pulled).toBeLessThanOrEqual(100 * KiB + 16 * KiB)
  })

  it('is read from USER_QUOTA_BYTES, and unset or 0 means none', () => {
    expect(parseConfig({ USER_QUOTA_BYTES: '5GiB' }).USER_QUOTA_BYTES).toBe(5 * 1024 ** 3)
    expect(parseConfig({}).USER_QUOTA_BYTES).toBe(0)
    expect(parseConfig({ MAX_MOVIE_FILES: '100' }).MAX_MOVIE_FILES).toBe(100)
    expect(parseConfig({}).MAX_MOVIE_FILES).toBe(20_000)
    expect(() => parseConfig({ MAX_MOVIE_FILES: '0' })).toThrow(/MAX_MOVIE_FILES/)
  })
})

describe('the file count of a movie', () => {
  it('refuses a file past the limit before reading it, but lets stored files be replaced', async () => {
    const frank = await t.headersFor(await t.createUser('frank'))
    const id = await draft(frank)
    for (const n of [1, 2, 3, 4]) {
      const data = bytesOf(10, n)
      expect((await put(id, `s-${n}.m4s`, data, withHash(data, frank))).status).toBe(201)
    }
    const { stream, state } = countingStream(10)
    const res = await put(id, 's-5.m4s', stream, {
      ...frank,
      'x-content-sha256': sha256Of('x'),
      'content-length': '10',
    })
    expect(res.status).toBe(422)
    expect(await res.json()).toMatchObject({ type: '/problems/too-many-files', limit: 4 })
    expect(state.pulled).toBe(0)

    const again = bytesOf(20, 9)
    expect((await put(id, 's-1.m4s', again, withHash(again, frank))).status).toBe(200)
    expect(
      (await t.app.request(`/api/movies/${id}/files/s-2.m4s`, { method: 'DELETE', headers: frank })).status,
    ).toBe(204)
    const fifth = bytesOf(10, 5)
    expect((await put(id, 's-5.m4s', fifth, withHash(fifth, frank))).status).toBe(201)
  })

  it('counts new files still streaming', async () => {
    const gina = await t.headersFor(await t.createUser('gina'))
    const id = await draft(gina)
    for (const n of [1, 2, 3]) {
      const data = bytesOf(10, n)
      expect((await put(id, `s-${n}.m4s`, data, withHash(data, gina))).status).toBe(201)
    }
    const data = bytesOf(64 * KiB, 4)
    const gate = gatedBody(data, 8 * KiB)
    const fourth = put(id, 's-4.m4s', gate.stream, {
      ...withHash(data, gina),
      'content-length': String(data.byteLength),
    })
    await gate.started(fourth)
    const fifth = bytesOf(10, 5)
    expect((await put(id, 's-5.m4s', fifth, withHash(fifth, gina))).status).toBe(422)
    gate.release()
    expect((await fourth).status).toBe(201)
  })
})

describe('the file list', () => {
  interface Page {
    items: { path: string; size: number }[]
    totalBytes: number
    fileCount: number
    nextCursor: string | null
  }

  it('comes a page at a time in path order, with the whole movie’s totals', async () => {
    const admin = asAdmin
    const id = await draft(admin)
    const names = ['e.m4s', 'a.m4s', 'd/x.m4s', 'c.m4s', 'b.m4s', 'd.m4s', 'A.m4s']
    t.deps.config.maxMovieFiles = 100
    try {
      for (const [i, name] of names.entries()) {
        const data = bytesOf(i + 1, i)
        expect((await put(id, name, data, withHash(data, admin))).status).toBe(201)
      }
    } finally {
      t.deps.config.maxMovieFiles = 4
    }
    const seen: string[] = []
    let cursor: string | null = null
    let pages = 0
    do {
      const q: string = cursor ? `?limit=3&cursor=${cursor}` : '?limit=3'
      const res = await t.app.request(`/api/movies/${id}/files${q}`, { headers: admin })
      expect(res.status).toBe(200)
      const page = (await res.json()) as Page
      expect(page.items.length).toBeLessThanOrEqual(3)
      expect(page).toMatchObject({ totalBytes: 28, fileCount: 7 })
      seen.push(...page.items.map((f) => f.path))
      cursor = page.nextCursor
      pages++
    } while (cursor)
    expect(pages).toBe(3)
    expect(seen).toEqual([...names].sort((a, b) => (a < b ? -1 : 1)))

    const whole = (await (await t.app.request(`/api/movies/${id}/files`, { headers: admin })).json()) as Page
    expect(whole.items.map((f) => f.path)).toEqual(seen)
    expect(whole.nextCursor).toBeNull()
  })

  it('refuses a cursor it did not give out and a page size out of range', async () => {
    const id = await draft(asAdmin)
    for (const q of ['?cursor=bm9wZQ', '?limit=0', '?limit=5001', '?page=2']) {
      const res = await t.app.request(`/api/movies/${id}/files${q}`, { headers: asAdmin })
      expect(res.status, q).toBe(422)
    }
  })
})
