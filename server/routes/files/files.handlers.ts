/** Handlers for a movie's files under /api/movies. @module */
import type { RouteHandler } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { requireUser } from '../../auth/middleware.ts'
import type { AppEnv } from '../../env.ts'
import { validationFailed } from '../../lib/errors.ts'
import { deleteMovieFile, listMovieFiles, putMovieFile } from '../../services/files.ts'
import { describeMovie, loadMovieForWrite } from '../../services/movies.ts'
import { publishMovie } from '../../services/publish.ts'
import { ID_MESSAGE } from '../common.schemas.ts'
import { type FileTarget, fileTarget } from '../file-target.ts'
import { contentLength, declaredSha256 } from '../upload-headers.ts'
import type * as routes from './files.routes.ts'

/** The movie the caller names in the URL, if they may change it. */
const writableMovie = (c: Context<AppEnv>, id: string) => loadMovieForWrite(c.var.deps, requireUser(c), id)

export const list: RouteHandler<typeof routes.list, AppEnv> = async (c) => {
  const movie = await writableMovie(c, c.req.valid('param').id)
  return c.json(await listMovieFiles(c.var.deps, movie.id, c.req.valid('query')), 200)
}

export const publish: RouteHandler<typeof routes.publish, AppEnv> = async (c) => {
  const movie = await writableMovie(c, c.req.valid('param').id)
  // The body is optional: without one (or with {}), the manifest is manifest.mpd.
  const body = c.req.valid('json') as { manifest?: string } | undefined
  const manifest = body?.manifest ?? 'manifest.mpd'
  const published = await publishMovie(c.var.deps, c.var.runtime, movie.id, manifest)
  return c.json(await describeMovie(c.var.deps, c.var.user, published), 200)
}

export async function put(c: Context<AppEnv>) {
  const { id, path } = target(c)
  const sha256 = declaredSha256(c)
  const size = contentLength(c)
  const movie = await writableMovie(c, id)
  const { file, created } = await putMovieFile(c.var.deps, c.var.runtime, movie.id, {
    path,
    sha256,
    body: c.req.raw.body,
    ...(size !== undefined ? { size } : {}),
  })
  c.header('etag', `"${file.sha256}"`)
  return c.json(file, created ? 201 : 200)
}

export async function remove(c: Context<AppEnv>) {
  const { id, path } = target(c)
  const movie = await writableMovie(c, id)
  await deleteMovieFile(c.var.deps, c.var.runtime, movie.id, path)
  return c.body(null, 204)
}

// A malformed id is a validation failure here, worded as IdParam words it on the other routes.
const target = (c: Context<AppEnv>): FileTarget =>
  fileTarget(c, /\/movies\/([^/]*)\/files\/(.*)$/, () =>
    validationFailed('param', [{ field: 'id', message: ID_MESSAGE }]),
  )
