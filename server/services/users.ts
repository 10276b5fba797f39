/**
 * Accounts: creating users, checking passwords, and the login rate limiter.
 * @module
 */
import { eq } from 'drizzle-orm'
import { type User, users } from '../../db/schema.ts'
import { currentDate, type Deps } from '../env.ts'
import { newId } from '../lib/crypto.ts'
import { validationFailed } from '../lib/errors.ts'
import { ApiError } from '../lib/problem.ts'
import {
  type CreateUserInput,
  PASSWORD_MAX,
  PASSWORD_MIN,
  USERNAME_RE,
  type UserJson,
} from '../routes/users/users.schemas.ts'

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
 * Fixed-window counter of failed sign-ins per key (username + client address). In memory: on
 * one Node process that is exact; on Workers it is per isolate, a speed bump rather than a wall.
 */
export function createLoginLimiter(max: number, windowMs: number, now: () => number = Date.now) {
  const failures = new Map<string, { count: number; resetAt: number }>()
  return {
    /** Seconds until the key may try again, or 0 when it may now. */
    retryAfter(key: string): number {
      const entry = failures.get(key)
      if (!entry) return 0
      if (entry.resetAt <= now()) {
        failures.delete(key)
        return 0
      }
      return entry.count >= max ? Math.ceil((entry.resetAt - now()) / 1000) : 0
    },
    fail(key: string) {
      const entry = failures.get(key)
      if (!entry || entry.resetAt <= now()) failures.set(key, { count: 1, resetAt: now() + windowMs })
      else entry.count++
      // Bound memory under a spray of usernames: forget expired windows.
      if (failures.size > 10_000) {
        for (const [k, v] of failures) if (v.resetAt <= now()) failures.delete(k)
      }
    },
    succeed(key: string) {
      failures.delete(key)
    },
  }
}

export type LoginLimiter = ReturnType<typeof createLoginLimiter>
