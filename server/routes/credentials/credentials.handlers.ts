/** Handlers for an admin's view of any account's tokens and sessions. @module */
import type { RouteHandler } from '@hono/zod-openapi'
import { and, desc, eq, gt } from 'drizzle-orm'
import type { Context } from 'hono'
import { sessions } from '../../../db/schema.ts'
import { requireAdmin } from '../../auth/middleware.ts'
import { endSessions, revokeTokens } from '../../auth/tokens.ts'
import { type AppEnv, currentDate } from '../../env.ts'
import { ApiError } from '../../lib/problem.ts'
import { findUser } from '../../services/users.ts'
import { activeTokens } from '../auth/auth.handlers.ts'
import type * as routes from './credentials.routes.ts'

/** The account named in the URL, for an admin; 404 when there is none. */
async function account(c: Context<AppEnv>, id: string) {
  requireAdmin(c)
  const user = await findUser(c.var.deps, id)
  if (!user) throw new ApiError(404, 'user-not-found', `No account with id "${id}".`)
  return user
}

export const listTokens: RouteHandler<typeof routes.listTokens, AppEnv> = async (c) => {
  const user = await account(c, c.req.valid('param').id)
  return c.json({ items: await activeTokens(c, user.id) }, 200)
}

export const revokeToken: RouteHandler<typeof routes.revokeToken, AppEnv> = async (c) => {
  const { id, tokenId } = c.req.valid('param')
  const user = await account(c, id)
  if ((await revokeTokens(c.var.deps, user.id, tokenId)) === 0)
    throw new ApiError(404, 'token-not-found', `The account has no active token "${tokenId}".`)
  return c.body(null, 204)
}

export const listSessions: RouteHandler<typeof routes.listSessions, AppEnv> = async (c) => {
  const user = await account(c, c.req.valid('param').id)
  const deps = c.var.deps
  const rows = await deps.db
    .select()
    .from(sessions)
    .where(and(eq(sessions.userId, user.id), gt(sessions.expiresAt, currentDate(deps))))
    .orderBy(desc(sessions.createdAt))
  const items = rows.map((s) => ({
    id: s.id,
    userAgent: s.userAgent,
    createdAt: s.createdAt.toISOString(),
    expiresAt: s.expiresAt.toISOString(),
  }))
  return c.json({ items }, 200)
}

export const endSession: RouteHandler<typeof routes.endSession, AppEnv> = async (c) => {
  const { id, sessionId } = c.req.valid('param')
  const user = await account(c, id)
  if ((await endSessions(c.var.deps, c.var.runtime, user.id, { id: sessionId })) === 0)
    throw new ApiError(404, 'session-not-found', `The account has no session "${sessionId}".`)
  return c.body(null, 204)
}

export const endAllSessions: RouteHandler<typeof routes.endAllSessions, AppEnv> = async (c) => {
  const user = await account(c, c.req.valid('param').id)
  await endSessions(c.var.deps, c.var.runtime, user.id)
  return c.body(null, 204)
}
