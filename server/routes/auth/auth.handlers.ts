/** Handlers for /api/auth. @module */
import type { RouteHandler } from '@hono/zod-openapi'
import { and, desc, eq, isNull } from 'drizzle-orm'
import type { Context } from 'hono'
import { deleteCookie, getCookie, setCookie } from 'hono/cookie'
import { apiTokens, type User } from '../../../db/schema.ts'
import { requireUser } from '../../auth/middleware.ts'
import { createApiToken, createSession, deleteSession, SESSION_COOKIE } from '../../auth/tokens.ts'
import { type AppEnv, currentDate } from '../../env.ts'
import { validationFailed } from '../../lib/errors.ts'
import { ApiError } from '../../lib/problem.ts'
import { checkInvite } from '../../services/invites.ts'
import { checkCredentials, findUser, setPassword, signUp, userToJson } from '../../services/users.ts'
import type * as routes from './auth.routes.ts'

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

function secureCookie(c: Context<AppEnv>): boolean {
  const setting = c.var.deps.config.secureCookies
  if (setting !== 'auto') return setting
  return !LOCAL_HOSTS.has(new URL(c.req.url).hostname)
}

const iso = (d: Date | null) => (d ? d.toISOString() : null)

/** Refuses a caller who failed too often under `key` (sign-in: username and address; sign-up: address). */
function checkRateLimit(c: Context<AppEnv>, key: string, what: string): void {
  const wait = c.var.runtime.loginLimiter.retryAfter(key)
  if (wait > 0) {
    throw new ApiError(
      429,
      'too-many-attempts',
      `Too many failed ${what}. Try again in ${Math.ceil(wait / 60)} minute(s).`,
      {},
      { 'retry-after': String(wait) },
    )
  }
}

/** Starts a session for `user` and sets its HttpOnly cookie. */
async function startSession(c: Context<AppEnv>, user: User): Promise<void> {
  const session = await createSession(c.var.deps, user.id)
  setCookie(c, SESSION_COOKIE, session.secret, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: secureCookie(c),
    path: '/',
    expires: session.expiresAt,
  })
}

const clientAddress = (c: Context<AppEnv>) => c.var.deps.clientIp?.(c) ?? ''

export const login: RouteHandler<typeof routes.login, AppEnv> = async (c) => {
  const { username, password } = c.req.valid('json')
  const limiter = c.var.runtime.loginLimiter
  const key = `${username.toLowerCase()}|${clientAddress(c)}`
  checkRateLimit(c, key, 'sign-ins')
  const user = await checkCredentials(c.var.deps, username, password)
  if (!user) {
    limiter.fail(key)
    throw new ApiError(401, 'invalid-credentials', 'The username or password is wrong.')
  }
  limiter.succeed(key)
  await startSession(c, user)
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
  // Keyed on the address alone: an invite guesser or a username prober tries many names.
  const key = `signup|${clientAddress(c)}`
  checkRateLimit(c, key, 'sign-ups')
  let user: User
  try {
    user = await signUp(c.var.deps, c.req.valid('json'))
  } catch (err) {
    if (err instanceof ApiError && err.status < 500) c.var.runtime.loginLimiter.fail(key)
    throw err
  }
  await startSession(c, user)
  c.header('location', '/api/auth/me')
  return c.json({ user: userToJson(user) }, 201)
}

export const logout: RouteHandler<typeof routes.logout, AppEnv> = async (c) => {
  const secret = getCookie(c, SESSION_COOKIE)
  if (secret) await deleteSession(c.var.deps, c.var.runtime, secret)
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: secureCookie(c) })
  return c.body(null, 204)
}

export const me: RouteHandler<typeof routes.me, AppEnv> = async (c) => {
  const user = await findUser(c.var.deps, requireUser(c).id)
  if (!user) throw new ApiError(401, 'unauthenticated', 'Sign in again.')
  return c.json({ user: userToJson(user) }, 200)
}

export const changePassword: RouteHandler<typeof routes.changePassword, AppEnv> = async (c) => {
  const caller = requireUser(c)
  const { currentPassword, newPassword } = c.req.valid('json')
  const user = await findUser(c.var.deps, caller.id)
  if (!user || !(await c.var.deps.passwords.verify(currentPassword, user.passwordHash))) {
    throw validationFailed(
      'body',
      [{ field: 'currentPassword', message: 'Wrong password' }],
      'The current password is wrong.',
    )
  }
  await setPassword(c.var.deps, user.id, newPassword)
  return c.body(null, 204)
}

export const listTokens: RouteHandler<typeof routes.listTokens, AppEnv> = async (c) => {
  const user = requireUser(c)
  const rows = await c.var.deps.db
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.userId, user.id), isNull(apiTokens.revokedAt)))
    .orderBy(desc(apiTokens.createdAt))
  const items = rows.map((t) => ({
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    createdAt: t.createdAt.toISOString(),
    lastUsedAt: iso(t.lastUsedAt),
  }))
  return c.json({ items }, 200)
}

export const createToken: RouteHandler<typeof routes.createToken, AppEnv> = async (c) => {
  const user = requireUser(c)
  const { name } = c.req.valid('json')
  const t = await createApiToken(c.var.deps, user.id, name)
  return c.json(
    {
      id: t.id,
      name,
      prefix: t.prefix,
      token: t.token,
      createdAt: t.createdAt.toISOString(),
      lastUsedAt: null,
    },
    201,
  )
}

export const revokeToken: RouteHandler<typeof routes.revokeToken, AppEnv> = async (c) => {
  const user = requireUser(c)
  const { tokenId } = c.req.valid('param')
  const deps = c.var.deps
  const revoked = await deps.db
    .update(apiTokens)
    .set({ revokedAt: currentDate(deps) })
    .where(and(eq(apiTokens.id, tokenId), eq(apiTokens.userId, user.id), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id })
  if (revoked.length === 0)
    throw new ApiError(404, 'token-not-found', `You have no active token "${tokenId}".`)
  return c.body(null, 204)
}
