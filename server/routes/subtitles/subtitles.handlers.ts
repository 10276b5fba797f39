/** Handlers for a published movie's subtitles. @module */
import type { RouteHandler } from '@hono/zod-openapi'
import { requireUser } from '../../auth/middleware.ts'
import type { AppEnv } from '../../env.ts'
import { describeMovie, loadMovieForWrite } from '../../services/movies.ts'
import { changeSubtitles } from '../../services/subtitles.ts'
import type * as routes from './subtitles.routes.ts'

export const add: RouteHandler<typeof routes.add, AppEnv> = async (c) => {
  const movie = await loadMovieForWrite(c.var.deps, requireUser(c), c.req.valid('param').id)
  const subtitle = c.req.valid('json')
  const changed = await changeSubtitles(c.var.deps, c.var.runtime, movie.id, { kind: 'add', subtitle })
  return c.json(await describeMovie(c.var.deps, c.var.user, changed), 201)
}

export const replace: RouteHandler<typeof routes.replace, AppEnv> = async (c) => {
  const { id, track } = c.req.valid('param')
  const movie = await loadMovieForWrite(c.var.deps, requireUser(c), id)
  const subtitle = c.req.valid('json')
  const changed = await changeSubtitles(c.var.deps, c.var.runtime, movie.id, {
    kind: 'replace',
    id: track,
    subtitle,
  })
  return c.json(await describeMovie(c.var.deps, c.var.user, changed), 200)
}

export const remove: RouteHandler<typeof routes.remove, AppEnv> = async (c) => {
  const { id, track } = c.req.valid('param')
  const movie = await loadMovieForWrite(c.var.deps, requireUser(c), id)
  const changed = await changeSubtitles(c.var.deps, c.var.runtime, movie.id, { kind: 'delete', id: track })
  return c.json(await describeMovie(c.var.deps, c.var.user, changed), 200)
}
