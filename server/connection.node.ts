/**
 * Who is on the other end of a Node request, as far as the settings let us know: the client
 * address (rate limits key on it) and whether it came over HTTPS (the session cookie's Secure and
 * `__Host-` depend on it). With TRUST_PROXY=N, the last N X-Forwarded-For entries and the nearest
 * proxy's X-Forwarded-Proto are believed; with 0, only the TCP connection is.
 * @module
 */
import type { IncomingMessage } from 'node:http'
import type { TLSSocket } from 'node:tls'
import { getConnInfo } from '@hono/node-server/conninfo'
import type { Context } from 'hono'
import type { Deps } from './env.ts'
import { forwardedAddress, forwardedHttps } from './lib/forwarded.ts'

const incoming = (c: Context) => (c.env as { incoming?: IncomingMessage } | undefined)?.incoming

export function connectionDeps(trustedHops: number): Required<Pick<Deps, 'clientIp' | 'isHttps'>> {
  return {
    clientIp: (c) => {
      const remote = getConnInfo(c).remote.address
      return trustedHops > 0
        ? (forwardedAddress(c.req.header('x-forwarded-for'), trustedHops) ?? remote)
        : remote
    },
    isHttps: (c) => {
      if ((incoming(c)?.socket as TLSSocket | undefined)?.encrypted) return true
      return trustedHops > 0 && forwardedHttps(c.req.header('x-forwarded-proto'))
    },
  }
}

/**
 * With no proxy trusted, watches for requests that came through one anyway (they carry
 * X-Forwarded-For) and says once what that costs: every client shares the proxy's address in the
 * sign-in limits, and cookies cannot be Secure. A start-up message cannot know this before the
 * first such request.
 */
export function untrustedProxyWarning(trustedHops: number, warn: (msg: string) => void = console.warn) {
  let warned = trustedHops > 0
  return (headers: Headers) => {
    if (warned || !headers.has('x-forwarded-for')) return
    warned = true
    warn(
      'Warning: requests arrive with proxy headers (X-Forwarded-For), but TRUST_PROXY=false. Every client ' +
        'then counts as the proxy in the sign-in rate limits, and session cookies are not Secure. Behind a ' +
        'reverse proxy, set TRUST_PROXY=true (or the number of proxies in front); if clients reach the ' +
        'server directly, their X-Forwarded-For is rightly ignored.',
    )
  }
}
