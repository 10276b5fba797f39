/**
 * Sign-up invites: an admin makes one, the invitee signs up with its secret. A secret is shown
 * once, stored as its SHA-256, works once, and expires.
 * @module
 */
import { and, desc, eq, gt, isNull } from 'drizzle-orm'
import { invites, users } from '../../db/schema.ts'
import { secretHash } from '../auth/tokens.ts'
import { type AuthUser, currentDate, type Deps } from '../env.ts'
import { newId, randomToken } from '../lib/crypto.ts'
import { ApiError } from '../lib/problem.ts'
import type { SignupInfo } from '../routes/auth/auth.schemas.ts'
import type { CreateInviteInput, InviteJson, NewInviteJson } from '../routes/invites/invites.schemas.ts'

/** The sign-up page an invite link opens (client page route). */
export const signupPath = (secret: string) => `/signup?invite=${secret}`

const signupClosed = () =>
  new ApiError(
    409,
    'signup-closed',
    'Sign-up is closed on this server (SIGNUP=closed): invites cannot be used.',
  )

type InviteRow = typeof invites.$inferSelect & { createdByName: string | null }

const inviteToJson = (i: InviteRow): InviteJson => ({
  id: i.id,
  role: i.role,
  createdBy: i.createdBy ? { id: i.createdBy, username: i.createdByName ?? '' } : null,
  createdAt: i.createdAt.toISOString(),
  expiresAt: i.expiresAt.toISOString(),
})

export async function createInvite(
  deps: Deps,
  admin: AuthUser,
  input: CreateInviteInput,
): Promise<NewInviteJson> {
  if (deps.config.signup === 'closed') throw signupClosed()
  const secret = randomToken(32)
  const now = currentDate(deps)
  const row = {
    id: newId(),
    tokenHash: secretHash(secret),
    role: input.role,
    createdBy: admin.id,
    createdAt: now,
    expiresAt: new Date(now.getTime() + input.expiresInHours * 3600 * 1000),
  }
  await deps.db.insert(invites).values(row)
  return {
    ...inviteToJson({ ...row, usedAt: null, usedBy: null, createdByName: admin.username }),
    secret,
    path: signupPath(secret),
  }
}

const pending = (deps: Deps) => and(isNull(invites.usedAt), gt(invites.expiresAt, currentDate(deps)))

/** Invites neither used nor expired, newest first. */
export async function listInvites(deps: Deps): Promise<InviteJson[]> {
  const rows = await deps.db
    .select({ invite: invites, createdByName: users.username })
    .from(invites)
    .leftJoin(users, eq(users.id, invites.createdBy))
    .where(pending(deps))
    .orderBy(desc(invites.createdAt))
  return rows.map((r) => inviteToJson({ ...r.invite, createdByName: r.createdByName }))
}

/** Revokes a pending invite. @throws ApiError 404 when there is no pending invite with that id */
export async function revokeInvite(deps: Deps, id: string): Promise<void> {
  const deleted = await deps.db
    .delete(invites)
    .where(and(eq(invites.id, id), pending(deps)))
    .returning({ id: invites.id })
  if (deleted.length === 0) throw new ApiError(404, 'invite-not-found', `No pending invite with id "${id}".`)
}

/** What an invite secret is worth now: its role and expiry, or why it cannot be used. */
export async function checkInvite(deps: Deps, secret: string): Promise<NonNullable<SignupInfo['invite']>> {
  const [row] = await deps.db
    .select()
    .from(invites)
    .where(eq(invites.tokenHash, secretHash(secret)))
    .limit(1)
  const reason = !row
    ? 'unknown'
    : row.usedAt
      ? 'used'
      : row.expiresAt <= currentDate(deps)
        ? 'expired'
        : null
  return {
    valid: reason === null,
    reason,
    role: reason === null ? row!.role : null,
    expiresAt: row ? row.expiresAt.toISOString() : null,
  }
}

const INVALID: Record<'unknown' | 'used' | 'expired', string> = {
  unknown: 'This invite link is not valid; it may have been revoked.',
  used: 'This invite link has been used already; ask for a new one.',
  expired: 'This invite link has expired; ask for a new one.',
}

/** The reason an invite cannot be used, as the 403 sign-up answers. */
export const invalidInvite = (reason: 'unknown' | 'used' | 'expired') =>
  new ApiError(403, 'invalid-invite', INVALID[reason], { reason })

/**
 * Marks an invite used by `userId`, if it still can be: only one sign-up wins a race for it.
 * @returns whether this call used it
 */
export async function claimInvite(deps: Deps, secret: string, userId: string): Promise<boolean> {
  const claimed = await deps.db
    .update(invites)
    .set({ usedAt: currentDate(deps), usedBy: userId })
    .where(and(eq(invites.tokenHash, secretHash(secret)), pending(deps)))
    .returning({ id: invites.id })
  return claimed.length > 0
}
