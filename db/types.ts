/**
 * The database type the server works against: any async drizzle SQLite database built on our
 * schema, whichever driver made it (libSQL file, libSQL over HTTP, D1).
 * @module
 */
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core'
import type * as schema from './schema.ts'

// biome-ignore lint/suspicious/noExplicitAny: the driver's run-result type differs per driver
export type Db = BaseSQLiteDatabase<'async', any, typeof schema>
