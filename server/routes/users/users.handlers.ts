/** Handlers for /api/users. @module */
import type { RouteHandler } from '@hono/zod-openapi'
import { asc, eq } from 'drizzle-orm'
import { users } from '../../../db/schema.ts'
import { requireAdmin } from '../../auth/middleware.ts'
import { endSessions, revokeTokens } from '../../auth/tokens.ts'
import type { AppEnv } from '../../env.ts'
import { validationFailed } from '../../lib/errors.ts'
import { ApiError } from '../../lib/problem.ts'
import { createUser, deleteUser, findUser, setPassword, userToJson } from '../../services/users.ts'
import type * as routes from './users.routes.ts'

export const list: RouteHandler<typeof routes.list, AppEnv> = async (c) => {
  requireAdmin(c)
  const rows = await c.var.deps.db.select().from(users).orderBy(asc(users.username))
  return c.json({ items: rows.map(userToJson) }, 200)
}

export const create: RouteHandler<typeof routes.create, AppEnv> = async (c) => {
  requireAdmin(c)
  const user = await createUser(c.var.deps, c.req.valid('json'))
  c.header('location', `/api/users/${user.id}`)
  return c.json(userToJson(user), 201)
}

export const update: RouteHandler<typeof routes.update, AppEnv> = async (c) => {
  const admin = requireAdmin(c)
  const { id } = c.req.valid('param')
  const patch = c.req.valid('json')
  const deps = c.var.deps
  if (!(await findUser(deps, id))) throw userNotFound(id)
  // An admin locking themselves out leaves nobody to undo it.
  if (id === admin.id && (patch.active === false || (patch.role && patch.role !== 'admin'))) {
    throw validationFailed(
      'body',
      [{ field: patch.active === false ? 'active' : 'role', message: 'Not allowed on yourself' }],
      'You cannot deactivate or demote your own account.',
    )
  }
  if (patch.password) await setPassword(deps, id, patch.password)
  const set = {
    ...(patch.role ? { role: patch.role } : {}),
    ...(patch.active !== undefined ? { active: patch.active } : {}),
  }
  if (Object.keys(set).length) await deps.db.update(users).set(set).where(eq(users.id, id))
  // A reset password or a deactivation ends every session (so a reactivation brings none back)
  // and, by default, the tokens: whoever held the account's secrets may not keep using them.
  if (patch.password !== undefined || patch.active === false) {
    await endSessions(deps, c.var.runtime, id)
    if (patch.revokeTokens ?? true) await revokeTokens(deps, id)
  }
  // Cached sessions carry the role and stand for "active": none may outlive the change.
  c.var.runtime.sessions.clear()
  return c.json(userToJson((await findUser(deps, id))!), 200)
}

export const remove: RouteHandler<typeof routes.remove, AppEnv> = async (c) => {
  const admin = requireAdmin(c)
  const { id } = c.req.valid('param')
  const deps = c.var.deps
  if (!(await findUser(deps, id))) throw userNotFound(id)
  // Someone must be left to manage the server; another admin can delete this one.
  if (id === admin.id) throw new ApiError(409, 'cannot-delete-self', 'You cannot delete your own account.')
  await deleteUser(deps, id)
  c.var.runtime.sessions.clear()
  return c.body(null, 204)
}

const userNotFound = (id: string) => new ApiError(404, 'user-not-found', `No account with id "${id}".`)
