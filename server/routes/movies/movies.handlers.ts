/** Handlers for /api/movies. @module */
import type { RouteHandler } from '@hono/zod-openapi'
import { requireUser } from '../../auth/middleware.ts'
import type { AppEnv } from '../../env.ts'
import { afterResponse } from '../../lib/after-response.ts'
import { forAnyone } from '../../services/catalog-cache.ts'
import {
  createMovie,
  deleteMovie,
  describeMovie,
  listMovies,
  loadMovieForRead,
  loadMovieForWrite,
  updateMovie,
} from '../../services/movies.ts'
import type * as routes from './movies.routes.ts'

export const list: RouteHandler<typeof routes.list, AppEnv> = async (c) => {
  const { deps, runtime, user } = c.var
  const query = c.req.valid('query')
  const page = await forAnyone(deps, runtime, user, `list ${JSON.stringify(query)}`, () =>
    listMovies(deps, user, query),
  )
  return c.json(page, 200)
}

export const get: RouteHandler<typeof routes.get, AppEnv> = async (c) => {
  const { deps, runtime, user } = c.var
  const { id } = c.req.valid('param')
  const movie = await forAnyone(deps, runtime, user, `movie ${id}`, async () =>
    describeMovie(deps, user, await loadMovieForRead(deps, user, id)),
  )
  return c.json(movie, 200)
}

export const create: RouteHandler<typeof routes.create, AppEnv> = async (c) => {
  const user = requireUser(c)
  const movie = await createMovie(c.var.deps, user, c.req.valid('json'))
  c.header('location', `/api/movies/${movie.id}`)
  return c.json(movie, 201)
}

export const update: RouteHandler<typeof routes.update, AppEnv> = async (c) => {
  const user = requireUser(c)
  const movie = await loadMovieForWrite(c.var.deps, user, c.req.valid('param').id)
  return c.json(await updateMovie(c.var.deps, user, movie, c.req.valid('json')), 200)
}

export const remove: RouteHandler<typeof routes.remove, AppEnv> = async (c) => {
  const movie = await loadMovieForWrite(c.var.deps, requireUser(c), c.req.valid('param').id)
  await deleteMovie(c.var.deps, movie.id, afterResponse(c))
  return c.body(null, 204)
}
