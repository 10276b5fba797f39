/**
 * Route definitions for a movie's files under /api/movies: the upload protocol.
 * @module
 */
import { createRoute, z } from '@hono/zod-openapi'
import { ID_PATTERN } from '../../lib/crypto.ts'
import { ALLOWED_EXTENSIONS, MAX_PATH_DEPTH } from '../../lib/paths.ts'
import { IdParam, json, problem, problems, security } from '../common.schemas.ts'
import { MovieSchema } from '../movies/movies.schemas.ts'
import { FileListQuerySchema, FileListSchema, FileSchema, PublishSchema } from './files.schemas.ts'

export const PATH_DESCRIPTION =
  `Path of the file inside the movie: 1 to ${MAX_PATH_DEPTH} "/"-separated segments of [A-Za-z0-9._-], ` +
  `none empty or starting with ".", ending in ${ALLOWED_EXTENSIONS.map((e) => `.${e}`).join(' ')}. ` +
  'Never percent-encoded: a path with "%", a backslash or a dot segment is a 400.'

export const list = createRoute({
  method: 'get',
  path: '/{id}/files',
  tags: ['Uploads'],
  summary: 'List the files stored for a movie',
  description:
    'What is already stored, so an interrupted upload can resume by sending only files that are missing or differ. ' +
    'Sorted by path, a page at a time: follow `nextCursor` until it is null.',
  security,
  request: { params: IdParam, query: FileListQuerySchema },
  responses: {
    200: json(FileListSchema, 'A page of the stored files, sorted by path'),
    401: problems[401],
    403: problems[403],
    404: problems[404],
    422: problems[422],
  },
})

export const publish = createRoute({
  method: 'post',
  path: '/{id}/publish',
  tags: ['Uploads'],
  summary: 'Publish a movie once all its files are uploaded',
  description:
    'Parses the DASH manifest and checks that every initialization and media segment of every Representation ' +
    'is stored. On success the movie becomes ready (visible to everyone if active) with its duration, renditions ' +
    'and poster (poster.jpg, .jpeg, .png or .webp, if uploaded). Otherwise 422: `missing` lists the files still ' +
    'needed (at most 1000; `missingCount` has the total), or `invalid-manifest` says what is wrong. Publishing ' +
    'again with the same manifest is a no-op.',
  security,
  request: {
    params: IdParam,
    body: { content: { 'application/json': { schema: PublishSchema } }, required: false },
  },
  responses: {
    200: json(MovieSchema, 'The published movie'),
    400: problems[400],
    401: problems[401],
    403: problems[403],
    404: problems[404],
    409: problem('Already published with another manifest'),
    422: problem(
      'Validation failed, the manifest is invalid, or files are missing (`missing`, `missingCount`)',
    ),
  },
})

/** The Hono path of one file (the OpenAPI document spells it `/{id}/files/{path}`). */
export const FILE_ROUTE = '/:id/files/:path{.+}'

const pathParams = [
  {
    name: 'id',
    in: 'path' as const,
    required: true,
    schema: { type: 'string' as const, pattern: ID_PATTERN.source },
  },
  {
    name: 'path',
    in: 'path' as const,
    required: true,
    description: PATH_DESCRIPTION,
    schema: { type: 'string' as const, example: 'video/720p/chunk-00001.m4s' },
  },
]

/** PUT and DELETE take a raw body and a path with slashes, so they are plain Hono routes documented by hand. */
export const putDoc = {
  method: 'put' as const,
  path: '/{id}/files/{path}',
  tags: ['Uploads'],
  summary: 'Upload one file of a movie',
  description:
    'The body is the file, sent as is (any Content-Type; the stored type follows the extension). ' +
    'Idempotent: the same path with the same hash again is a 200 and nothing is rewritten, so a retry is a resume. ' +
    'A different hash replaces the file while the movie is a draft; once published it is a 409. ' +
    'The body is hashed and counted as it streams to storage: a hash mismatch (400), a body longer than its ' +
    'Content-Length (400), or one over the per-file or per-movie limit (413) stores nothing. Send Content-Length ' +
    'when you can: a body that declares too much is refused before a byte is read.',
  security,
  request: {
    headers: z.object({
      'x-content-sha256': z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .openapi({ description: 'SHA-256 of the body, 64 hex digits' }),
    }),
    body: { content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } } },
  },
  parameters: pathParams,
  responses: {
    200: json(FileSchema, 'Already stored with this hash; nothing rewritten'),
    201: json(FileSchema, 'Stored'),
    400: problem('Bad path, missing or malformed x-content-sha256, hash or length mismatch'),
    401: problems[401],
    403: problems[403],
    404: problems[404],
    409: problem('The movie is published and this file already has different content'),
    413: problem(
      "Over the per-file (`file-too-large`) or per-movie (`movie-too-large`) limit, or the owner's quota (`quota-exceeded`)",
    ),
    422: problem('The movie has as many files as it may (`too-many-files`)'),
  },
}

export const deleteDoc = {
  method: 'delete' as const,
  path: '/{id}/files/{path}',
  tags: ['Uploads'],
  summary: 'Delete one file of a draft movie',
  security,
  parameters: pathParams,
  responses: {
    204: { description: 'Deleted' },
    400: problem('Bad path'),
    401: problems[401],
    403: problems[403],
    404: problems[404],
    409: problem('The movie is published'),
  },
}
