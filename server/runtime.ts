/**
 * The app's state in memory, in the open: the locks that order uploads against publishing, the
 * bytes promised to uploads still streaming, the /media lookup cache and the session cache. (The
 * sign-in limiter is in the database: services/rate-limits.ts.)
 * createApp builds one per app (two apps in one process share nothing), handlers reach it as
 * `c.var.runtime`, and the services that need it take it as an argument.
 *
 * It orders work within one process. Several Workers isolates each have their own, so there the
 * locks hold per isolate (README, "Known limits"); a Durable Object would be needed for more.
 * @module
 */
import { type AuthUser, clock, type Deps } from './env.ts'
import { type KeyedMutex, type KeyedRwLock, keyedMutex, keyedRwLock } from './lib/keyed-lock.ts'
import { type TtlCache, ttlCache } from './lib/ttl-cache.ts'
import type { ServableFile } from './services/files.ts'

export interface Runtime {
  /** Uploads and deletes hold a movie shared; publish holds it exclusively, so it sees a settled set of files. */
  movieLocks: KeyedRwLock
  /** One writer per `<movie>/<path>`, so a file's blob and its row always come from the same upload. */
  fileLocks: KeyedMutex
  /** Bytes promised to uploads still streaming, per movie, counted against the movie's limit. */
  reservations: Reservations
  /** Recent /media lookups of public files, by `<movie>/<path>`. */
  servable: TtlCache<ServableFile>
  /** When expired sessions and rate-limit windows were last swept (services/housekeeping.ts). */
  purgedAt: { value: number }
  /**
   * Recent session lookups, by cookie secret, for `config.sessionCacheMs`. Signing out drops its
   * entry; any change to an account (role, active, password, deletion) drops them all.
   */
  sessions: TtlCache<{ user: AuthUser; expiresAt: number }>
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

export function createRuntime(deps: Deps): Runtime {
  const now = clock(deps)
  return {
    movieLocks: keyedRwLock(),
    fileLocks: keyedMutex(),
    reservations: reservations(),
    servable: ttlCache({ ttlMs: PUBLIC_LOOKUP_TTL_MS, maxEntries: PUBLIC_LOOKUP_ENTRIES, now }),
    purgedAt: { value: 0 },
    sessions: ttlCache({ ttlMs: deps.config.sessionCacheMs, maxEntries: SESSION_ENTRIES, now }),
  }
}

export interface Reservations {
  /** Bytes currently promised to uploads into this movie. */
  held(movieId: string): number
  /** Promises `bytes` to one upload until the returned release is called. */
  hold(movieId: string, bytes: number): () => void
}

function reservations(): Reservations {
  const bytes = new Map<string, number>()
  return {
    held: (movieId) => bytes.get(movieId) ?? 0,
    hold(movieId, n) {
      bytes.set(movieId, (bytes.get(movieId) ?? 0) + n)
      return () => {
        const left = (bytes.get(movieId) ?? 0) - n
        if (left > 0) bytes.set(movieId, left)
        else bytes.delete(movieId)
      }
    },
  }
}
