/** Handlers for /api/series. @module */
import type { RouteHandler } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { requireUser } from '../../auth/middleware.ts'
import type { AppEnv } from '../../env.ts'
import {
  createSeries,
  deleteSeries,
  deleteSeriesPoster,
  describeSeries,
  listSeries,
  loadSeriesForRead,
  loadSeriesForWrite,
  putSeriesPoster,
  type SeriesRow,
  seriesDetail,
  updateSeries,
} from '../../services/series.ts'
import { contentLength, declaredSha256 } from '../upload-headers.ts'
import type * as routes from './series.routes.ts'

/** The series the caller names, if they may change it. */
const writable = (c: Context<AppEnv>, id: string) => loadSeriesForWrite(c.var.deps, requireUser(c), id)

const described = async (c: Context<AppEnv>, row: SeriesRow) =>
  (await describeSeries(c.var.deps, c.var.user, [row]))[0]!

export const list: RouteHandler<typeof routes.list, AppEnv> = async (c) =>
  c.json(await listSeries(c.var.deps, c.var.user, c.req.valid('query')), 200)

export const get: RouteHandler<typeof routes.get, AppEnv> = async (c) => {
  const row = await loadSeriesForRead(c.var.deps, c.var.user, c.req.valid('param').id)
  return c.json(await seriesDetail(c.var.deps, c.var.user, row), 200)
}

export const create: RouteHandler<typeof routes.create, AppEnv> = async (c) => {
  const row = await createSeries(c.var.deps, requireUser(c), c.req.valid('json'))
  c.header('location', `/api/series/${row.id}`)
  return c.json(await described(c, row), 201)
}

export const update: RouteHandler<typeof routes.update, AppEnv> = async (c) => {
  const row = await writable(c, c.req.valid('param').id)
  return c.json(
    await described(c, await updateSeries(c.var.deps, requireUser(c), row, c.req.valid('json'))),
    200,
  )
}

export const remove: RouteHandler<typeof routes.remove, AppEnv> = async (c) => {
  const row = await writable(c, c.req.valid('param').id)
  await deleteSeries(c.var.deps, row.id)
  return c.body(null, 204)
}

export const putPoster: RouteHandler<typeof routes.putPoster, AppEnv> = async (c) => {
  const sha256 = declaredSha256(c)
  const size = contentLength(c)
  const row = await writable(c, c.req.valid('param').id)
  const json = await putSeriesPoster(c.var.deps, requireUser(c), row, {
    body: c.req.raw.body,
    sha256,
    contentType: c.req.header('content-type'),
    ...(size !== undefined ? { size } : {}),
  })
  return c.json(json, 200)
}

export const deletePoster: RouteHandler<typeof routes.deletePoster, AppEnv> = async (c) => {
  const row = await writable(c, c.req.valid('param').id)
  return c.json(await deleteSeriesPoster(c.var.deps, requireUser(c), row), 200)
}
