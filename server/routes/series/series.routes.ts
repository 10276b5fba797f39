/** Route definitions for /api/series: the OpenAPI document is generated from these. @module */
import { createRoute, z } from '@hono/zod-openapi'
import { IdParam, json, jsonBody, privateCatalog, problem, problems, security } from '../common.schemas.ts'
import {
  CreateSeriesSchema,
  SERIES_POSTER_MAX_BYTES,
  SERIES_POSTER_TYPES,
  SeriesDetailSchema,
  SeriesListQuerySchema,
  SeriesPageSchema,
  SeriesSchema,
  UpdateSeriesSchema,
} from './series.schemas.ts'

const VISIBILITY =
  'A series is visible to a caller when they may see at least one of its episodes (anonymous callers and ' +
  'viewers: a published, active one), when they own it (uploaders), and always to admins.'

export const list = createRoute({
  method: 'get',
  path: '/',
  tags: ['Series'],
  summary: 'List series',
  description: `Newest activity first (the newest episode the caller may see, or the series' creation). ${VISIBILITY} Each item says how many episodes the caller may see, its seasons, its poster and the next episode to watch.`,
  request: { query: SeriesListQuerySchema },
  responses: {
    200: json(SeriesPageSchema, 'One page of series'),
    401: privateCatalog,
    422: problems[422],
  },
})

export const get = createRoute({
  method: 'get',
  path: '/{id}',
  tags: ['Series'],
  summary: 'Get a series with its episodes',
  description: `Every episode the caller may see, in (season, episode) order, each with the caller's progress. ${VISIBILITY}`,
  request: { params: IdParam },
  responses: {
    200: json(SeriesDetailSchema, 'The series and its episodes'),
    401: privateCatalog,
    404: problems[404],
    422: problems[422],
  },
})

export const create = createRoute({
  method: 'post',
  path: '/',
  tags: ['Series'],
  summary: 'Create a series',
  description:
    'Uploaders and admins; the caller becomes its owner. Put movies into it with `seriesId` on POST or PATCH /api/movies.',
  security,
  request: { body: jsonBody(CreateSeriesSchema) },
  responses: {
    201: json(SeriesSchema, 'The new series'),
    400: problems[400],
    401: problems[401],
    403: problem('Viewers cannot create series'),
    422: problems[422],
  },
})

export const update = createRoute({
  method: 'patch',
  path: '/{id}',
  tags: ['Series'],
  summary: 'Rename or describe a series',
  description: 'Its owner, or an admin.',
  security,
  request: { params: IdParam, body: jsonBody(UpdateSeriesSchema) },
  responses: {
    200: json(SeriesSchema, 'The changed series'),
    400: problems[400],
    401: problems[401],
    403: problems[403],
    404: problems[404],
    422: problems[422],
  },
})

export const remove = createRoute({
  method: 'delete',
  path: '/{id}',
  tags: ['Series'],
  summary: 'Delete a series',
  description:
    'Its owner, or an admin. Its episodes stay, as standalone movies (no series, season or episode); the series leaves every watch list.',
  security,
  request: { params: IdParam },
  responses: {
    204: { description: 'Deleted' },
    401: problems[401],
    403: problems[403],
    404: problems[404],
    422: problems[422],
  },
})

const imageBody = z.string().openapi({ format: 'binary' })

export const putPoster = createRoute({
  method: 'put',
  path: '/{id}/poster',
  tags: ['Series'],
  summary: "Upload the series' own poster",
  description:
    `The body is the image (${Object.keys(SERIES_POSTER_TYPES).join(', ')}, as Content-Type; at most ` +
    `${SERIES_POSTER_MAX_BYTES / 1024 / 1024} MiB), with its SHA-256 as 64 hex digits in the x-content-sha256 ` +
    'header, checked like a movie file. It replaces any earlier poster and is served under /media/series/… ' +
    "(see `posterUrl`). Without one, a series shows its first episode's poster.",
  security,
  // Checked by the handler (a 400 that says what is wrong, as for movie files), so documented here.
  parameters: [
    {
      name: 'x-content-sha256',
      in: 'header',
      required: true,
      description: 'SHA-256 of the body, 64 hex digits',
      schema: { type: 'string', pattern: '^[0-9a-f]{64}$' },
    },
  ],
  request: {
    params: IdParam,
    body: {
      content: Object.fromEntries(
        Object.keys(SERIES_POSTER_TYPES).map((type) => [type, { schema: imageBody }]),
      ),
      required: true,
    },
  },
  responses: {
    200: json(SeriesSchema, 'Stored; the series with its new posterUrl'),
    400: problem('Missing or malformed x-content-sha256, or the body does not match it'),
    401: problems[401],
    403: problems[403],
    404: problems[404],
    413: problem('The image is too large'),
    415: problem('Not a JPEG, PNG or WebP image'),
  },
})

export const deletePoster = createRoute({
  method: 'delete',
  path: '/{id}/poster',
  tags: ['Series'],
  summary: "Remove the series' own poster",
  description: "The first episode's poster shows again.",
  security,
  request: { params: IdParam },
  responses: {
    200: json(SeriesSchema, 'The series without its own poster'),
    401: problems[401],
    403: problems[403],
    404: problems[404],
    422: problems[422],
  },
})
