/**
 * Who is calling: a bearer API token, or the session cookie. Sets `c.var.user` (or null).
 * @module
 */
import type { Context, MiddlewareHandler } from 'hono'
import type { TokenScope } from '../../db/schema.ts'
import type { AppEnv, AuthUser } from '../env.ts'
import { forbidden } from '../lib/errors.ts'
import { ApiError } from '../lib/problem.ts'
import { readSessionCookie } from './cookie.ts'
import { userForSession, userForToken } from './tokens.ts'

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
    const secret = readSessionCookie(c)
    if (secret) user = await userForSession(deps, c.var.runtime, secret)
  }
  c.set('user', user)
  if (user?.scopes) requireScope(user.scopes, scopeFor(c.req.method, c.req.path))
  await next()
}

/** Account management: what only an `admin`-scoped token may reach, whatever the method. */
const ACCOUNT_ROUTES = /^\/api\/(users|invites|auth\/(tokens|password))(\/|$)/

/**
 * The scope a token needs for a request: `admin` for account management, `read` for GET and
 * HEAD, `upload` for every other change. Decided here for every route at once, so a route added
 * later is covered (closed by default: a new write needs `upload`).
 */
export function scopeFor(method: string, path: string): TokenScope {
  if (ACCOUNT_ROUTES.test(path)) return 'admin'
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS' ? 'read' : 'upload'
}

/** Whether a token's scopes cover `needed`; uploading scripts read what they upload, so `upload` covers `read`. */
export const hasScope = (scopes: readonly TokenScope[], needed: TokenScope): boolean =>
  scopes.includes(needed) || (needed === 'read' && scopes.includes('upload'))

function requireScope(scopes: readonly TokenScope[], needed: TokenScope): void {
  if (hasScope(scopes, needed)) return
  throw new ApiError(
    403,
    'insufficient-scope',
    `This API token is not allowed to do this: it needs the "${needed}" scope.`,
    { scope: needed },
    { 'www-authenticate': `Bearer error="insufficient_scope", scope="${needed}"` },
  )
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
