/**
 * Configuration from environment variables (Node) or Worker vars, parsed by one zod schema that
 * fails loudly at start with the variable and the reason.
 * @module
 */
import { z } from 'zod'
import { type AppConfig, DEFAULT_CONFIG } from './env.ts'
import { SIGNUP_MODES } from './routes/auth/auth.schemas.ts'

const bytes = z
  .string()
  .regex(/^\d+(\.\d+)?\s*([kmgt]i?b?)?$/i, 'expected a size such as 268435456, 256MiB or 2GB')
  .transform((v) => {
    const m = /^(\d+(?:\.\d+)?)\s*([kmgt])?/i.exec(v)!
    const unit = { k: 1, m: 2, g: 3, t: 4 }[(m[2] ?? '').toLowerCase() as 'k'] ?? 0
    return Math.round(Number(m[1]) * 1024 ** unit)
  })

export const ConfigSchema = z.object({
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
  COOKIE_SECURE: z.enum(['auto', 'true', 'false']).default('auto'),
  SESSION_DAYS: z.coerce.number().positive().default(14),
  TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  SIGNUP: z.enum(SIGNUP_MODES).default(DEFAULT_CONFIG.signup),
  PRIVATE_CATALOG: z.enum(['true', 'false']).default('false'),
})

export type NodeConfig = z.infer<typeof ConfigSchema>

/** Parses the environment; throws an Error whose message lists every bad variable. */
export function parseConfig(env: Record<string, string | undefined>): NodeConfig {
  const result = ConfigSchema.safeParse(env)
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`)
  }
  return result.data
}

export function appConfig(c: NodeConfig): AppConfig {
  return {
    ...DEFAULT_CONFIG,
    maxFileBytes: c.MAX_FILE_SIZE,
    maxMovieBytes: c.MAX_MOVIE_SIZE,
    secureCookies: c.COOKIE_SECURE === 'auto' ? 'auto' : c.COOKIE_SECURE === 'true',
    sessionTtlMs: c.SESSION_DAYS * 24 * 3600 * 1000,
    signup: c.SIGNUP,
    privateCatalog: c.PRIVATE_CATALOG === 'true',
  }
}
