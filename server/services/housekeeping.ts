/**
 * Keeping the database and storage tidy: expired sessions and rate-limit windows, and (Node, on a
 * timer) what crashed uploads leave behind. Run at start, on a timer by the Node entry, from the
 * Worker's cron trigger, and now and then by sign-ins.
 * @module
 */
import { purgeExpiredSessions } from '../auth/tokens.ts'
import { clock, type Deps } from '../env.ts'
import type { Runtime } from '../runtime.ts'
import { purgeLimits } from './rate-limits.ts'

/** At most one purge a minute per app, however many sign-ins ask for one. */
const PURGE_EVERY_MS = 60_000

/** Deletes expired sessions and ended rate-limit windows. */
export async function purgeExpired(deps: Deps): Promise<void> {
  await purgeExpiredSessions(deps)
  await purgeLimits(deps)
}

/** {@link purgeExpired}, unless this app did it less than a minute ago. */
export async function purgeExpiredNowAndThen(deps: Deps, runtime: Runtime): Promise<void> {
  const now = clock(deps)()
  if (now - runtime.purgedAt.value < PURGE_EVERY_MS && now >= runtime.purgedAt.value) return
  runtime.purgedAt.value = now
  await purgeExpired(deps)
}
