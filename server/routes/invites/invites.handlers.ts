/** Handlers for /api/invites (admins only). @module */
import type { RouteHandler } from '@hono/zod-openapi'
import { requireAdmin } from '../../auth/middleware.ts'
import type { AppEnv } from '../../env.ts'
import { createInvite, listInvites, revokeInvite } from '../../services/invites.ts'
import type * as routes from './invites.routes.ts'

export const create: RouteHandler<typeof routes.create, AppEnv> = async (c) => {
  const invite = await createInvite(c.var.deps, requireAdmin(c), c.req.valid('json'))
  return c.json(invite, 201)
}

export const list: RouteHandler<typeof routes.list, AppEnv> = async (c) => {
  requireAdmin(c)
  return c.json({ items: await listInvites(c.var.deps) }, 200)
}

export const revoke: RouteHandler<typeof routes.revoke, AppEnv> = async (c) => {
  requireAdmin(c)
  await revokeInvite(c.var.deps, c.req.valid('param').id)
  return c.body(null, 204)
}
