/** The signed-in viewer's preferences (`GET/PATCH /api/me/preferences`), read once per page. @module */
import { api, call, type Preferences } from '../api.ts'

let cached: Promise<Preferences> | undefined

/** The preferences; the defaults when they cannot be read (a countdown is better than none). */
export function preferences(): Promise<Preferences> {
  cached ??= call(api.me.preferences.$get()).catch(() => ({ autoplayNext: true }))
  return cached
}

/** Changes some preferences; rejects (and keeps the old ones) when the server refuses. */
export async function setPreferences(patch: Partial<Preferences>): Promise<Preferences> {
  const next = await call(api.me.preferences.$patch({ json: patch }))
  cached = Promise.resolve(next)
  return next
}
