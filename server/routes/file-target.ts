/**
 * Which movie file a request is about, for the two routes that take a file path with slashes in
 * it (`/api/movies/<id>/files/<path>` and `/media/<id>/<path>`). Read from the URL as the client
 * sent it, before the runtime resolved any `..` away (see lib/paths.ts).
 * @module
 */
import type { Context } from 'hono'
import { ID_PATTERN } from '../lib/crypto.ts'
import { invalidPath } from '../lib/errors.ts'
import { checkUrlPath, hasDotSegment, rawRequestPath } from '../lib/paths.ts'
import type { ApiError } from '../lib/problem.ts'

export interface FileTarget {
  id: string
  /** Checked with checkUrlPath: safe to use as a storage key part. */
  path: string
}

/**
 * @param shape where the id and the path are in the raw request path: two groups, id then path.
 * @param badId what a malformed id is: the upload API says which field is wrong, /media says the
 *   movie is not there.
 * @throws the `badId` error, or ApiError 400 `invalid-path`.
 * @example fileTarget(c, /\/media\/([^/]*)\/(.*)$/, movieNotFound)
 */
export function fileTarget(c: Context, shape: RegExp, badId: (id: string) => ApiError): FileTarget {
  const raw = rawRequestPath(c.req.raw, c.env)
  const m = shape.exec(raw)
  const id = m?.[1] ?? ''
  if (!ID_PATTERN.test(id)) throw badId(id)
  const checked = hasDotSegment(raw)
    ? { ok: false as const, reason: 'the path has a "." or ".." segment' }
    : checkUrlPath(m?.[2] ?? '')
  if (!checked.ok) throw invalidPath(checked.reason)
  return { id, path: checked.path }
}
