/**
 * The session cookie. Over HTTPS it is `__Host-adh_session`: Secure, host-only and on `/`, which
 * browsers only accept from this very origin over HTTPS, so neither a sibling subdomain nor a
 * plain-HTTP page can plant a session of their choosing. Over plain HTTP (a server on localhost or a
 * LAN) it is `adh_session`, without Secure, which browsers would otherwise drop.
 *
 * Whether a request came over HTTPS is decided from the connection (or a trusted proxy's
 * X-Forwarded-Proto, see `Deps.isHttps`), never from the Host header, which the client writes.
 * @module
 */
import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import type { AppEnv } from '../env.ts'

export const SESSION_COOKIE = 'adh_session'
export const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`

/** Whether the session cookie of this request is (to be) Secure, by COOKIE_SECURE and the connection. */
export function secureCookie(c: Context<AppEnv>): boolean {
  const setting = c.get('deps').config.secureCookies
  if (setting !== 'auto') return setting
  return isHttps(c)
}

/** Whether the request reached us over HTTPS (see module doc). */
export function isHttps(c: Context<AppEnv>): boolean {
  const decide = c.get('deps').isHttps
  return decide ? decide(c) : new URL(c.req.url).protocol === 'https:'
}

/** hono's cookie helpers add the `__Host-` prefix themselves (and with it Secure, Path=/, no Domain). */
const options = (c: Context<AppEnv>) =>
  secureCookie(c) ? { prefix: 'host' as const, secure: true } : { secure: false }

/** The session secret the request carries under the name this connection uses, if any. */
export const readSessionCookie = (c: Context<AppEnv>): string | undefined =>
  getCookie(c, SESSION_COOKIE, options(c).prefix)

export function writeSessionCookie(c: Context<AppEnv>, secret: string, expires: Date): void {
  setCookie(c, SESSION_COOKIE, secret, { httpOnly: true, sameSite: 'Lax', path: '/', expires, ...options(c) })
}

export function clearSessionCookie(c: Context<AppEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', ...options(c) })
}
