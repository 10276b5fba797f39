/** What sign-in and API-token routes send and take, as zod schemas (see movies.schemas.ts). @module */
import { z } from '@hono/zod-openapi'
import { PASSWORD_MAX, passwordField, UserSchema } from '../users/users.schemas.ts'

export const LoginSchema = z
  .strictObject({
    username: z.string().min(1).max(150),
    password: z.string().min(1).max(PASSWORD_MAX),
  })
  .openapi('Login')

/** The answer to sign-in and to "who am I". */
export const SignedInSchema = z.object({ user: UserSchema })

export const ChangePasswordSchema = z
  .strictObject({
    currentPassword: z.string().min(1).max(PASSWORD_MAX),
    newPassword: passwordField,
  })
  .openapi('ChangePassword')

export const TokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().openapi({ description: 'First characters of the token, to recognise it' }),
    createdAt: z.string().openapi({ format: 'date-time' }),
    lastUsedAt: z.string().nullable().openapi({ format: 'date-time' }),
  })
  .openapi('ApiToken')

export type TokenJson = z.infer<typeof TokenSchema>

export const NewTokenSchema = TokenSchema.extend({ token: z.string() }).openapi('NewApiToken')

export const CreateTokenSchema = z
  .strictObject({ name: z.string().trim().min(1).max(100) })
  .openapi('CreateToken')
