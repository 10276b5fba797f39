/**
 * Route definitions for /api/me: the caller's own watch list, progress and preferences. Nothing
 * here takes a user id: no other user, admins included, can read or change them through the API.
 * @module
 */
import { createRoute, z } from '@hono/zod-openapi'
import { smallBody } from '../../lib/body-limit.ts'
import { idParam, json, jsonBody, problem, problems, security } from '../common.schemas.ts'
import { ProgressSchema } from '../movies/movies.schemas.ts'
import {
  ContinueItemSchema,
  ContinueQuerySchema,
  ItemParam,
  PageQuerySchema,
  PreferencesSchema,
  ProgressPageSchema,
  ProgressQuerySchema,
  SaveProgressSchema,
  UpdatePreferencesSchema,
  WatchlistEntrySchema,
  WatchlistPageSchema,
} from './me.schemas.ts'

const MovieIdParam = idParam('movieId')
const PRIVATE = 'Only the caller can read it: no route takes another user, admins included.'

// ─────────────────────────── watch list ───────────────────────────

export const watchlist = createRoute({
  method: 'get',
  path: '/watchlist',
  tags: ['Me'],
  summary: 'My watch list',
  description:
    'Movies and whole series, newest added first, each with its full JSON. Items the caller can no longer see ' +
    `(hidden or unpublished since) are left out but stay on the list. ${PRIVATE}`,
  security,
  request: { query: PageQuerySchema },
  responses: {
    200: json(WatchlistPageSchema, 'One page of the list'),
    401: problems[401],
    422: problems[422],
  },
})

export const addToWatchlist = createRoute({
  method: 'put',
  path: '/watchlist/{id}',
  tags: ['Me'],
  summary: 'Add a movie or a series to my watch list',
  description:
    'The id is a movie id or a series id: both are random 16-character ids, so one never names both. ' +
    'Idempotent: 201 when added, 200 when it was already there (it keeps its place).',
  security,
  request: { params: ItemParam },
  responses: {
    200: json(WatchlistEntrySchema, 'Already on the list'),
    201: json(WatchlistEntrySchema, 'Added'),
    401: problems[401],
    404: problem('No movie or series with this id that the caller may see'),
    422: problems[422],
  },
})

export const removeFromWatchlist = createRoute({
  method: 'delete',
  path: '/watchlist/{id}',
  tags: ['Me'],
  summary: 'Take a movie or a series off my watch list',
  description: 'Idempotent: 204 whether or not it was on the list.',
  security,
  request: { params: ItemParam },
  responses: { 204: { description: 'Not on the list (any more)' }, 401: problems[401], 422: problems[422] },
})

// ─────────────────────────── progress ───────────────────────────

/** A position and a duration are a few dozen bytes; anything much larger is not one. */
export const PROGRESS_BODY_LIMIT = 1024

export const listProgress = createRoute({
  method: 'get',
  path: '/progress',
  tags: ['Me'],
  summary: 'My progress (history)',
  description:
    'Most recently updated first, each with the movie. `state=watching`: something to resume; ' +
    `\`state=watched\`: watched to the end (or marked). ${PRIVATE}`,
  security,
  request: { query: ProgressQuerySchema },
  responses: {
    200: json(ProgressPageSchema, 'One page of progress'),
    401: problems[401],
    422: problems[422],
  },
})

export const clearProgress = createRoute({
  method: 'delete',
  path: '/progress',
  tags: ['Me'],
  summary: 'Clear my history',
  description: 'Forgets every position and watched mark of the caller.',
  security,
  responses: { 204: { description: 'Cleared' }, 401: problems[401] },
})

export const getProgress = createRoute({
  method: 'get',
  path: '/progress/{movieId}',
  tags: ['Me'],
  summary: 'My progress on a movie',
  description: `The movie page asks this to offer "Resume from …" (when \`inProgress\`). ${PRIVATE}`,
  security,
  request: { params: MovieIdParam },
  responses: {
    200: json(ProgressSchema, 'Where the caller is'),
    401: problems[401],
    404: problem('No progress of the caller on this movie (or no such movie)'),
    422: problems[422],
  },
})

export const saveProgress = createRoute({
  method: 'put',
  path: '/progress/{movieId}',
  tags: ['Me'],
  summary: 'Save where I am in a movie',
  description:
    'Idempotent: the same body again changes only `updatedAt`. The player sends it every 10 s while playing, on ' +
    'pause and seek, and when the page is hidden, with `fetch(url, { method: "PUT", keepalive: true, headers: ' +
    "{ 'content-type': 'application/json' }, body })` so the last position survives closing the tab (JSON from our " +
    `own origin passes the CSRF check; the body may be at most ${PROGRESS_BODY_LIMIT} bytes). Past 90% of the ` +
    'duration, or within its last 120 s once past the half-way point, the movie becomes `watched`. A position ' +
    'past the end counts as the end.',
  security,
  middleware: [
    smallBody(PROGRESS_BODY_LIMIT, `A progress body is at most ${PROGRESS_BODY_LIMIT} bytes.`),
  ] as const,
  request: { params: MovieIdParam, body: jsonBody(SaveProgressSchema) },
  responses: {
    200: json(ProgressSchema, 'Saved'),
    400: problems[400],
    401: problems[401],
    404: problems[404],
    413: problem(`The body is over ${PROGRESS_BODY_LIMIT} bytes`),
    415: problem('The body is not JSON'),
    422: problems[422],
  },
})

export const deleteProgress = createRoute({
  method: 'delete',
  path: '/progress/{movieId}',
  tags: ['Me'],
  summary: 'Forget my progress on a movie',
  description: 'Idempotent: 204 whether or not there was any.',
  security,
  request: { params: MovieIdParam },
  responses: { 204: { description: 'Forgotten' }, 401: problems[401], 422: problems[422] },
})

export const markWatched = createRoute({
  method: 'put',
  path: '/progress/{movieId}/watched',
  tags: ['Me'],
  summary: 'Mark a movie watched',
  description: 'Idempotent. The position moves to the end, so it leaves "Continue watching".',
  security,
  request: { params: MovieIdParam },
  responses: {
    200: json(ProgressSchema, 'Watched'),
    401: problems[401],
    404: problems[404],
    422: problems[422],
  },
})

export const markUnwatched = createRoute({
  method: 'delete',
  path: '/progress/{movieId}/watched',
  tags: ['Me'],
  summary: 'Mark a movie unwatched',
  description: 'Idempotent. The position moves back to the start.',
  security,
  request: { params: MovieIdParam },
  responses: {
    200: json(ProgressSchema, 'Unwatched'),
    401: problems[401],
    404: problems[404],
    422: problems[422],
  },
})

export const continueWatching = createRoute({
  method: 'get',
  path: '/continue',
  tags: ['Me'],
  summary: 'Continue watching',
  description:
    "The catalog's first row: movies to resume, most recent first, and for each series the caller has watched " +
    'in, one entry with the episode to watch next (the one in progress, or the first unwatched after the last ' +
    'watched one, across seasons), placed by when the caller last watched that series. Finished movies and ' +
    `caught-up series are left out. Looks at the caller's 500 most recently watched movies. ${PRIVATE}`,
  security,
  request: { query: ContinueQuerySchema },
  responses: {
    200: json(z.object({ items: z.array(ContinueItemSchema) }), 'The row, most recent first'),
    401: problems[401],
    422: problems[422],
  },
})

// ─────────────────────────── preferences ───────────────────────────

export const getPreferences = createRoute({
  method: 'get',
  path: '/preferences',
  tags: ['Me'],
  summary: 'My preferences',
  security,
  responses: { 200: json(PreferencesSchema, 'Every preference, defaults filled in'), 401: problems[401] },
})

export const updatePreferences = createRoute({
  method: 'patch',
  path: '/preferences',
  tags: ['Me'],
  summary: 'Change my preferences',
  description: 'Only the preferences given change.',
  security,
  request: { body: jsonBody(UpdatePreferencesSchema) },
  responses: {
    200: json(PreferencesSchema, 'Every preference, after the change'),
    400: problems[400],
    401: problems[401],
    422: problems[422],
  },
})
