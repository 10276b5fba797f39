/** Route definitions for /api/movies: the OpenAPI document is generated from these. @module */
import { createRoute } from '@hono/zod-openapi'
import { IdParam, json, jsonBody, privateCatalog, problem, problems, security } from '../common.schemas.ts'
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
    'Newest first by default. Anonymous callers and viewers see published, active movies; uploaders also their ' +
    'own drafts; admins everything. `standalone=true` leaves out episodes of series (the catalog grid shows ' +
    "series as GET /api/series); `series=<id>` keeps only that series' episodes (GET /api/series/{id} has them " +
    'in episode order). For a signed-in caller every movie says `inWatchlist` and carries their `progress`.',
  request: { query: ListQuerySchema },
  responses: {
    200: json(MoviePageSchema, 'One page of movies'),
    401: privateCatalog,
    422: problems[422],
  },
})

export const get = createRoute({
  method: 'get',
  path: '/{id}',
  tags: ['Movies'],
  summary: 'Get a movie',
  description:
    "With, for an episode, its series and the previous and next episode the caller may see (the movie page's " +
    '"Next episode" and the end-of-episode countdown), and for a signed-in caller `inWatchlist` and `progress` ' +
    '("Resume from …").',
  request: { params: IdParam },
  responses: {
    200: json(MovieSchema, 'The movie'),
    401: privateCatalog,
    404: problems[404],
    422: problems[422],
  },
})

export const create = createRoute({
  method: 'post',
  path: '/',
  tags: ['Movies'],
  summary: 'Create a draft movie',
  description:
    'Uploaders and admins; the caller becomes its owner. Upload its files, then publish it. With `seriesId` it is ' +
    "an episode of that series (the caller's own, or any for an admin): season 1 and the next free episode " +
    'number of the season unless given.',
  security,
  request: { body: jsonBody(CreateMovieSchema) },
  responses: {
    201: json(MovieSchema, 'The new draft'),
    400: problems[400],
    401: problems[401],
    403: problem("Viewers cannot add movies; or the series is not the caller's"),
    404: problem('No such series'),
    409: problem('That episode number of the series is taken (`episode-taken`)'),
    422: problems[422],
  },
})

export const update = createRoute({
  method: 'patch',
  path: '/{id}',
  tags: ['Movies'],
  summary: 'Change name, description, active flag or place in a series',
  description:
    '`seriesId` moves the movie into a series (null takes it out: season and episode go too); `season` alone ' +
    'moves it to the next free number of that season; `episode` renumbers it. A taken number is a 409.',
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
    409: problem('That episode number of the series is taken (`episode-taken`)'),
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
