/**
 * Who is calling: a bearer API token, or the session cookie. Sets `c.var.user` (or null).
 * @module
 */
import type { Context, MiddlewareHandler } from 'hono'
import { getCookie } from 'hono/cookie'
import type { AppEnv, AuthUser } from '../env.ts'
import { forbidden } from '../lib/errors.ts'
import { ApiError } from '../lib/problem.ts'
import { SESSION_COOKIE, userForSession, userForToken } from './tokens.ts'

export const identify: MiddlewareHandler<AppEnv> = async (c, next) => {
  const deps = c.var.deps
  let user: AuthUser | null = null
  const authz = c.req.header('authorization')
  if (authz) {
    const m = /^Bearer\s+(\S+)$/i.exec(authz)
    user = m?.[1] ? await userForToken(deps, m[1]) : null
    // A wrong token is an error, not a silent fall-back to anonymous: scripts should learn at once.
    if (!user) {
      throw new ApiError(
        401,
        'invalid-token',
        'The API token is invalid or has been revoked.',
        {},
        {
          'www-authenticate': 'Bearer error="invalid_token"',
        },
      )
    }
  } else {
    const secret = getCookie(c, SESSION_COOKIE)
    if (secret) user = await userForSession(deps, c.var.runtime, secret)
  }
  c.set('user', user)
  await next()
}

/** What anyone may reach in a private catalog: the way in, and the description of the API. */
const OPEN_IN_PRIVATE = /^\/api\/(health|openapi\.json|docs|auth\/(login|logout|signup))$/

/**
 * With PRIVATE_CATALOG=true, everything else (the catalog, series, /media) needs a signed-in
 * caller: a 401 otherwise. Closed by default, so a route added later is private too.
 */
export const membersOnly: MiddlewareHandler<AppEnv> = async (c, next) => {
  // c.get, not c.var: this runs on every /media request too (see media.handlers.ts).
  if (c.get('deps').config.privateCatalog && !c.get('user') && !OPEN_IN_PRIVATE.test(c.req.path)) {
    throw new ApiError(
      401,
      'sign-in-required',
      'This catalog is private: sign in to see it.',
      {},
      { 'www-authenticate': 'Bearer' },
    )
  }
  await next()
}

/** The signed-in caller, or a 401 problem. */
export function requireUser(c: Context<AppEnv>): AuthUser {
  const user = c.var.user
  if (!user) {
    throw new ApiError(
      401,
      'unauthenticated',
      'Sign in or send an API token to do this.',
      {},
      {
        'www-authenticate': 'Bearer',
      },
    )
  }
  return user
}

export function requireAdmin(c: Context<AppEnv>): AuthUser {
  const user = requireUser(c)
  if (user.role !== 'admin') throw forbidden('Only admins may do this.')
  return user
}
