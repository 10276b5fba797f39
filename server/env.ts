/**
 * The Hono environment every router shares: dependencies, the app's runtime state and the
 * caller, on `c.var`.
 * @module
 */
import type { Context } from 'hono'
import type { Role, TokenScope } from '../db/schema.ts'
import type { Db } from '../db/types.ts'
import type { PasswordHasher } from './auth/password.ts'
import type { AbrRule } from './lib/abr.ts'
import type { Logger } from './lib/log.ts'
import type { AppMetrics, SentCallback } from './lib/observe.ts'
import type { SignupMode } from './routes/auth/auth.schemas.ts'
import type { Runtime } from './runtime.ts'
import type { BlobStore } from './storage/blob-store.ts'

export interface AppConfig {
  /** Largest single file an upload may send, in bytes. */
  maxFileBytes: number
  /** Largest total of a movie's files, in bytes. */
  maxMovieBytes: number
  /**
   * How long an upload's, delete's or publish's claim on a file (server/services/leases.ts)
   * outlives its last renewal: how soon the files of a process that died mid-upload may be written
   * again. Live holders renew every third of it.
   */
  leaseMs: number
  /** Most files a movie may have (segments, manifests, posters, subtitles). */
  maxMovieFiles: number
  /** Largest total of the files of all the movies a user owns, in bytes; 0: no quota. */
  userQuotaBytes: number
  /**
   * Uploads must declare their Content-Length (411 otherwise). On Workers a body of unknown length
   * would be read whole into the isolate's memory before R2 takes it; Node streams it to storage.
   */
  uploadsNeedLength: boolean
  /** `auto`: Secure (and `__Host-` prefixed) cookies when the request came over HTTPS (see `Deps.isHttps`). */
  secureCookies: 'auto' | boolean
  /** How long a sign-in lasts. */
  sessionTtlMs: number
  /**
   * How long a session lookup is reused (0: never). Within one process signing out and account
   * changes take effect at once; processes that cannot tell each other (Workers isolates) set 0.
   */
  sessionCacheMs: number
  /** Failed sign-ins allowed per username and client address in `loginWindowMs`. */
  loginMaxAttempts: number
  /** Failed sign-ins allowed per client address, whatever the usernames, in `loginWindowMs`. */
  loginMaxPerAddress: number
  /** Failed sign-ins allowed in all, from everywhere, in `loginWindowMs`: guesses spread over many addresses. */
  loginMaxGlobal: number
  loginWindowMs: number
  /**
   * Password hashes computed at once by one process, and how many more may wait for a turn (the rest
   * are answered 503). scrypt runs in the same thread pool as file reads and writes.
   */
  passwordHashConcurrency: number
  passwordHashQueue: number
  /** Who may create an account through POST /api/auth/signup (admins always can, directly). */
  signup: SignupMode
  /** Everything but signing in and up (catalog, series, /media) needs an account. */
  privateCatalog: boolean
  /** The adaptive-bitrate rule players start with (viewers may pick another in the stats panel). */
  abrRule: AbrRule
}

export const DEFAULT_CONFIG: AppConfig = {
  maxFileBytes: 256 * 1024 * 1024,
  maxMovieBytes: 20 * 1024 * 1024 * 1024,
  // A two-hour film in 2 s segments at six renditions and three audio tracks is about 32,000
  // files; the 4 s segments the encoder uses for sources over 30 minutes halve that.
  maxMovieFiles: 20_000,
  leaseMs: 60_000,
  userQuotaBytes: 0,
  uploadsNeedLength: false,
  secureCookies: 'auto',
  sessionTtlMs: 14 * 24 * 3600 * 1000,
  sessionCacheMs: 60_000,
  loginMaxAttempts: 10,
  loginMaxPerAddress: 50,
  loginMaxGlobal: 500,
  loginWindowMs: 15 * 60 * 1000,
  passwordHashConcurrency: 2,
  passwordHashQueue: 16,
  signup: 'invite',
  privateCatalog: false,
  // The measured best of the four on the whole of bench:abr (BENCHMARKS.md, "HLS and ABR rules").
  abrRule: 'dynamic',
}

/** Everything the app needs from the outside world; entries and tests differ only here. */
export interface Deps {
  db: Db
  blobs: BlobStore
  passwords: PasswordHasher
  config: AppConfig
  /** Wall clock, injectable so tests can move time. */
  now?: () => number
  /** The caller's network address where the runtime knows it (rate limiting keys on it). */
  clientIp?: (c: Context) => string | undefined
  /**
   * The address of the connection itself, proxies or not: /metrics is open to loopback callers
   * that no proxy relayed.
   */
  peerAddress?: (c: Context) => string | undefined
  /** Access log and errors; without it, warnings and errors go to the console. */
  log?: Logger
  /** Prometheus metrics (Node); without them there is no /metrics. */
  metrics?: AppMetrics
  /** A bearer token that opens /metrics to callers from anywhere. */
  metricsToken?: string
  /**
   * Calls `done` once the response has been sent to the end (with the bytes it took) or the client
   * went away; without it the access log is written when the response is built.
   */
  whenSent?: (c: Context, done: SentCallback) => void
  /**
   * Whether the request reached us over HTTPS: the connection itself, or a trusted proxy's
   * X-Forwarded-Proto. Without it, the request URL's scheme decides (right on Workers).
   */
  isHttps?: (c: Context) => boolean
}

/** The wall clock the app decides by (expiry, timestamps, cache ages): `deps.now`, else the real one. */
export const clock = (deps: Deps): (() => number) => deps.now ?? Date.now

/** Now, by {@link clock}, as a Date. */
export const currentDate = (deps: Deps): Date => new Date(clock(deps)())

export interface AuthUser {
  id: string
  username: string
  role: Role
  /** How the caller proved who they are. */
  via: 'session' | 'token'
  /** What a token may do (see TOKEN_SCOPES); sessions may do everything the role allows. */
  scopes?: readonly TokenScope[]
}

export interface AppEnv {
  Variables: {
    deps: Deps
    /** Built by createApp from `deps`: locks, reservations, caches, the login limiter. */
    runtime: Runtime
    user: AuthUser | null
    /** This request's id (x-request-id, problem bodies' `instance`, the access log). */
    requestId: string
    /** The handler put the request id in its own headers already (the /media hot path). */
    requestIdSent: boolean
  }
}
