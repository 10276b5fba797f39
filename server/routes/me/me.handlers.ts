/** Handlers for /api/me: every one acts on the signed-in caller only. @module */
import type { RouteHandler } from '@hono/zod-openapi'
import { requireUser } from '../../auth/middleware.ts'
import type { AppEnv } from '../../env.ts'
import * as progress from '../../services/progress.ts'
import { getPreferences as preferences, updatePreferences as setPreferences } from '../../services/users.ts'
import * as list from '../../services/watchlist.ts'
import type * as routes from './me.routes.ts'

export const watchlist: RouteHandler<typeof routes.watchlist, AppEnv> = async (c) =>
  c.json(await list.listWatchlist(c.var.deps, requireUser(c), c.req.valid('query')), 200)

export const addToWatchlist: RouteHandler<typeof routes.addToWatchlist, AppEnv> = async (c) => {
  const { entry, created } = await list.addToWatchlist(c.var.deps, requireUser(c), c.req.valid('param').id)
  return created ? c.json(entry, 201) : c.json(entry, 200)
}

export const removeFromWatchlist: RouteHandler<typeof routes.removeFromWatchlist, AppEnv> = async (c) => {
  await list.removeFromWatchlist(c.var.deps, requireUser(c), c.req.valid('param').id)
  return c.body(null, 204)
}

export const listProgress: RouteHandler<typeof routes.listProgress, AppEnv> = async (c) =>
  c.json(await progress.listProgress(c.var.deps, requireUser(c), c.req.valid('query')), 200)

export const clearProgress: RouteHandler<typeof routes.clearProgress, AppEnv> = async (c) => {
  await progress.clearProgress(c.var.deps, requireUser(c))
  return c.body(null, 204)
}

export const getProgress: RouteHandler<typeof routes.getProgress, AppEnv> = async (c) =>
  c.json(await progress.getProgress(c.var.deps, requireUser(c), c.req.valid('param').movieId), 200)

export const saveProgress: RouteHandler<typeof routes.saveProgress, AppEnv> = async (c) => {
  const user = requireUser(c)
  return c.json(
    await progress.saveProgress(c.var.deps, user, c.req.valid('param').movieId, c.req.valid('json')),
    200,
  )
}

export const deleteProgress: RouteHandler<typeof routes.deleteProgress, AppEnv> = async (c) => {
  await progress.deleteProgress(c.var.deps, requireUser(c), c.req.valid('param').movieId)
  return c.body(null, 204)
}

export const markWatched: RouteHandler<typeof routes.markWatched, AppEnv> = async (c) =>
  c.json(await progress.markWatched(c.var.deps, requireUser(c), c.req.valid('param').movieId, true), 200)

export const markUnwatched: RouteHandler<typeof routes.markUnwatched, AppEnv> = async (c) =>
  c.json(await progress.markWatched(c.var.deps, requireUser(c), c.req.valid('param').movieId, false), 200)

export const continueWatching: RouteHandler<typeof routes.continueWatching, AppEnv> = async (c) => {
  const items = await progress.continueWatching(c.var.deps, requireUser(c), c.req.valid('query').limit)
  return c.json({ items }, 200)
}

export const getPreferences: RouteHandler<typeof routes.getPreferences, AppEnv> = async (c) =>
  c.json(await preferences(c.var.deps, requireUser(c).id), 200)

export const updatePreferences: RouteHandler<typeof routes.updatePreferences, AppEnv> = async (c) =>
  c.json(await setPreferences(c.var.deps, requireUser(c).id, c.req.valid('json')), 200)
