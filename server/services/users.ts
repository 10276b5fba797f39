/**
 * Accounts: creating users (by an admin, or by signing up), checking and changing passwords (and
 * what a change ends), deleting an account with everything that is only theirs, and their preferences.
 * @module
 */
import { eq, sql } from 'drizzle-orm'
import type { z } from 'zod'
import {
  apiTokens,
  invites,
  movies,
  progress,
  type Role,
  series,
  sessions,
  type User,
  users,
  watchlist,
} from '../../db/schema.ts'
import { currentDate, type Deps } from '../env.ts'
import { newId } from '../lib/crypto.ts'
import { validationFailed } from '../lib/errors.ts'
import { ApiError } from '../lib/problem.ts'
import type { SignupSchema } from '../routes/auth/auth.schemas.ts'
import {
  DEFAULT_PREFERENCES,
  type Preferences,
  PreferencesSchema,
  type StoredPreferences,
  type UpdatePreferencesInput,
} from '../routes/me/me.schemas.ts'
import {
  type CreateUserInput,
  PASSWORD_MAX,
  PASSWORD_MIN,
  USERNAME_RE,
  type UserJson,
} from '../routes/users/users.schemas.ts'
import { checkInvite, claimInvite, invalidInvite } from './invites.ts'

export const userToJson = (u: User): UserJson => ({
  id: u.id,
  username: u.username,
  role: u.role,
  active: u.active,
  createdAt: u.createdAt.toISOString(),
})

export async function findUserByName(deps: Deps, username: string): Promise<User | null> {
  const [row] = await deps.db.select().from(users).where(eq(users.username, username)).limit(1)
  return row ?? null
}

export async function findUser(deps: Deps, id: string): Promise<User | null> {
  const [row] = await deps.db.select().from(users).where(eq(users.id, id)).limit(1)
  return row ?? null
}

/** Creates an account; a taken username is a 409. */
export async function createUser(deps: Deps, input: CreateUserInput): Promise<User> {
  if (!USERNAME_RE.test(input.username)) {
    throw validationFailed(
      'body',
      [{ field: 'username', message: 'Invalid username' }],
      'Usernames are 3-150 letters, digits or @.+_-',
    )
  }
  if (input.password.length < PASSWORD_MIN || input.password.length > PASSWORD_MAX) {
    throw validationFailed(
      'body',
      [{ field: 'password', message: `Must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters` }],
      `Passwords are ${PASSWORD_MIN} to ${PASSWORD_MAX} characters.`,
    )
  }
  if (await findUserByName(deps, input.username)) {
    throw new ApiError(409, 'username-taken', `The username "${input.username}" is taken.`, {
      errors: [{ field: 'username', message: 'Already taken' }],
    })
  }
  const row = {
    id: newId(),
    username: input.username,
    passwordHash: await deps.passwords.hash(input.password),
    role: input.role,
    active: true,
    createdAt: currentDate(deps),
    preferences: {},
  }
  await deps.db.insert(users).values(row)
  return row
}

export async function setPassword(deps: Deps, userId: string, password: string): Promise<void> {
  await deps.db
    .update(users)
    .set({ passwordHash: await deps.passwords.hash(password) })
    .where(eq(users.id, userId))
}

// Verifying against this when the username is unknown keeps the response time the same, so
// timing does not tell an attacker which usernames exist.
let dummyHash: Promise<string> | null = null

/** The active user with this username and password, or null; never says which part was wrong. */
export async function checkCredentials(deps: Deps, username: string, password: string): Promise<User | null> {
  const user = await findUserByName(deps, username)
  if (!user?.active) {
    dummyHash ??= deps.passwords.hash('not-a-real-password')
    await deps.passwords.verify(password, await dummyHash)
    return null
  }
  return (await deps.passwords.verify(password, user.passwordHash)) ? user : null
}

/**
 * Creates an account through sign-up, as SIGNUP allows: never when closed; with a valid invite
 * (which gives the role and is used up) when `invite`; open sign-up makes viewers unless an
 * invite says otherwise. The invite is claimed after the account exists, so of two sign-ups racing
 * for one invite exactly one keeps its account.
 * @throws ApiError 403 (`signup-closed`, `invite-required`, `invalid-invite`), 409 (username taken), 422
 */
export async function signUp(deps: Deps, input: z.output<typeof SignupSchema>): Promise<User> {
  const mode = deps.config.signup
  if (mode === 'closed') {
    throw new ApiError(403, 'signup-closed', 'Sign-up is closed on this server; ask an admin for an account.')
  }
  let role: Role = 'viewer'
  if (input.invite !== undefined) {
    const invite = await checkInvite(deps, input.invite)
    if (!invite.valid) throw invalidInvite(invite.reason ?? 'unknown')
    role = invite.role ?? role
  } else if (mode === 'invite') {
    throw new ApiError(403, 'invite-required', 'Sign-up on this server needs an invite link from an admin.')
  }
  const user = await createUser(deps, { username: input.username, password: input.password, role })
  if (input.invite !== undefined && !(await claimInvite(deps, input.invite, user.id))) {
    await deleteUser(deps, user.id)
    throw invalidInvite('used')
  }
  return user
}

/**
 * Deletes an account and everything that is only theirs, in one transaction: watch list, progress,
 * sessions and API tokens. Their movies and series stay, without an owner. (The foreign keys say
 * the same, but PRAGMA foreign_keys is per connection and libSQL over HTTP does not keep it.)
 */
export async function deleteUser(deps: Deps, id: string): Promise<void> {
  await deps.db.batch([
    deps.db.delete(watchlist).where(eq(watchlist.userId, id)),
    deps.db.delete(progress).where(eq(progress.userId, id)),
    deps.db.delete(sessions).where(eq(sessions.userId, id)),
    deps.db.delete(apiTokens).where(eq(apiTokens.userId, id)),
    deps.db.update(movies).set({ ownerId: null }).where(eq(movies.ownerId, id)),
    deps.db.update(series).set({ ownerId: null }).where(eq(series.ownerId, id)),
    deps.db.update(invites).set({ createdBy: null }).where(eq(invites.createdBy, id)),
    deps.db.update(invites).set({ usedBy: null }).where(eq(invites.usedBy, id)),
    deps.db.delete(users).where(eq(users.id, id)),
  ])
}

/** What a user chose, with the defaults for what they did not (and without anything unknown). */
export function preferencesOf(stored: StoredPreferences | null): Preferences {
  const parsed = PreferencesSchema.partial().safeParse(stored ?? {})
  return { ...DEFAULT_PREFERENCES, ...(parsed.success ? parsed.data : {}) }
}

export async function getPreferences(deps: Deps, userId: string): Promise<Preferences> {
  const [row] = await deps.db
    .select({ preferences: users.preferences })
    .from(users)
    .where(eq(users.id, userId))
  return preferencesOf(row?.preferences ?? null)
}

/** Changes only the preferences given, in one statement (two tabs saving at once lose nothing). */
export async function updatePreferences(
  deps: Deps,
  userId: string,
  patch: UpdatePreferencesInput,
): Promise<Preferences> {
  const [row] = await deps.db
    .update(users)
    .set({ preferences: sql`json_patch(${users.preferences}, ${JSON.stringify(patch)})` })
    .where(eq(users.id, userId))
    .returning({ preferences: users.preferences })
  return preferencesOf(row?.preferences ?? null)
}
