/** Handlers for /api/auth. @module */
import type { RouteHandler } from '@hono/zod-openapi'
import { and, desc, eq, isNull } from 'drizzle-orm'
import type { Context } from 'hono'
import { type ApiToken, apiTokens, TOKEN_SCOPES, type User } from '../../../db/schema.ts'
import { clearSessionCookie, readSessionCookie, writeSessionCookie } from '../../auth/cookie.ts'
import { hasScope, requireUser } from '../../auth/middleware.ts'
import {
  createApiToken,
  createSession,
  deleteSession,
  endSessions,
  revokeTokens,
  scopesOf,
} from '../../auth/tokens.ts'
import { type AppEnv, clock } from '../../env.ts'
import { forbidden, validationFailed } from '../../lib/errors.ts'
import { ApiError } from '../../lib/problem.ts'
import { purgeExpiredNowAndThen } from '../../services/housekeeping.ts'
import { checkInvite } from '../../services/invites.ts'
import { limited, signInLimits } from '../../services/rate-limits.ts'
import { checkCredentials, findUser, setPassword, signUp, userToJson } from '../../services/users.ts'
import type * as routes from './auth.routes.ts'
import type { TokenJson } from './auth.schemas.ts'

const iso = (d: Date | null) => (d ? d.toISOString() : null)

/** A token as lists show it: never its secret. */
export const tokenToJson = (
  t: Pick<ApiToken, 'id' | 'name' | 'prefix' | 'scopes' | 'createdAt' | 'lastUsedAt' | 'expiresAt'>,
): TokenJson => ({
  id: t.id,
  name: t.name,
  prefix: t.prefix,
  scopes: scopesOf(t.scopes),
  createdAt: t.createdAt.toISOString(),
  lastUsedAt: iso(t.lastUsedAt),
  expiresAt: iso(t.expiresAt),
})

/** Starts a session for `user` and sets its HttpOnly cookie. */
async function startSession(c: Context<AppEnv>, user: User): Promise<void> {
  const session = await createSession(c.var.deps, user.id, c.req.header('user-agent'))
  writeSessionCookie(c, session.secret, session.expiresAt)
}

const clientAddress = (c: Context<AppEnv>) => c.var.deps.clientIp?.(c) ?? ''

export const login: RouteHandler<typeof routes.login, AppEnv> = async (c) => {
  const { username, password } = c.req.valid('json')
  const deps = c.var.deps
  const user = await limited(
    deps,
    signInLimits(deps, username, clientAddress(c)),
    'sign-ins',
    () => checkCredentials(deps, username, password),
    (u) => u !== null,
  )
  if (!user) {
    deps.metrics?.loginFailed()
    throw new ApiError(401, 'invalid-credentials', 'The username or password is wrong.')
  }
  await startSession(c, user)
  await purgeExpiredNowAndThen(deps, c.var.runtime)
  return c.json({ user: userToJson(user) }, 200)
}

export const signupInfo: RouteHandler<typeof routes.signupInfo, AppEnv> = async (c) => {
  const { invite } = c.req.valid('query')
  const config = c.var.deps.config
  return c.json(
    {
      signup: config.signup,
      privateCatalog: config.privateCatalog,
      invite: invite === undefined ? null : await checkInvite(c.var.deps, invite),
    },
    200,
  )
}

export const signup: RouteHandler<typeof routes.signup, AppEnv> = async (c) => {
  const deps = c.var.deps
  // Keyed on the address alone: an invite guesser or a username prober tries many names. A refused
  // sign-up (4xx) counts as a failure; one that creates the account gives its attempt back.
  const user = await limited(
    deps,
    [{ key: `signup:${clientAddress(c)}`, max: deps.config.loginMaxAttempts }],
    'sign-ups',
    async () => {
      try {
        return await signUp(deps, c.req.valid('json'))
      } catch (err) {
        if (err instanceof ApiError && err.status < 500) deps.metrics?.loginFailed()
        throw err
      }
    },
    () => true,
  )
  await startSession(c, user)
  c.header('location', '/api/auth/me')
  return c.json({ user: userToJson(user) }, 201)
}

export const logout: RouteHandler<typeof routes.logout, AppEnv> = async (c) => {
  const secret = readSessionCookie(c)
  if (secret) await deleteSession(c.var.deps, c.var.runtime, secret)
  clearSessionCookie(c)
  return c.body(null, 204)
}

export const me: RouteHandler<typeof routes.me, AppEnv> = async (c) => {
  const user = await findUser(c.var.deps, requireUser(c).id)
  if (!user) throw new ApiError(401, 'unauthenticated', 'Sign in again.')
  return c.json({ user: userToJson(user) }, 200)
}

/**
 * Changes the caller's password after checking the current one (rate-limited per account like a
 * sign-in), then ends every other session and, unless asked not to, revokes the API tokens:
 * whoever learned the old password may have signed in somewhere already.
 */
export const changePassword: RouteHandler<typeof routes.changePassword, AppEnv> = async (c) => {
  const caller = requireUser(c)
  const { currentPassword, newPassword, revokeTokens: revoke = true } = c.req.valid('json')
  const deps = c.var.deps
  const user = await findUser(deps, caller.id)
  if (!user) throw new ApiError(401, 'unauthenticated', 'Sign in again.')
  const ok = await limited(
    deps,
    [{ key: `password:${user.id}`, max: deps.config.loginMaxAttempts, reset: true }],
    'password checks',
    () => deps.passwords.verify(currentPassword, user.passwordHash),
    (right) => right,
  )
  if (!ok) {
    throw validationFailed(
      'body',
      [{ field: 'currentPassword', message: 'Wrong password' }],
      'The current password is wrong.',
    )
  }
  await setPassword(deps, user.id, newPassword)
  const keep = caller.via === 'session' ? readSessionCookie(c) : undefined
  await endSessions(deps, c.var.runtime, user.id, keep !== undefined ? { keep } : {})
  if (revoke) await revokeTokens(deps, user.id)
  return c.body(null, 204)
}

export const listTokens: RouteHandler<typeof routes.listTokens, AppEnv> = async (c) => {
  const user = requireUser(c)
  return c.json({ items: await activeTokens(c, user.id) }, 200)
}

/** The tokens of a user that are not revoked (expired ones included, with their expiry), newest first. */
export async function activeTokens(c: Context<AppEnv>, userId: string): Promise<TokenJson[]> {
  const rows = await c.var.deps.db
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
    .orderBy(desc(apiTokens.createdAt))
  return rows.map(tokenToJson)
}

export const createToken: RouteHandler<typeof routes.createToken, AppEnv> = async (c) => {
  const user = requireUser(c)
  const { name, scopes, expiresAt } = c.req.valid('json')
  // A token mints only tokens within its own scopes, so no token can widen what it was given.
  const own = user.scopes
  if (own && (scopes ?? TOKEN_SCOPES).some((s) => !hasScope(own, s))) {
    throw forbidden('This token may only create tokens within its own scopes; list them in `scopes`.')
  }
  const expires = expiresAt === undefined ? null : new Date(expiresAt)
  if (expires && expires.getTime() <= clock(c.var.deps)()) {
    throw validationFailed('body', [{ field: 'expiresAt', message: 'Must be in the future' }])
  }
  const t = await createApiToken(c.var.deps, user.id, name, {
    ...(scopes ? { scopes } : {}),
    expiresAt: expires,
  })
  return c.json({ ...tokenToJson({ ...t, name, lastUsedAt: null }), token: t.token }, 201)
}

export const revokeToken: RouteHandler<typeof routes.revokeToken, AppEnv> = async (c) => {
  const user = requireUser(c)
  const { tokenId } = c.req.valid('param')
  if ((await revokeTokens(c.var.deps, user.id, tokenId)) === 0)
    throw new ApiError(404, 'token-not-found', `You have no active token "${tokenId}".`)
  return c.body(null, 204)
}
