/**
 * The app's state in memory, in the open: the /media lookup cache, the session cache and when
 * expired rows were last swept. createApp builds one per app (two apps in one process share
 * nothing), handlers reach it as `c.var.runtime`, and the services that need it take it as an argument.
 *
 * Nothing here may decide anything another process must agree with: with WEB_CONCURRENCY server
 * processes (or Workers isolates) each has its own. What must be shared lives in the database:
 * who is writing which file and the bytes promised to uploads in flight (services/leases.ts),
 * a publish's state transition (services/publish.ts), the sign-in and sign-up rate limits
 * (services/rate-limits.ts). The caches here only keep answers that are true for everyone for a
 * bounded time (the /media lookup, one second) or that each process checks against the database
 * (sessions: auth/tokens.ts; anonymous catalog answers: services/catalog-cache.ts).
 * @module
 */
import { type AuthUser, clock, type Deps } from './env.ts'
import { type TtlCache, ttlCache } from './lib/ttl-cache.ts'
import type { ServableFile } from './services/files.ts'

/** A session lookup kept by `Runtime.sessions`. */
export interface CachedSession {
  user: AuthUser
  expiresAt: number
  /** The auth generation (db/schema.ts, authGeneration) read before the lookup. */
  generation: number
}

export interface Runtime {
  /** Recent /media lookups of public files, by `<movie>/<path>`. */
  servable: TtlCache<ServableFile>
  /** When expired sessions and rate-limit windows were last swept (services/housekeeping.ts). */
  purgedAt: { value: number }
  /**
   * Recent session lookups, by cookie secret, for `config.sessionCacheMs`, each valid only while
   * the database's auth generation is the one it was read under (auth/tokens.ts), so a sign-out or
   * an account change in any process ends it. Signing out here also drops its entry at once.
   */
  sessions: TtlCache<CachedSession>
  /**
   * Catalog answers given to anonymous callers, by request (services/catalog-cache.ts), each
   * reused only while the database's catalog generation is the one it was made under.
   */
  catalog: TtlCache<CachedAnswer>
}

/** A catalog answer kept by `Runtime.catalog`, with the catalog generation read before it was made. */
export interface CachedAnswer {
  generation: number
  value: unknown
}

/**
 * How long a public file's lookup is reused. A player fetches segments back to back and a popular
 * movie has many players, so without this every segment costs a database query. Files of a
 * published movie never change; hiding or deleting the movie reaches /media within this time
 * (browsers and CDNs keep the manifest far longer anyway).
 */
export const PUBLIC_LOOKUP_TTL_MS = 1000
const PUBLIC_LOOKUP_ENTRIES = 10_000
const SESSION_ENTRIES = 10_000
/** Catalog answers: a page of 20 movies is about 15 KB of objects, so at most a few MB per process. */
const CATALOG_ENTRIES = 500
const CATALOG_TTL_MS = 60_000

export function createRuntime(deps: Deps): Runtime {
  const now = clock(deps)
  return {
    servable: ttlCache({ ttlMs: PUBLIC_LOOKUP_TTL_MS, maxEntries: PUBLIC_LOOKUP_ENTRIES, now }),
    purgedAt: { value: 0 },
    sessions: ttlCache({ ttlMs: deps.config.sessionCacheMs, maxEntries: SESSION_ENTRIES, now }),
    catalog: ttlCache({ ttlMs: CATALOG_TTL_MS, maxEntries: CATALOG_ENTRIES, now }),
  }
}
