/** Route definitions for /api/invites (admins only): sign-up invites. @module */
import { createRoute, z } from '@hono/zod-openapi'
import { IdParam, json, jsonBody, problem, problems, security } from '../common.schemas.ts'
import { CreateInviteSchema, InviteSchema, NewInviteSchema } from './invites.schemas.ts'

export const create = createRoute({
  method: 'post',
  path: '/',
  tags: ['Invites'],
  summary: 'Create a sign-up invite (admin)',
  description:
    'A one-time secret for one new account with the given role, valid for `expiresInHours`. The secret (and the ' +
    'sign-up page link, `path`) is in this answer only; the server keeps its SHA-256. It works once, with ' +
    'SIGNUP=invite or SIGNUP=open.',
  security,
  request: { body: jsonBody(CreateInviteSchema) },
  responses: {
    201: json(NewInviteSchema, 'The invite, with its secret shown once'),
    400: problems[400],
    401: problems[401],
    403: problems[403],
    409: problem('Sign-up is closed (SIGNUP=closed), so an invite could not be used'),
    422: problems[422],
  },
})

export const list = createRoute({
  method: 'get',
  path: '/',
  tags: ['Invites'],
  summary: 'Pending invites (admin)',
  description: 'Invites neither used nor expired, newest first, without their secrets.',
  security,
  responses: {
    200: json(z.object({ items: z.array(InviteSchema) }), 'Pending invites'),
    401: problems[401],
    403: problems[403],
  },
})

export const revoke = createRoute({
  method: 'delete',
  path: '/{id}',
  tags: ['Invites'],
  summary: 'Revoke a pending invite (admin)',
  security,
  request: { params: IdParam },
  responses: {
    204: { description: 'Revoked: its link no longer works' },
    401: problems[401],
    403: problems[403],
    404: problem('No pending invite with this id'),
    422: problems[422],
  },
})
