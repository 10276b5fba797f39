/**
 * What happens to every request on its way out: a request id (echoed in `x-request-id` and in
 * problem bodies as `instance`), one access-log line and the request metrics. Runtime-agnostic:
 * the runtime says through `deps.whenSent` when a response has really been sent and how many
 * bytes it took (Node), or the line is written as soon as the response is built (elsewhere).
 * @module
 */
import type { Context, MiddlewareHandler } from 'hono'
import { matchedRoutes } from 'hono/route'
import type { AppEnv, Deps } from '../env.ts'
import { randomToken } from './crypto.ts'
import { consoleLogger } from './log.ts'

export const REQUEST_ID_HEADER = 'x-request-id'

/** What we take from a proxy's `X-Request-Id` (nginx's `$request_id` is 32 hex digits): no spaces, no quotes. */
const GOOD_ID = /^[\w.:@-]{1,128}$/

/** The metrics port: Node fills it with prom-client (server/observe.node.ts); Workers have none. */
export interface AppMetrics {
  /** One response sent: by route pattern (never the raw path), method and status. */
  request(route: string, method: string, status: number, seconds: number, bytes: number | undefined): void
  /** An upload started, with the bytes it may take; call the result when it ends. */
  uploadStarted(reservedBytes: number): () => void
  /** How a publish ended: `published`, `unchanged`, or the problem code that refused it. */
  published(outcome: string): void
  /** A sign-in (or sign-up) refused for bad credentials or a bad invite. */
  loginFailed(): void
  /** The Prometheus text exposition of everything above and the process's own gauges. */
  render(): Promise<{ contentType: string; body: string }>
}

/** Called by the runtime once the response is fully sent (or the client went away). */
export type SentCallback = (bytes: number | undefined, aborted: boolean) => void

/**
 * 20 characters of [A-Za-z0-9]: this process's random 12 and a counter, so ids never repeat
 * across processes and restarts and cost no random bytes per request (they are not secrets).
 */
let prefix = ''
let requests = 0
export function newRequestId(): string {
  // Made at the first request, not at load: Workers allow random values only while handling one.
  if (!prefix) prefix = randomToken(12)
  return prefix + (requests++).toString(36).padStart(8, '0')
}

/** The route pattern that answered, for metrics labels; `(unmatched)` for a 404 no route claimed. */
export function routeOf(c: Context): string {
  const matched = matchedRoutes(c)[c.req.routeIndex]
  if (!matched || (matched.method === 'ALL' && c.res.status === 404)) return '(unmatched)'
  return matched.path
}

export function observe(deps: Deps): MiddlewareHandler<AppEnv> {
  const log = deps.log ?? consoleLogger('warn')
  const metrics = deps.metrics
  const whenSent = deps.whenSent
  return async (c, next) => {
    const started = performance.now()
    const given = c.req.header(REQUEST_ID_HEADER)
    const id = given !== undefined && GOOD_ID.test(given) ? given : newRequestId()
    c.set('requestId', id)
    await next()
    const res = c.res
    // The /media handler writes it into its own plain header object (cheaper on Node's hot path).
    if (!c.get('requestIdSent') || c.error) res.headers.set(REQUEST_ID_HEADER, id)
    const status = res.status
    const method = c.req.method
    const url = c.req.url
    const userId = c.get('user')?.id
    const addr = deps.clientIp?.(c)
    const done: SentCallback = (bytes, aborted) => {
      const ms = performance.now() - started
      log.info(
        {
          reqId: id,
          method,
          path: url.slice(url.indexOf('/', url.indexOf('//') + 2)),
          status,
          bytes,
          ms: Math.round(ms * 100) / 100,
          ...(userId ? { userId } : {}),
          ...(addr ? { addr } : {}),
          ...(aborted ? { aborted } : {}),
        },
        'request',
      )
      metrics?.request(routeOf(c), method, status, ms / 1000, bytes)
    }
    if (whenSent) whenSent(c, done)
    else {
      const length = res.headers.get('content-length')
      done(length === null ? undefined : Number(length), false)
    }
  }
}
