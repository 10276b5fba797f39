/** Route definitions for a published movie's subtitles: the OpenAPI document is generated from these. @module */
import { createRoute } from '@hono/zod-openapi'
import { IdParam, json, jsonBody, problem, problems, security } from '../common.schemas.ts'
import { MovieSchema } from '../movies/movies.schemas.ts'
import { AddSubtitleSchema, ReplaceSubtitleSchema, SubtitleParams } from './subtitles.schemas.ts'

const changed =
  'The movie gets a new manifest version (`manifestUrl` changes; published files never do): the WebVTT ' +
  'file is stored as `subs-<lang>-<hash>.vtt` and listed as a text AdaptationSet. The previous manifest ' +
  'and its files stay, so players that loaded it keep working.'

const errors = {
  401: problems[401],
  403: problems[403],
  404: problems[404],
  409: problem('The movie is not published yet (its subtitles are uploaded with it)'),
  422: problem('Not WebVTT (`invalid-subtitles`), too large, or an invalid field'),
}

export const add = createRoute({
  method: 'post',
  path: '/{id}/subtitles',
  tags: ['Subtitles'],
  summary: 'Add a subtitle track to a published movie',
  description: changed,
  security,
  request: { params: IdParam, body: jsonBody(AddSubtitleSchema) },
  responses: { 201: json(MovieSchema, 'The movie with its new track'), ...errors },
})

export const replace = createRoute({
  method: 'put',
  path: '/{id}/subtitles/{track}',
  tags: ['Subtitles'],
  summary: 'Replace a subtitle track, or change its language, label or role',
  description: changed,
  security,
  request: { params: SubtitleParams, body: jsonBody(ReplaceSubtitleSchema) },
  responses: { 200: json(MovieSchema, 'The movie with the track changed'), ...errors },
})

export const remove = createRoute({
  method: 'delete',
  path: '/{id}/subtitles/{track}',
  tags: ['Subtitles'],
  summary: 'Delete a subtitle track',
  description:
    'The movie gets a new manifest version without the track. Its file is deleted once a later change makes that version the previous one.',
  security,
  request: { params: SubtitleParams },
  responses: { 200: json(MovieSchema, 'The movie without the track'), ...errors },
})
