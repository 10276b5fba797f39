/** Route definitions for /api/users (admins only). @module */
import { createRoute, z } from '@hono/zod-openapi'
import { IdParam, json, jsonBody, problem, problems, security } from '../common.schemas.ts'
import { CreateUserSchema, UpdateUserSchema, UserSchema } from './users.schemas.ts'

export const list = createRoute({
  method: 'get',
  path: '/',
  tags: ['Users'],
  summary: 'List accounts (admin)',
  security,
  responses: {
    200: json(z.object({ items: z.array(UserSchema) }), 'All accounts'),
    401: problems[401],
    403: problems[403],
  },
})

export const create = createRoute({
  method: 'post',
  path: '/',
  tags: ['Users'],
  summary: 'Create an account (admin)',
  security,
  request: {
    body: jsonBody(CreateUserSchema),
  },
  responses: {
    201: json(UserSchema, 'The new account'),
    401: problems[401],
    403: problems[403],
    409: problem('Username taken'),
    422: problems[422],
  },
})

export const update = createRoute({
  method: 'patch',
  path: '/{id}',
  tags: ['Users'],
  summary: 'Reset password, change role, deactivate or reactivate (admin)',
  security,
  request: {
    params: IdParam,
    body: jsonBody(UpdateUserSchema),
  },
  responses: {
    200: json(UserSchema, 'The changed account'),
    401: problems[401],
    403: problems[403],
    404: problems[404],
    422: problems[422],
  },
})

export const remove = createRoute({
  method: 'delete',
  path: '/{id}',
  tags: ['Users'],
  summary: 'Delete an account (admin)',
  description:
    'Deletes the account with its watch list, progress, sessions and API tokens. Movies and series it owned ' +
    'stay, without an owner. Admins cannot delete their own account.',
  security,
  request: { params: IdParam },
  responses: {
    204: { description: 'Deleted' },
    401: problems[401],
    403: problems[403],
    404: problems[404],
    409: problem('The account is the caller’s own'),
    422: problems[422],
  },
})
