/** What the account routes send and take, as zod schemas (see movies.schemas.ts). @module */
import { z } from '@hono/zod-openapi'
import { ROLES } from '../../../db/schema.ts'

export const USERNAME_RE = /^[A-Za-z0-9@.+_-]{3,150}$/
export const PASSWORD_MIN = 8
export const PASSWORD_MAX = 1024

/** A new password, wherever one is set. */
export const passwordField = z.string().min(PASSWORD_MIN).max(PASSWORD_MAX)

export const UserSchema = z
  .object({
    id: z.string(),
    username: z.string(),
    role: z.enum(ROLES),
    active: z.boolean(),
    createdAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('User')

export type UserJson = z.infer<typeof UserSchema>

export const CreateUserSchema = z
  .strictObject({
    username: z.string().regex(USERNAME_RE, '3-150 letters, digits or @.+_-'),
    password: passwordField,
    role: z.enum(ROLES).default('uploader'),
  })
  .openapi('CreateUser')

export type CreateUserInput = z.output<typeof CreateUserSchema>

export const UpdateUserSchema = z
  .strictObject({
    password: passwordField
      .optional()
      .openapi({ description: 'A new password; ends every session of the account' }),
    role: z.enum(ROLES).optional(),
    active: z.boolean().optional().openapi({ description: 'false ends every session of the account' }),
    revokeTokens: z.boolean().optional().openapi({
      description:
        "With a new password or a deactivation: also revoke the account's API tokens (default true)",
    }),
  })
  .openapi('UpdateUser')
