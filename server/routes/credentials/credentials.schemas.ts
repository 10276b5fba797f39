/** What an admin sees of someone's sign-ins: their sessions (never a secret). @module */
import { z } from '@hono/zod-openapi'
import { ID_PATTERN } from '../../lib/crypto.ts'
import { ID_MESSAGE } from '../common.schemas.ts'

export const SessionSchema = z
  .object({
    id: z
      .string()
      .openapi({ description: 'SHA-256 of the cookie: names the session, cannot be used as one' }),
    userAgent: z.string().nullable().openapi({ description: 'The browser that signed in, as it said' }),
    createdAt: z.string().openapi({ format: 'date-time' }),
    expiresAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Session')

export type SessionJson = z.infer<typeof SessionSchema>

const userId = z
  .string()
  .regex(ID_PATTERN, ID_MESSAGE)
  .openapi({ param: { name: 'id', in: 'path' }, example: 'x3KfQ9aLw0PzR7bT' })

export const UserParam = z.object({ id: userId })

export const UserTokenParam = z.object({
  id: userId,
  tokenId: z
    .string()
    .regex(ID_PATTERN, ID_MESSAGE)
    .openapi({ param: { name: 'tokenId', in: 'path' } }),
})

export const UserSessionParam = z.object({
  id: userId,
  sessionId: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'Expected 64 hex digits')
    .openapi({ param: { name: 'sessionId', in: 'path' } }),
})
