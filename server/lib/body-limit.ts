/**
 * Size limits for the API's small bodies (JSON, forms): without them a few concurrent 500 MB JSON
 * bodies to the anonymous sign-in route fill the memory. The raw upload routes stream to storage
 * under their own, much larger limits and are left alone.
 * @module
 */
import type { MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { ApiError } from './problem.ts'

/** Largest body, in bytes, the API reads for anything but a raw upload. */
export const JSON_BODY_LIMIT = 64 * 1024

/**
 * Refuses a body over `maxBytes` with a 413 problem `body-too-large`, without reading the rest.
 * A declared Content-Length is checked without touching the body: on Node, reaching for
 * `c.req.raw.body` (as hono's bodyLimit does first) turns the request into a Web Request with a
 * stream, which roughly doubled the cost of a small request. Only a body of unknown length is
 * streamed through hono's bodyLimit, which stops as soon as it passes the limit.
 */
export function smallBody(maxBytes: number, detail: string): MiddlewareHandler {
  const tooLarge = () => {
    throw new ApiError(413, 'body-too-large', detail, { limit: maxBytes })
  }
  const streamed = bodyLimit({ maxSize: maxBytes, onError: tooLarge })
  return async (c, next) => {
    const declared = c.req.header('content-length')
    if (c.req.header('transfer-encoding') !== undefined) return streamed(c, next)
    // No length and no chunked coding: HTTP/1.1 says there is no body (GET, HEAD, DELETE).
    if (declared === undefined)
      return c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : streamed(c, next)
    if (!(Number(declared) <= maxBytes)) tooLarge()
    await next()
  }
}

/** `PUT /api/movies/:id/files/<path>` and `PUT /api/series/:id/poster`: streamed to storage. */
const RAW_UPLOAD = /^\/api\/(movies\/[^/]+\/files\/|series\/[^/]+\/poster$)/

const apiBody = smallBody(JSON_BODY_LIMIT, `Request bodies are limited to ${JSON_BODY_LIMIT} bytes here.`)

/**
 * Limits every body under /api but the raw uploads to {@link JSON_BODY_LIMIT}, answering 413
 * problem+json without reading the rest.
 */
export const apiBodyLimit: MiddlewareHandler = (c, next) =>
  c.req.method === 'PUT' && RAW_UPLOAD.test(c.req.path) ? next() : apiBody(c, next)
