/**
 * The headers of a raw upload body, read the same way wherever one is taken (a movie's files, a
 * series' poster): the SHA-256 the client says it has, and the length it declares.
 * @module
 */
import type { Context } from 'hono'
import type { AppEnv } from '../env.ts'
import { ApiError } from '../lib/problem.ts'

/** `x-content-sha256` as 64 lower-case hex digits, or a 400 that says what is wrong. */
export function declaredSha256(c: Context): string {
  const sha256 = c.req.header('x-content-sha256')?.trim().toLowerCase()
  if (!sha256 || !/^[0-9a-f]{64}$/.test(sha256)) {
    throw new ApiError(
      400,
      'sha256-required',
      'Send the SHA-256 of the body as 64 hex digits in the x-content-sha256 header.',
      {
        errors: [
          { field: 'header.x-content-sha256', message: sha256 ? 'Expected 64 hex digits' : 'Required' },
        ],
      },
    )
  }
  return sha256
}

/**
 * The declared Content-Length, if any; a 400 when it is not a number. Where uploads must declare
 * it (`config.uploadsNeedLength`: Workers), a body without one is a 411 before a byte is read.
 */
export function contentLength(c: Context<AppEnv>): number | undefined {
  const header = c.req.header('content-length')
  if (header === undefined) {
    if (c.var.deps.config.uploadsNeedLength && c.req.raw.body !== null) {
      throw new ApiError(
        411,
        'length-required',
        'Send the file with a Content-Length header: this server stores only bodies of a declared length.',
      )
    }
    return undefined
  }
  if (!/^\d{1,15}$/.test(header.trim()))
    throw new ApiError(400, 'bad-request', 'Content-Length is not a number.')
  return Number(header)
}
