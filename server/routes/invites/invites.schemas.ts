/** What the invite routes send and take, as zod schemas (see movies.schemas.ts). @module */
import { z } from '@hono/zod-openapi'
import { INVITE_ROLES } from '../../../db/schema.ts'

export const INVITE_HOURS_DEFAULT = 7 * 24
export const INVITE_HOURS_MAX = 30 * 24

export const CreateInviteSchema = z
  .strictObject({
    role: z.enum(INVITE_ROLES).default('viewer').openapi({ description: 'The role the new account gets' }),
    expiresInHours: z
      .number()
      .int()
      .min(1)
      .max(INVITE_HOURS_MAX)
      .default(INVITE_HOURS_DEFAULT)
      .openapi({ description: `Hours the invite stays valid; default ${INVITE_HOURS_DEFAULT} (a week)` }),
  })
  .openapi('CreateInvite')

export type CreateInviteInput = z.output<typeof CreateInviteSchema>

export const InviteSchema = z
  .object({
    id: z.string(),
    role: z.enum(INVITE_ROLES),
    createdBy: z.object({ id: z.string(), username: z.string() }).nullable(),
    createdAt: z.string().openapi({ format: 'date-time' }),
    expiresAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Invite')

export type InviteJson = z.infer<typeof InviteSchema>

export const NewInviteSchema = InviteSchema.extend({
  secret: z
    .string()
    .openapi({ description: 'The one-time secret: shown in this answer only, stored hashed' }),
  path: z.string().openapi({
    description:
      'The sign-up page with the secret, to send to the invitee (prefix it with the server address)',
    example: '/signup?invite=8fK2…',
  }),
}).openapi('NewInvite')

export type NewInviteJson = z.infer<typeof NewInviteSchema>
