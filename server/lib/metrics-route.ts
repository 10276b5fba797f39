/**
 * GET /metrics: the Prometheus text exposition, where the runtime keeps metrics (Node). Closed
 * unless the caller sends `Authorization: Bearer <METRICS_TOKEN>`, or is on this machine and came
 * straight rather than through a proxy (a proxy on the same host would make everyone local).
 * Anyone else gets the same 404 as a server without metrics.
 * @module
 */
import type { Context, Handler } from 'hono'
import type { AppEnv, Deps } from '../env.ts'
import { ApiError } from './problem.ts'

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/
const PROXY_HEADERS = ['x-forwarded-for', 'x-real-ip', 'forwarded'] as const

export function metricsRoute(deps: Deps): Handler<AppEnv> {
  return async (c) => {
    if (!deps.metrics || !allowed(deps, c)) {
      throw new ApiError(404, 'not-found', 'Nothing at GET /metrics.')
    }
    const { contentType, body } = await deps.metrics.render()
    return c.body(body, 200, { 'content-type': contentType, 'cache-control': 'no-store' })
  }
}

function allowed(deps: Deps, c: Context<AppEnv>): boolean {
  const token = deps.metricsToken
  if (token) {
    const given = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1]
    if (given !== undefined && sameSecret(given, token)) return true
  }
  const peer = deps.peerAddress?.(c)
  return peer !== undefined && LOOPBACK.test(peer) && PROXY_HEADERS.every((h) => !c.req.header(h))
}

/** Compares without stopping at the first difference, so timing does not reveal the token. */
function sameSecret(a: string, b: string): boolean {
  let diff = a.length ^ b.length
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}
