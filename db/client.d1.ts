/**
 * Cloudflare D1 driver, for the Worker (`env.DB`). The schema and migrations are the same as
 * libSQL's; wrangler applies them (`wrangler d1 migrations apply`), never the Worker itself.
 * @module
 */
import { type AnyD1Database, drizzle } from 'drizzle-orm/d1'
import * as schema from './schema.ts'
import type { Db } from './types.ts'

/**
 * @example const db = d1Db(env.DB)
 */
export function d1Db(binding: AnyD1Database): Db {
  return drizzle(binding, { schema }) as unknown as Db
}
