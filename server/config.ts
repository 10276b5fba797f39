/**
 * Configuration from environment variables (Node) or Worker vars, parsed by one zod schema that
 * fails loudly at start with the variable and the reason.
 * @module
 */
import { z } from 'zod'
import { type AppConfig, DEFAULT_CONFIG } from './env.ts'
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from './http-limits.ts'
import { ABR_RULES } from './lib/abr.ts'
import { LOG_LEVELS } from './lib/log.ts'
import { SIGNUP_MODES } from './routes/auth/auth.schemas.ts'
import type { SweepSettings } from './services/housekeeping.ts'
import type { S3Settings } from './storage/s3.ts'

const bytes = z
  .string()
  .regex(/^\d+(\.\d+)?\s*([kmgt]i?b?)?$/i, 'expected a size such as 268435456, 256MiB or 2GB')
  .transform((v) => {
    const m = /^(\d+(?:\.\d+)?)\s*([kmgt])?/i.exec(v)!
    const unit = { k: 1, m: 2, g: 3, t: 4 }[(m[2] ?? '').toLowerCase() as 'k'] ?? 0
    return Math.round(Number(m[1]) * 1024 ** unit)
  })

/** An optional variable; set but empty (as compose files often pass them) counts as unset. */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional())

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' })

export const ConfigSchema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATABASE_URL: z
      .string()
      .regex(
        /^(file:|libsql:|https?:|wss?:|:memory:$)/,
        'expected file:PATH, libsql://…, http(s)://… or :memory:',
      )
      .default('file:data/app.db'),
    DATABASE_AUTH_TOKEN: z.string().optional(),
    MEDIA_DIR: z.string().min(1).default('data/media'),
    CLIENT_DIR: z.string().min(1).default('dist/client'),
    MAX_FILE_SIZE: bytes.default(DEFAULT_CONFIG.maxFileBytes),
    MAX_MOVIE_SIZE: bytes.default(DEFAULT_CONFIG.maxMovieBytes),
    MAX_MOVIE_FILES: z.coerce.number().int().min(1).default(DEFAULT_CONFIG.maxMovieFiles),
    // Bytes of all the movies a user owns; 0 (the default): no quota.
    USER_QUOTA_BYTES: bytes.default(DEFAULT_CONFIG.userQuotaBytes),
    COOKIE_SECURE: z.enum(['auto', 'true', 'false']).default('auto'),
    SESSION_DAYS: z.coerce.number().positive().default(14),
    // How many reverse proxies in front of the server append to X-Forwarded-For: `true` is one.
    TRUST_PROXY: z
      .string()
      .regex(/^(true|false|\d)$/, 'expected false, true (one proxy) or the number of proxies in front (0-9)')
      .default('false')
      .transform((v) => (v === 'true' ? 1 : v === 'false' ? 0 : Number(v))),
    // Media in an S3-compatible bucket instead of MEDIA_DIR (Node). The AWS_* names are the ones
    // every S3 tool reads.
    MEDIA_URL: optional(
      z
        .string()
        .regex(
          /^s3:\/\/[a-zA-Z0-9][a-zA-Z0-9.-]{1,61}[a-zA-Z0-9](\/[A-Za-z0-9!_.*'()/-]*)?$/,
          'expected s3://BUCKET or s3://BUCKET/PREFIX',
        ),
    ),
    S3_ENDPOINT: optional(httpUrl),
    AWS_ENDPOINT_URL_S3: optional(httpUrl),
    AWS_ENDPOINT_URL: optional(httpUrl),
    S3_PUBLIC_ENDPOINT: optional(httpUrl),
    S3_FORCE_PATH_STYLE: optional(z.enum(['true', 'false'])),
    AWS_REGION: optional(z.string().regex(/^[a-z0-9-]+$/, 'expected a region such as us-east-1 or auto')),
    AWS_DEFAULT_REGION: optional(
      z.string().regex(/^[a-z0-9-]+$/, 'expected a region such as us-east-1 or auto'),
    ),
    AWS_ACCESS_KEY_ID: optional(z.string()),
    AWS_SECRET_ACCESS_KEY: optional(z.string()),
    AWS_SESSION_TOKEN: optional(z.string()),
    S3_SERVE: z.enum(['proxy', 'redirect']).default('proxy'),
    // S3 presigns for at most 7 days.
    S3_PRESIGN_SECONDS: z.coerce.number().int().min(1).max(604_800).default(300),
    SIGNUP: z.enum(SIGNUP_MODES).default(DEFAULT_CONFIG.signup),
    PRIVATE_CATALOG: z.enum(['true', 'false']).default('false'),
    ABR_RULE: z.enum(ABR_RULES).default(DEFAULT_CONFIG.abrRule),
    // Running it for real (Node): README, "Running it in production".
    LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
    METRICS_TOKEN: optional(z.string().min(16, 'expected at least 16 characters')),
    SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(0).max(3600).default(30),
    // Unset: one process per core. 1: a single process, no cluster.
    WEB_CONCURRENCY: optional(z.coerce.number().int().min(1).max(256)),
    // Node's HTTP server (see http-server.node.ts), in seconds; 0: no limit where one is allowed.
    HTTP_HEADERS_TIMEOUT: z.coerce
      .number()
      .positive()
      .default(DEFAULT_HTTP_LIMITS.headersTimeoutMs / 1000),
    HTTP_REQUEST_TIMEOUT: z.coerce
      .number()
      .min(0)
      .default(DEFAULT_HTTP_LIMITS.requestTimeoutMs / 1000),
    HTTP_SOCKET_TIMEOUT: z.coerce
      .number()
      .min(0)
      .default(DEFAULT_HTTP_LIMITS.socketTimeoutMs / 1000),
    HTTP_KEEPALIVE_TIMEOUT: z.coerce
      .number()
      .positive()
      .default(DEFAULT_HTTP_LIMITS.keepAliveTimeoutMs / 1000),
    // How soon the files of a process that died mid-upload may be written again (see leases.ts).
    UPLOAD_LEASE_SECONDS: z.coerce
      .number()
      .min(1)
      .max(3600)
      .default(DEFAULT_CONFIG.leaseMs / 1000),
    // The storage sweep (services/housekeeping.ts): at start, then every SWEEP_INTERVAL_SECONDS
    // (0: only at start); temporary files of uploads older than SWEEP_STALE_SECONDS that no live
    // upload holds go; blobs without a row go ORPHAN_GRACE_SECONDS after they are first seen.
    SWEEP_INTERVAL_SECONDS: z.coerce.number().min(0).default(3600),
    SWEEP_STALE_SECONDS: z.coerce.number().min(0).default(3600),
    ORPHAN_GRACE_SECONDS: z.coerce.number().min(0).default(86_400),
    HTTP_MAX_CONNECTIONS: z.coerce.number().int().positive().default(DEFAULT_HTTP_LIMITS.maxConnections),
  })
  .superRefine((c, ctx) => {
    for (const [given, missing] of [
      ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'],
      ['AWS_SECRET_ACCESS_KEY', 'AWS_ACCESS_KEY_ID'],
    ] as const) {
      if (c[given] !== undefined && c[missing] === undefined) {
        ctx.addIssue({ code: 'custom', path: [missing], message: `required when ${given} is set` })
      }
    }
  })

export type NodeConfig = z.infer<typeof ConfigSchema>

/**
 * MAX_FILE_SIZE on Workers when wrangler.toml does not set it. Cloudflare refuses request bodies
 * over 100 MB on the Free and Pro plans (200 MB Business, 500 MB Enterprise) with its own 413 page,
 * before the Worker sees them; 95 MiB stays under that however the megabytes are counted. (Here,
 * not in entry.worker.ts: workerd takes every export of the Worker's module for an entrypoint.)
 */
export const WORKER_MAX_FILE_SIZE = '95MiB'

/** Where the Node server keeps media: a folder, or an S3-compatible bucket. */
export type MediaStorage = { kind: 'fs'; dir: string } | ({ kind: 's3' } & S3Settings)

export function mediaStorage(c: NodeConfig): MediaStorage {
  if (!c.MEDIA_URL) return { kind: 'fs', dir: c.MEDIA_DIR }
  const [bucket = '', ...rest] = c.MEDIA_URL.slice('s3://'.length).split('/')
  const path = rest.filter((s) => s !== '').join('/')
  const endpoint = c.S3_ENDPOINT ?? c.AWS_ENDPOINT_URL_S3 ?? c.AWS_ENDPOINT_URL
  const publicEndpoint = c.S3_PUBLIC_ENDPOINT
  return {
    kind: 's3',
    bucket,
    prefix: path ? `${path}/` : '',
    region: c.AWS_REGION ?? c.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(endpoint ? { endpoint } : {}),
    ...(publicEndpoint ? { publicEndpoint } : {}),
    // Self-hosted servers rarely have a DNS name per bucket; AWS wants virtual-hosted names.
    forcePathStyle: c.S3_FORCE_PATH_STYLE ? c.S3_FORCE_PATH_STYLE === 'true' : endpoint !== undefined,
    ...(c.AWS_ACCESS_KEY_ID && c.AWS_SECRET_ACCESS_KEY
      ? {
          credentials: {
            accessKeyId: c.AWS_ACCESS_KEY_ID,
            secretAccessKey: c.AWS_SECRET_ACCESS_KEY,
            ...(c.AWS_SESSION_TOKEN ? { sessionToken: c.AWS_SESSION_TOKEN } : {}),
          },
        }
      : {}),
    serve: c.S3_SERVE,
    presignSeconds: c.S3_PRESIGN_SECONDS,
  }
}

/** Parses the environment; throws an Error whose message lists every bad variable. */
export function parseConfig(env: Record<string, string | undefined>): NodeConfig {
  const result = ConfigSchema.safeParse(env)
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`)
  }
  return result.data
}

/** The Node HTTP server's limits from HTTP_* (seconds in the environment, milliseconds here). */
export function httpLimits(c: NodeConfig): HttpLimits {
  return {
    headersTimeoutMs: c.HTTP_HEADERS_TIMEOUT * 1000,
    requestTimeoutMs: c.HTTP_REQUEST_TIMEOUT * 1000,
    socketTimeoutMs: c.HTTP_SOCKET_TIMEOUT * 1000,
    keepAliveTimeoutMs: c.HTTP_KEEPALIVE_TIMEOUT * 1000,
    maxConnections: c.HTTP_MAX_CONNECTIONS,
  }
}

/** The storage sweep's thresholds from SWEEP_* and ORPHAN_GRACE_SECONDS. */
export function sweepSettings(c: NodeConfig): SweepSettings {
  return { staleMs: c.SWEEP_STALE_SECONDS * 1000, orphanGraceMs: c.ORPHAN_GRACE_SECONDS * 1000 }
}

export function appConfig(c: NodeConfig): AppConfig {
  return {
    ...DEFAULT_CONFIG,
    maxFileBytes: c.MAX_FILE_SIZE,
    maxMovieBytes: c.MAX_MOVIE_SIZE,
    maxMovieFiles: c.MAX_MOVIE_FILES,
    leaseMs: c.UPLOAD_LEASE_SECONDS * 1000,
    userQuotaBytes: c.USER_QUOTA_BYTES,
    secureCookies: c.COOKIE_SECURE === 'auto' ? 'auto' : c.COOKIE_SECURE === 'true',
    sessionTtlMs: c.SESSION_DAYS * 24 * 3600 * 1000,
    signup: c.SIGNUP,
    privateCatalog: c.PRIVATE_CATALOG === 'true',
    abrRule: c.ABR_RULE,
  }
}
