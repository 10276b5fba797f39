/** Handlers for a movie's files under /api/movies. @module */
import type { RouteHandler } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { AppEnv } from '../../env.ts'
import { checkUrlPath, hasDotSegment, rawRequestPath } from '../../lib/paths.ts'
import { ApiError } from '../../lib/problem.ts'
import { deleteMovieFile, listMovieFiles, putMovieFile } from '../../services/files.ts'
import { loadMovieForWrite } from '../../services/movies.ts'
import { publishMovie } from '../../services/publish.ts'
import type * as routes from './files.routes.ts'

export const list: RouteHandler<typeof routes.list, AppEnv> = async (c) => {
  const movie = await loadMovieForWrite(c, c.req.valid('param').id)
  return c.json(await listMovieFiles(c.var.deps, movie.id), 200)
}

export const publish: RouteHandler<typeof routes.publish, AppEnv> = async (c) => {
  const movie = await loadMovieForWrite(c, c.req.valid('param').id)
  // The body is optional: without one (or with {}), the manifest is manifest.mpd.
  const body = c.req.valid('json') as { manifest?: string } | undefined
  return c.json(await publishMovie(c.var.deps, movie.id, body?.manifest ?? 'manifest.mpd'), 200)
}

export async function put(c: Context<AppEnv>): Promise<Response> {
  const { id, path } = fileTarget(c)
  const sha256 = c.req.header('x-content-sha256')?.trim().toLowerCase()
  if (!sha256 || !/^[0-9a-f]{64}$/.test(sha256)) {
    throw new ApiError(
      400,
      'sha256-required',
      'Send the SHA-256 of the body as 64 hex digits in the x-content-sha256 header.',
      {
        errors: [
          { field: 'header.x-content-sha256', message: sha256 ? 'Expected 64 hex digits' : 'Required' },
        ],
      },
    )
  }
  const size = contentLength(c)
  const movie = await loadMovieForWrite(c, id)
  const { file, created } = await putMovieFile(c.var.deps, movie.id, {
    path,
    sha256,
    body: c.req.raw.body,
    ...(size !== undefined ? { size } : {}),
  })
  c.header('etag', `"${file.sha256}"`)
  return c.json(file, created ? 201 : 200)
}

export async function remove(c: Context<AppEnv>): Promise<Response> {
  const { id, path } = fileTarget(c)
  const movie = await loadMovieForWrite(c, id)
  await deleteMovieFile(c.var.deps, movie.id, path)
  return c.body(null, 204)
}

/** The movie id and file path, read from the URL as the client sent it (see lib/paths.ts). */
function fileTarget(c: Context<AppEnv>): { id: string; path: string } {
  const raw = rawRequestPath(c.req.raw, c.env)
  const m = /\/movies\/([^/]*)\/files\/(.*)$/.exec(raw)
  const id = m?.[1] ?? ''
  if (!/^[A-Za-z0-9]{16}$/.test(id)) {
    throw new ApiError(
      422,
      'validation',
      'Invalid param: id (Expected a 16-character id of letters and digits)',
      {
        errors: [{ field: 'id', message: 'Expected a 16-character id of letters and digits' }],
      },
    )
  }
  const tail = m?.[2] ?? ''
  const checked = hasDotSegment(raw)
    ? { ok: false as const, reason: 'the path has a "." or ".." segment' }
    : checkUrlPath(tail)
  if (!checked.ok) {
    throw new ApiError(400, 'invalid-path', `Invalid file path: ${checked.reason}.`, {
      errors: [{ field: 'path', message: checked.reason }],
    })
  }
  return { id, path: checked.path }
}

function contentLength(c: Context<AppEnv>): number | undefined {
  const header = c.req.header('content-length')
  if (header === undefined) return undefined
  if (!/^\d{1,15}$/.test(header.trim()))
    throw new ApiError(400, 'bad-request', 'Content-Length is not a number.')
  return Number(header)
}
