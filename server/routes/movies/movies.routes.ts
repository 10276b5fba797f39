/** Route definitions for /api/movies: the OpenAPI document is generated from these. @module */
import { createRoute, z } from '@hono/zod-openapi'
import { MOVIE_STATUSES } from '../../../db/schema.ts'
import { booleanQuery, IdParam, json, problems, security } from '../common.schemas.ts'

export const RenditionSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['video', 'audio']),
    codecs: z.string(),
    bandwidth: z.number().int(),
    width: z.number().int().optional(),
    height: z.number().int().optional(),
  })
  .openapi('Rendition')

export const MovieSchema = z
  .object({
    id: z.string().openapi({ example: 'x3KfQ9aLw0PzR7bT' }),
    name: z.string().openapi({ example: 'The Rising of the Shield Hero, episode 1' }),
    description: z.string(),
    active: z.boolean(),
    status: z.enum(MOVIE_STATUSES),
    duration: z.number().nullable().openapi({ description: 'Seconds, known once published' }),
    posterUrl: z.string().nullable(),
    manifestUrl: z.string().nullable().openapi({ description: 'The DASH manifest, once published' }),
    renditions: z.array(RenditionSchema),
    owner: z.object({ id: z.string(), username: z.string() }).nullable(),
    createdAt: z.string().openapi({ format: 'date-time' }),
    updatedAt: z.string().openapi({ format: 'date-time' }),
    publishedAt: z.string().nullable().openapi({ format: 'date-time' }),
  })
  .openapi('Movie')

const name = z.string().trim().min(1).max(200)
const description = z.string().max(5000)

export const CreateMovieSchema = z
  .strictObject({ name, description: description.optional(), active: z.boolean().optional() })
  .openapi('CreateMovie')

export const UpdateMovieSchema = z
  .strictObject({
    name: name.optional(),
    description: description.optional(),
    active: z.boolean().optional(),
  })
  .openapi('UpdateMovie')

export const ListQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ type: 'integer', example: 20 }),
  cursor: z.string().max(1000).optional().openapi({ description: 'nextCursor from the previous page' }),
  active: booleanQuery.optional(),
  status: z.enum(MOVIE_STATUSES).optional(),
  q: z.string().max(200).optional().openapi({ description: 'Full-text search over name and description' }),
  sort: z.enum(['newest', 'oldest', 'name']).default('newest'),
  mine: booleanQuery.optional().openapi({ description: "Only the caller's own movies" }),
})

export const list = createRoute({
  method: 'get',
  path: '/',
  tags: ['Movies'],
  summary: 'List movies',
  description:
    'Newest first by default. Anonymous callers see published, active movies; uploaders also their own drafts; admins everything.',
  request: { query: ListQuerySchema },
  responses: {
    200: json(
      z.object({ items: z.array(MovieSchema), nextCursor: z.string().nullable() }).openapi('MoviePage'),
      'One page of movies',
    ),
    422: problems[422],
  },
})

export const get = createRoute({
  method: 'get',
  path: '/{id}',
  tags: ['Movies'],
  summary: 'Get a movie',
  request: { params: IdParam },
  responses: { 200: json(MovieSchema, 'The movie'), 404: problems[404], 422: problems[422] },
})

export const create = createRoute({
  method: 'post',
  path: '/',
  tags: ['Movies'],
  summary: 'Create a draft movie',
  description: 'The caller becomes its owner. Upload its files, then publish it.',
  security,
  request: { body: { content: { 'application/json': { schema: CreateMovieSchema } }, required: true } },
  responses: {
    201: json(MovieSchema, 'The new draft'),
    400: problems[400],
    401: problems[401],
    422: problems[422],
  },
})

export const update = createRoute({
  method: 'patch',
  path: '/{id}',
  tags: ['Movies'],
  summary: 'Change name, description or active flag',
  security,
  request: {
    params: IdParam,
    body: { content: { 'application/json': { schema: UpdateMovieSchema } }, required: true },
  },
  responses: {
    200: json(MovieSchema, 'The changed movie'),
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
  tags: ['Movies'],
  summary: 'Delete a movie and all its files',
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
