/** Route definitions for /api/auth: sign-in, sign-out, the caller, API tokens. @module */
import { createRoute, z } from '@hono/zod-openapi'
import { idParam, json, jsonBody, problem, problems, security } from '../common.schemas.ts'
import {
  ChangePasswordSchema,
  CreateTokenSchema,
  LoginSchema,
  NewTokenSchema,
  SignedInSchema,
  SignupInfoSchema,
  SignupQuerySchema,
  SignupSchema,
  TokenSchema,
} from './auth.schemas.ts'

export const login = createRoute({
  method: 'post',
  path: '/login',
  tags: ['Auth'],
  summary: 'Sign in',
  description:
    'Sets the HttpOnly session cookie (`__Host-adh_session` over HTTPS, `adh_session` over plain HTTP). Failed ' +
    'attempts are rate-limited per username and address, per address, and overall, across every server process.',
  request: { body: jsonBody(LoginSchema) },
  responses: {
    200: json(SignedInSchema, 'Signed in; the cookie is set'),
    400: problems[400],
    401: problems[401],
    422: problems[422],
    429: problem('Too many failed attempts; see Retry-After'),
    503: problem('Too many passwords being checked at once; see Retry-After'),
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
  responses: { 200: json(SignedInSchema, 'The caller'), 401: problems[401] },
})

export const changePassword = createRoute({
  method: 'post',
  path: '/password',
  tags: ['Auth'],
  summary: 'Change my password',
  description:
    'Ends every other session of the account (the one making the change stays signed in) and, unless ' +
    '`revokeTokens` is false, revokes its API tokens. Wrong current passwords are rate-limited per account. ' +
    'An API token needs the `admin` scope.',
  security,
  request: {
    body: jsonBody(ChangePasswordSchema),
  },
  responses: {
    204: { description: 'Changed' },
    401: problems[401],
    403: problem('An API token without the admin scope'),
    422: problems[422],
    429: problem('Too many wrong current passwords; see Retry-After'),
    503: problem('Too many passwords being checked at once; see Retry-After'),
  },
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
  description:
    'The token is in the response once and never again; only its hash is stored. An API token may create ' +
    'tokens only with the `admin` scope, and only within its own scopes.',
  security,
  request: { body: jsonBody(CreateTokenSchema) },
  responses: {
    201: json(NewTokenSchema, 'The token, shown once'),
    401: problems[401],
    403: problem('An API token without the admin scope, or asking for scopes it does not have'),
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
    params: idParam('tokenId'),
  },
  responses: { 204: { description: 'Revoked' }, 401: problems[401], 404: problems[404], 422: problems[422] },
})

export const signupInfo = createRoute({
  method: 'get',
  path: '/signup',
  tags: ['Auth'],
  summary: 'Can I sign up?',
  description:
    'What the sign-up page needs before it shows a form: the SIGNUP mode, whether the catalog is private, and ' +
    'with `invite`, whether that invite can still be used. Open to everyone, a private catalog too.',
  request: { query: SignupQuerySchema },
  responses: { 200: json(SignupInfoSchema, 'The sign-up settings'), 422: problems[422] },
})

export const signup = createRoute({
  method: 'post',
  path: '/signup',
  tags: ['Auth'],
  summary: 'Create an account and sign in',
  description:
    "SIGNUP=invite (the default) needs `invite`, the secret of an admin's invite link, which gives the role and " +
    'is used up; SIGNUP=open lets anyone make a viewer account (an invite still gives its role); SIGNUP=closed ' +
    'refuses every sign-up. Same username and password rules as accounts made by admins. Sets the session ' +
    'cookie like sign-in. Failed attempts are rate-limited per address, like sign-in.',
  request: { body: jsonBody(SignupSchema) },
  responses: {
    201: json(SignedInSchema, 'Signed up and signed in; the cookie is set'),
    400: problems[400],
    403: problem(
      'Sign-up is closed (`signup-closed`), needs an invite (`invite-required`), or the invite cannot be used (`invalid-invite`, with `reason`)',
    ),
    409: problem('Username taken'),
    422: problems[422],
    429: problem('Too many failed attempts; see Retry-After'),
  },
})
