/** What sign-in and API-token routes send and take, as zod schemas (see movies.schemas.ts). @module */
import { z } from '@hono/zod-openapi'
import { INVITE_ROLES, TOKEN_SCOPES } from '../../../db/schema.ts'
import { lineText } from '../common.schemas.ts'
import { PASSWORD_MAX, passwordField, USERNAME_RE, UserSchema } from '../users/users.schemas.ts'

export const LoginSchema = z
  .strictObject({
    username: z.string().min(1).max(150),
    password: z.string().min(1).max(PASSWORD_MAX),
  })
  .openapi('Login')

/** The answer to sign-in and to "who am I". */
export const SignedInSchema = z.object({ user: UserSchema })

/** Whether a password change (or an admin's reset or deactivation) also revokes the API tokens. */
export const revokeTokensField = z.boolean().optional().openapi({
  description:
    "Also revoke the account's API tokens (default true): a stolen token should not outlive a new password",
})

export const ChangePasswordSchema = z
  .strictObject({
    currentPassword: z.string().min(1).max(PASSWORD_MAX),
    newPassword: passwordField,
    revokeTokens: revokeTokensField,
  })
  .openapi('ChangePassword')

const scopesDescription =
  'read: GET and HEAD; upload: every other request outside account management (and reading); admin: account ' +
  'management (tokens, password, sessions, users, invites). Within what the user may do anyway.'

export const TokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().openapi({ description: 'First characters of the token, to recognise it' }),
    scopes: z.array(z.enum(TOKEN_SCOPES)).openapi({ description: scopesDescription }),
    createdAt: z.string().openapi({ format: 'date-time' }),
    lastUsedAt: z.string().nullable().openapi({ format: 'date-time' }),
    expiresAt: z.string().nullable().openapi({ format: 'date-time', description: 'null: never expires' }),
  })
  .openapi('ApiToken')

export type TokenJson = z.infer<typeof TokenSchema>

export const NewTokenSchema = TokenSchema.extend({ token: z.string() }).openapi('NewApiToken')

export const CreateTokenSchema = z
  .strictObject({
    name: lineText(100),
    scopes: z
      .array(z.enum(TOKEN_SCOPES))
      .min(1)
      .max(TOKEN_SCOPES.length)
      .optional()
      .openapi({
        description: `${scopesDescription} Default: all three. A token may only mint tokens within its own scopes.`,
      }),
    expiresAt: z.iso
      .datetime({ offset: true })
      .optional()
      .openapi({ description: 'When the token stops working (in the future); default: never' }),
  })
  .openapi('CreateToken')

export const SIGNUP_MODES = ['closed', 'invite', 'open'] as const
export type SignupMode = (typeof SIGNUP_MODES)[number]

/** An invite secret: what POST /api/invites gave out. */
const inviteSecret = z.string().min(1).max(200)

export const SignupSchema = z
  .strictObject({
    username: z.string().regex(USERNAME_RE, '3-150 letters, digits or @.+_-'),
    password: passwordField,
    invite: inviteSecret
      .optional()
      .openapi({ description: 'The secret from the invite link; required when SIGNUP=invite' }),
  })
  .openapi('Signup')

export const SignupQuerySchema = z.strictObject({
  invite: inviteSecret.optional().openapi({ description: 'An invite secret to check' }),
})

export const SignupInfoSchema = z
  .object({
    signup: z.enum(SIGNUP_MODES).openapi({
      description:
        'closed: only admins create accounts; invite: an invite link is needed; open: anyone may sign up',
    }),
    privateCatalog: z.boolean().openapi({ description: 'Everything but signing in and up needs an account' }),
    invite: z
      .object({
        valid: z.boolean(),
        reason: z
          .enum(['unknown', 'used', 'expired'])
          .nullable()
          .openapi({ description: 'Why it is not valid' }),
        role: z.enum(INVITE_ROLES).nullable().openapi({ description: 'The role it gives, when valid' }),
        expiresAt: z.string().nullable().openapi({ format: 'date-time' }),
      })
      .nullable()
      .openapi({ description: 'The invite asked about, or null when none was' }),
  })
  .openapi('SignupInfo')

export type SignupInfo = z.infer<typeof SignupInfoSchema>
