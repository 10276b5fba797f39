/** Route definitions for /api/auth: sign-in, sign-out, the caller, API tokens. @module */
import { createRoute, z } from '@hono/zod-openapi'
import { ROLES } from '../../../db/schema.ts'
import { json, problems, security } from '../common.schemas.ts'

export const UserSchema = z
  .object({
    id: z.string(),
    username: z.string(),
    role: z.enum(ROLES),
    active: z.boolean(),
    createdAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('User')

export const LoginSchema = z
  .strictObject({
    username: z.string().min(1).max(150),
    password: z.string().min(1).max(1024),
  })
  .openapi('Login')

export const TokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().openapi({ description: 'First characters of the token, to recognise it' }),
    createdAt: z.string().openapi({ format: 'date-time' }),
    lastUsedAt: z.string().nullable().openapi({ format: 'date-time' }),
  })
  .openapi('ApiToken')

const body = <T extends z.ZodType>(schema: T) => ({
  content: { 'application/json': { schema } },
  required: true,
})

export const login = createRoute({
  method: 'post',
  path: '/login',
  tags: ['Auth'],
  summary: 'Sign in',
  description: 'Sets the HttpOnly session cookie. Failed attempts are rate-limited per username and address.',
  request: { body: body(LoginSchema) },
  responses: {
    200: json(z.object({ user: UserSchema }), 'Signed in; the cookie is set'),
    400: problems[400],
    401: problems[401],
    422: problems[422],
    429: {
      description: 'Too many failed attempts; see Retry-After',
      content: { 'application/problem+json': { schema: z.any() } },
    },
  },
})

export const logout = createRoute({
  method: 'post',
  path: '/logout',
  tags: ['Auth'],
  summary: 'Sign out',
  responses: { 204: { description: 'Signed out; the session is deleted' } },
})

export const me = createRoute({
  method: 'get',
  path: '/me',
  tags: ['Auth'],
  summary: 'Who am I',
  security,
  responses: { 200: json(z.object({ user: UserSchema }), 'The caller'), 401: problems[401] },
})

export const changePassword = createRoute({
  method: 'post',
  path: '/password',
  tags: ['Auth'],
  summary: 'Change my password',
  security,
  request: {
    body: body(
      z
        .strictObject({
          currentPassword: z.string().min(1).max(1024),
          newPassword: z.string().min(8).max(1024),
        })
        .openapi('ChangePassword'),
    ),
  },
  responses: { 204: { description: 'Changed' }, 401: problems[401], 422: problems[422] },
})

export const listTokens = createRoute({
  method: 'get',
  path: '/tokens',
  tags: ['Auth'],
  summary: 'My API tokens',
  security,
  responses: {
    200: json(z.object({ items: z.array(TokenSchema) }), 'Tokens not revoked'),
    401: problems[401],
  },
})

export const createToken = createRoute({
  method: 'post',
  path: '/tokens',
  tags: ['Auth'],
  summary: 'Create an API token',
  description: 'The token is in the response once and never again; only its hash is stored.',
  security,
  request: { body: body(z.strictObject({ name: z.string().trim().min(1).max(100) }).openapi('CreateToken')) },
  responses: {
    201: json(TokenSchema.extend({ token: z.string() }).openapi('NewApiToken'), 'The token, shown once'),
    401: problems[401],
    422: problems[422],
  },
})

export const revokeToken = createRoute({
  method: 'delete',
  path: '/tokens/{tokenId}',
  tags: ['Auth'],
  summary: 'Revoke an API token',
  security,
  request: {
    params: z.object({
      tokenId: z
        .string()
        .regex(/^[A-Za-z0-9]{16}$/, 'Expected a 16-character id')
        .openapi({ param: { name: 'tokenId', in: 'path' } }),
    }),
  },
  responses: { 204: { description: 'Revoked' }, 401: problems[401], 404: problems[404], 422: problems[422] },
})
