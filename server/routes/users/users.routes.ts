/** Route definitions for /api/users (admins only). @module */
import { createRoute, z } from '@hono/zod-openapi'
import { ROLES } from '../../../db/schema.ts'
import { UserSchema } from '../auth/auth.routes.ts'
import { IdParam, json, problems, security } from '../common.schemas.ts'

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
    body: {
      content: {
        'application/json': {
          schema: z
            .strictObject({
              username: z.string().regex(/^[A-Za-z0-9@.+_-]{3,150}$/, '3-150 letters, digits or @.+_-'),
              password: z.string().min(8).max(1024),
              role: z.enum(ROLES).default('uploader'),
            })
            .openapi('CreateUser'),
        },
      },
      required: true,
    },
  },
  responses: {
    201: json(UserSchema, 'The new account'),
    401: problems[401],
    403: problems[403],
    409: { description: 'Username taken', content: { 'application/problem+json': { schema: z.any() } } },
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
    body: {
      content: {
        'application/json': {
          schema: z
            .strictObject({
              password: z.string().min(8).max(1024).optional(),
              role: z.enum(ROLES).optional(),
              active: z.boolean().optional(),
            })
            .openapi('UpdateUser'),
        },
      },
      required: true,
    },
  },
  responses: {
    200: json(UserSchema, 'The changed account'),
    401: problems[401],
    403: problems[403],
    404: problems[404],
    422: problems[422],
  },
})
