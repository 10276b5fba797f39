/**
 * Request bodies outside the upload routes are small: a JSON body over 64 KiB is answered 413
 * without reading the rest (a few concurrent 500 MB bodies to the sign-in route must not fill the
 * memory), whether it declares its length or streams it; the raw upload routes keep their own,
 * much larger limits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { JSON_BODY_LIMIT } from '../../server/lib/body-limit.ts'
import { json, makeTestApp, type TestApp, type TestUser } from '../support/app.ts'
import { sha256Of } from '../support/bytes.ts'

let t: TestApp
let uploader: TestUser

beforeAll(async () => {
  t = await makeTestApp()
  uploader = await t.createUser()
})
afterAll(() => t.close())

/** A body that yields `first` and then never ends; `pulled()` says how many bytes were taken from it. */
function endless(first: Uint8Array) {
  let pulled = 0
  let sent = false
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent) {
        // Never finishes: a server that reads on waits forever.
        return new Promise<void>(() => {})
      }
      sent = true
      pulled += first.byteLength
      controller.enqueue(first)
    },
  })
  return { body, pulled: () => pulled }
}

/** A body of `chunk`-sized pieces up to 16 MiB, far over the limit, counting what was read. */
function flood(chunk: number) {
  let pulled = 0
  const piece = new Uint8Array(chunk).fill(0x20)
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled >= 16 * 1024 * 1024) return controller.close()
      pulled += chunk
      controller.enqueue(piece)
    },
  })
  return { body, pulled: () => pulled }
}

const within = <T>(p: Promise<T> | T, ms: number) =>
  Promise.race([
    Promise.resolve(p),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)),
  ])

describe('JSON bodies', () => {
  it('refuses a sign-in body declared larger than the limit at once, before reading it', async () => {
    const { body, pulled } = endless(new TextEncoder().encode('{"username":"'))
    const res = await within(
      t.app.request('/api/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': String(500 * 1024 * 1024) },
        body,
        duplex: 'half',
      } as RequestInit),
      5000,
    )
    expect(res.status).toBe(413)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    expect(await res.json()).toMatchObject({ type: '/problems/body-too-large' })
    expect(pulled()).toBeLessThanOrEqual(JSON_BODY_LIMIT)
  })

  it('stops reading a streamed body of unknown length soon after the limit', async () => {
    const { body, pulled } = flood(16 * 1024)
    const res = await within(
      t.app.request('/api/movies', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await t.headersFor(uploader)) },
        body,
        duplex: 'half',
      } as RequestInit),
      5000,
    )
    expect(res.status).toBe(413)
    expect(pulled()).toBeLessThan(JSON_BODY_LIMIT + 256 * 1024)
  })

  it('lets an ordinary body through', async () => {
    const res = await t.app.request('/api/movies', {
      method: 'POST',
      ...json({ name: 'Ordinary', description: 'x'.repeat(4000) }, await t.headersFor(uploader)),
    })
    expect(res.status).toBe(201)
  })
})

describe('raw uploads', () => {
  it('keep their own limits: a movie file far over 64 KiB is stored', async () => {
    const asUploader = await t.headersFor(uploader)
    const movie = (await (
      await t.app.request('/api/movies', { method: 'POST', ...json({ name: 'Big file' }, asUploader) })
    ).json()) as { id: string }
    const bytes = new Uint8Array(300 * 1024).fill(7)
    const res = await t.app.request(`/api/movies/${movie.id}/files/seg-1.m4s`, {
      method: 'PUT',
      headers: {
        ...asUploader,
        'x-content-sha256': sha256Of(bytes),
        'content-length': String(bytes.byteLength),
      },
      body: bytes,
    })
    expect(res.status).toBe(201)
  })
})
