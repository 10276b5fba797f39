/**
 * Rate limits on guessing (sign-in, sign-up, password changes), kept in the database so every
 * server process and every Workers isolate counts against the same numbers.
 *
 * An attempt is recorded before its password is checked, in one statement for all of its keys,
 * and refused when any key is over its limit: a burst of parallel guesses cannot all slip through
 * while the first ones are still hashing. A success (or an attempt the server could not check)
 * gives its count back, so only failures use up a budget. Each key has a fixed window.
 * @module
 */
import { lte, sql } from 'drizzle-orm'
import { authLimits } from '../../db/schema.ts'
import { clock, type Deps } from '../env.ts'
import { ApiError } from '../lib/problem.ts'
import { inList } from './access.ts'

export interface Limit {
  /** What is counted, e.g. `login:alice|203.0.113.7`. */
  key: string
  /** Attempts allowed in the window. */
  max: number
  /**
   * A success starts this key over (the username from this address, after its right password);
   * other keys give back just the one attempt, since others' failures fill them too.
   */
  reset?: boolean
}

/**
 * The limits a sign-in counts against: the username from this address, the address whatever the
 * username, and everybody together (guesses spread over many addresses).
 */
export function signInLimits(deps: Deps, username: string, address: string): Limit[] {
  const c = deps.config
  return [
    { key: `login:${username.toLowerCase()}|${address}`, max: c.loginMaxAttempts, reset: true },
    { key: `login-address:${address}`, max: c.loginMaxPerAddress },
    { key: 'login-global', max: c.loginMaxGlobal },
  ]
}

/**
 * Counts one attempt against every limit, or refuses it (429 with Retry-After) when one of them
 * has no attempts left. The attempt stays counted either way until {@link forgive} gives it back.
 * @param what plural noun for the message, e.g. `sign-ins`
 */
export async function recordAttempt(deps: Deps, limits: readonly Limit[], what: string): Promise<void> {
  const now = clock(deps)()
  const fresh = now + deps.config.loginWindowMs
  const rows = await deps.db
    .insert(authLimits)
    .values(limits.map((l) => ({ key: l.key, count: 1, resetAt: new Date(fresh) })))
    .onConflictDoUpdate({
      target: authLimits.key,
      set: {
        // An expired window starts again at this attempt.
        count: sql`case when ${authLimits.resetAt} <= ${now} then 1 else ${authLimits.count} + 1 end`,
        resetAt: sql`case when ${authLimits.resetAt} <= ${now} then excluded.reset_at else ${authLimits.resetAt} end`,
      },
    })
    .returning()
  const over = rows.filter((r) => r.count > (limits.find((l) => l.key === r.key)?.max ?? 0))
  if (over.length === 0) return
  const wait = Math.max(1, Math.ceil((Math.max(...over.map((r) => r.resetAt.getTime())) - now) / 1000))
  throw new ApiError(
    429,
    'too-many-attempts',
    `Too many failed ${what}. Try again in ${Math.ceil(wait / 60)} minute(s).`,
    {},
    { 'retry-after': String(wait) },
  )
}

/**
 * Gives an attempt back: `reset` keys start over (the username from this address, after its
 * right password), `decrement` keys lose one count (the shared budgets, which others' failures
 * also fill).
 */
export async function forgive(
  deps: Deps,
  opts: { reset?: readonly string[]; decrement?: readonly string[] },
): Promise<void> {
  if (opts.reset?.length) await deps.db.delete(authLimits).where(inList(authLimits.key, opts.reset))
  if (opts.decrement?.length) {
    await deps.db
      .update(authLimits)
      .set({ count: sql`max(${authLimits.count} - 1, 0)` })
      .where(inList(authLimits.key, opts.decrement))
  }
}

/**
 * Runs `check` as one attempt against `limits`: recorded first, given back when `check` succeeds
 * or could not be decided (the server was busy), kept when it fails.
 * @param succeeded whether `check`'s result is a success
 */
export async function limited<T>(
  deps: Deps,
  limits: readonly Limit[],
  what: string,
  check: () => Promise<T>,
  succeeded: (result: T) => boolean,
): Promise<T> {
  await recordAttempt(deps, limits, what)
  const keys = (reset: boolean) => limits.filter((l) => (l.reset ?? false) === reset).map((l) => l.key)
  let result: T
  try {
    result = await check()
  } catch (err) {
    // Not a failed guess: the password was never compared (503, or the database went away).
    if (!(err instanceof ApiError) || err.status >= 500)
      await forgive(deps, { decrement: limits.map((l) => l.key) })
    throw err
  }
  if (succeeded(result)) await forgive(deps, { reset: keys(true), decrement: keys(false) })
  return result
}

/** Forgets windows that have ended. */
export async function purgeLimits(deps: Deps): Promise<void> {
  await deps.db.delete(authLimits).where(lte(authLimits.resetAt, new Date(clock(deps)())))
}
