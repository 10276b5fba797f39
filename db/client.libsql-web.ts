/**
 * libSQL over HTTP (Turso or `sqld`) through `@libsql/client/web`, which needs only `fetch`, for
 * the Worker. Migrations are applied from a machine with Node (`npm run deploy`), not here.
 * @module
 */
import { createClient } from '@libsql/client/web'
import { drizzle } from 'drizzle-orm/libsql/web'
import * as schema from './schema.ts'
import type { Db } from './types.ts'

export interface LibsqlWebOptions {
  /** `libsql://…` or `https://…` (`http://` for a local sqld). */
  url: string
  authToken?: string
}

/**
 * @example const db = libsqlWebDb({ url: env.LIBSQL_URL, authToken: env.LIBSQL_AUTH_TOKEN })
 */
export function libsqlWebDb(opts: LibsqlWebOptions): Db {
  const client = createClient({ url: opts.url, ...(opts.authToken ? { authToken: opts.authToken } : {}) })
  return drizzle(client, { schema }) as unknown as Db
}
