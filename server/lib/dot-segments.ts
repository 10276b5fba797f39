/**
 * Refuses any request whose target, as the client sent it, has `.` or `..` path segments
 * (literal or percent-encoded). URL parsing would resolve them away before routing, so without
 * this `/api/movies/x/files/../../y` would quietly become another route's request.
 * Browsers and HTTP clients normalise such paths themselves; only hand-made requests carry them.
 * @module
 */
import type { MiddlewareHandler } from 'hono'
import { hasDotSegment, rawRequestPath } from './paths.ts'
import { ApiError } from './problem.ts'

export const refuseDotSegments: MiddlewareHandler = async (c, next) => {
  if (hasDotSegment(rawRequestPath(c.req.raw, c.env))) {
    throw new ApiError(
      400,
      'invalid-path',
      'The request path has a "." or ".." segment; send the path it stands for.',
    )
  }
  await next()
}
