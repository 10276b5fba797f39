/**
 * Route definitions for an admin's view of any account's API tokens and sessions, under
 * /api/users/{id}: list them, revoke a token, end one session or all of them.
 * @module
 */
import { createRoute, z } from '@hono/zod-openapi'
import { TokenSchema } from '../auth/auth.schemas.ts'
import { json, problems, security } from '../common.schemas.ts'
import { SessionSchema, UserParam, UserSessionParam, UserTokenParam } from './credentials.schemas.ts'

const errors = { 401: problems[401], 403: problems[403], 404: problems[404], 422: problems[422] }

export const listTokens = createRoute({
  method: 'get',
  path: '/{id}/tokens',
  tags: ['Users'],
  summary: "An account's API tokens (admin)",
  description:
    'Tokens not revoked, expired ones included (with their expiry), newest first; never their secret.',
  security,
  request: { params: UserParam },
  responses: { 200: json(z.object({ items: z.array(TokenSchema) }), 'The tokens'), ...errors },
})

export const revokeToken = createRoute({
  method: 'delete',
  path: '/{id}/tokens/{tokenId}',
  tags: ['Users'],
  summary: "Revoke an account's API token (admin)",
  security,
  request: { params: UserTokenParam },
  responses: { 204: { description: 'Revoked' }, ...errors },
})

export const listSessions = createRoute({
  method: 'get',
  path: '/{id}/sessions',
  tags: ['Users'],
  summary: "An account's sessions (admin)",
  description: 'Sessions not yet expired, newest first.',
  security,
  request: { params: UserParam },
  responses: { 200: json(z.object({ items: z.array(SessionSchema) }), 'The sessions'), ...errors },
})

export const endSession = createRoute({
  method: 'delete',
  path: '/{id}/sessions/{sessionId}',
  tags: ['Users'],
  summary: "End one of an account's sessions (admin)",
  security,
  request: { params: UserSessionParam },
  responses: { 204: { description: 'Ended; its cookie no longer signs anyone in' }, ...errors },
})

export const endAllSessions = createRoute({
  method: 'delete',
  path: '/{id}/sessions',
  tags: ['Users'],
  summary: 'Sign an account out everywhere (admin)',
  security,
  request: { params: UserParam },
  responses: { 204: { description: 'Every session ended' }, ...errors },
})
