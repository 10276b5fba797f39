/**
 * Request helpers shared by the API tests of viewers, series and /api/me, in the style of
 * tests/support/app.ts.
 * @module
 */
import { eq } from 'drizzle-orm'
import { expect } from 'vitest'
import { type Movie, movies } from '../../db/schema.ts'
import { json, type TestApp } from '../support/app.ts'

export type Headers = Record<string, string>

/** `request(method, path, headers, body?)` on the app, with a JSON body when one is given. */
export const requester =
  (t: TestApp) =>
  (method: string, path: string, headers: Headers = {}, body?: unknown): Response | Promise<Response> =>
    t.app.request(path, body === undefined ? { method, headers } : { method, ...json(body, headers) })

/** The JSON body of a response that must have `status` (the body is in the failure message). */
export async function ok<T>(res: Response | Promise<Response>, status = 200): Promise<T> {
  const r = await res
  const body = await r.text()
  expect(r.status, body).toBe(status)
  return (body ? JSON.parse(body) : undefined) as T
}

/** Marks a movie published directly (publishing itself is tested in tests/media), 20 minutes long. */
export async function markPublished(t: TestApp, id: string, set: Partial<Movie> = {}): Promise<void> {
  await t.deps.db
    .update(movies)
    .set({ status: 'ready', duration: 1200, publishedAt: new Date(), ...set })
    .where(eq(movies.id, id))
}
