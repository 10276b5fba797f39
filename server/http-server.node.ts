/**
 * The Node HTTP server with the limits of http-limits.ts.
 * @module
 */
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve } from '@hono/node-server'
import type { HttpLimits } from './http-limits.ts'

/**
 * Starts `fetch` on an HTTP server configured with `limits`.
 * @example const server = serveNode(app.fetch, { port: 3000, hostname: '127.0.0.1' }, DEFAULT_HTTP_LIMITS)
 */
export function serveNode(
  fetch: Parameters<typeof serve>[0]['fetch'],
  at: { port: number; hostname: string },
  limits: HttpLimits,
  onListening?: (info: AddressInfo) => void,
): Server {
  const server = serve(
    {
      fetch,
      ...at,
      serverOptions: {
        headersTimeout: limits.headersTimeoutMs,
        requestTimeout: limits.requestTimeoutMs,
        keepAliveTimeout: limits.keepAliveTimeoutMs,
        ...(limits.checkIntervalMs !== undefined
          ? { connectionsCheckingInterval: limits.checkIntervalMs }
          : {}),
      },
    },
    onListening,
  ) as Server
  // Node destroys a socket that goes quiet this long (server.timeout with no 'timeout' listener).
  server.setTimeout(limits.socketTimeoutMs)
  server.maxConnections = limits.maxConnections
  return server
}
