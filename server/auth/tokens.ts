/**
 * Sessions and API tokens: random secrets given to the client once, stored only as SHA-256.
 * What ends them (sign-out, a password change, an admin) is here too.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js'
import { and, eq, gt, isNull, lte, ne, or } from 'drizzle-orm'
import { apiTokens, sessions, TOKEN_SCOPES, type TokenScope, users } from '../../db/schema.ts'
import { type AuthUser, clock, currentDate, type Deps } from '../env.ts'
import { newId, randomToken } from '../lib/crypto.ts'
import type { Runtime } from '../runtime.ts'
import { readGeneration } from '../services/generations.ts'

export { SESSION_COOKIE } from './cookie.ts'

/** API tokens look like `adh_<8 id chars>_<32 secret chars>`; the prefix helps people find them in lists. */
export const TOKEN_PREFIX = 'adh_'

/** Longest User-Agent kept with a session: enough to recognise a browser, not a place to store data. */
const USER_AGENT_MAX = 200

/**
 * The SHA-256 a session or token is stored under. Computed in place (audited @noble/hashes):
 * Web Crypto's digest is a trip to a thread pool and back, which every signed-in request paid.
 */
export const secretHash = (secret: string): string => bytesToHex(sha256(utf8ToBytes(secret)))

export async function createSession(
  deps: Deps,
  userId: string,
  userAgent?: string,
): Promise<{ secret: string; expiresAt: Date }> {
  const secret = randomToken(43)
  const expiresAt = new Date(clock(deps)() + deps.config.sessionTtlMs)
  await deps.db.insert(sessions).values({
    id: secretHash(secret),
    userId,
    expiresAt,
    createdAt: currentDate(deps),
    userAgent: userAgent ? userAgent.slice(0, USER_AGENT_MAX) : null,
  })
  return { secret, expiresAt }
}

export async function deleteSession(deps: Deps, runtime: Runtime, secret: string): Promise<void> {
  runtime.sessions.delete(secret)
  await deps.db.delete(sessions).where(eq(sessions.id, secretHash(secret)))
}

/**
 * Ends the user's sessions, all of them or all but the one whose cookie is `keep`, and forgets
 * every cached lookup here at once (the cache is keyed by secret, which the database does not
 * know); the deletions move the auth generation, so other processes drop theirs at their next request.
 */
export async function endSessions(
  deps: Deps,
  runtime: Runtime,
  userId: string,
  opts: { keep?: string; id?: string } = {},
): Promise<number> {
  const ended = await deps.db
    .delete(sessions)
    .where(
      and(
        eq(sessions.userId, userId),
        opts.keep !== undefined ? ne(sessions.id, secretHash(opts.keep)) : undefined,
        opts.id !== undefined ? eq(sessions.id, opts.id) : undefined,
      ),
    )
    .returning({ id: sessions.id })
  runtime.sessions.clear()
  return ended.length
}

/** Revokes the user's tokens: all of them, or the one with this id. Returns how many were revoked. */
export async function revokeTokens(deps: Deps, userId: string, tokenId?: string): Promise<number> {
  const revoked = await deps.db
    .update(apiTokens)
    .set({ revokedAt: currentDate(deps) })
    .where(
      and(
        eq(apiTokens.userId, userId),
        isNull(apiTokens.revokedAt),
        tokenId !== undefined ? eq(apiTokens.id, tokenId) : undefined,
      ),
    )
    .returning({ id: apiTokens.id })
  return revoked.length
}

/** Deletes sessions that have expired (they are refused anyway; this keeps the table small). */
export async function purgeExpiredSessions(deps: Deps): Promise<void> {
  await deps.db.delete(sessions).where(lte(sessions.expiresAt, currentDate(deps)))
}

/**
 * The user a session cookie signs in, if the session is current and the user active. Recent
 * answers are kept in `runtime.sessions`: a player saving progress every 10 s would otherwise look
 * its session up every 10 s. A kept answer is used only while the auth generation (one row, moved
 * by triggers whenever a session is deleted or an account changes: migration 0005) is the one read
 * before it was looked up, so a sign-out in another server process counts here at the next request.
 */
export async function userForSession(deps: Deps, runtime: Runtime, secret: string): Promise<AuthUser | null> {
  const now = currentDate(deps)
  const caching = deps.config.sessionCacheMs > 0
  const generation = caching ? await readGeneration(deps, 'auth') : 0
  const cached = caching ? runtime.sessions.get(secret) : undefined
  if (cached && cached.generation === generation && cached.expiresAt > now.getTime()) return cached.user
  const [row] = await deps.db
    .select({ id: users.id, username: users.username, role: users.role, expiresAt: sessions.expiresAt })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, secretHash(secret)), gt(sessions.expiresAt, now), eq(users.active, true)))
    .limit(1)
  if (!row) return null
  const user: AuthUser = { id: row.id, username: row.username, role: row.role, via: 'session' }
  if (caching) runtime.sessions.set(secret, { user, expiresAt: row.expiresAt.getTime(), generation })
  return user
}

export interface NewToken {
  id: string
  token: string
  prefix: string
  scopes: TokenScope[]
  createdAt: Date
  expiresAt: Date | null
}

/**
 * @param opts.scopes what the token may do (default: everything, as tokens did before scopes)
 * @param opts.expiresAt when it stops working (default: never)
 */
export async function createApiToken(
  deps: Deps,
  userId: string,
  name: string,
  opts: { scopes?: readonly TokenScope[]; expiresAt?: Date | null } = {},
): Promise<NewToken> {
  const id = newId()
  const token = `${TOKEN_PREFIX}${id.slice(0, 8)}_${randomToken(32)}`
  const prefix = token.slice(0, TOKEN_PREFIX.length + 8)
  const createdAt = currentDate(deps)
  // Stored in the canonical order, without repeats.
  const scopes = TOKEN_SCOPES.filter((s) => (opts.scopes ?? TOKEN_SCOPES).includes(s))
  const expiresAt = opts.expiresAt ?? null
  await deps.db
    .insert(apiTokens)
    .values({ id, userId, name, tokenHash: secretHash(token), prefix, createdAt, scopes, expiresAt })
  return { id, token, prefix, scopes, createdAt, expiresAt }
}

/** A stored token's scopes: tokens from before scopes existed (null) may do everything. */
export const scopesOf = (stored: TokenScope[] | null): TokenScope[] => stored ?? [...TOKEN_SCOPES]

export async function userForToken(deps: Deps, token: string): Promise<AuthUser | null> {
  if (!token.startsWith(TOKEN_PREFIX)) return null
  const hash = secretHash(token)
  const now = currentDate(deps)
  const [row] = await deps.db
    .select({
      id: users.id,
      username: users.username,
      role: users.role,
      tokenId: apiTokens.id,
      scopes: apiTokens.scopes,
    })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(
      and(
        eq(apiTokens.tokenHash, hash),
        isNull(apiTokens.revokedAt),
        or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, now)),
        eq(users.active, true),
      ),
    )
    .limit(1)
  if (!row) return null
  await deps.db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.tokenId))
  return { id: row.id, username: row.username, role: row.role, via: 'token', scopes: scopesOf(row.scopes) }
}
