/** Route definitions for /api/movies: the OpenAPI document is generated from these. @module */
import { createRoute } from '@hono/zod-openapi'
import { IdParam, json, jsonBody, problems, security } from '../common.schemas.ts'
import {
  CreateMovieSchema,
  ListQuerySchema,
  MoviePageSchema,
  MovieSchema,
  UpdateMovieSchema,
} from './movies.schemas.ts'

export const list = createRoute({
  method: 'get',
  path: '/',
  tags: ['Movies'],
  summary: 'List movies',
  description:
    'Newest first by default. Anonymous callers see published, active movies; uploaders also their own drafts; admins everything.',
  request: { query: ListQuerySchema },
  responses: {
    200: json(MoviePageSchema, 'One page of movies'),
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
  request: { body: jsonBody(CreateMovieSchema) },
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
    body: jsonBody(UpdateMovieSchema),
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
