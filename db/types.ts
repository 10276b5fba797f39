/**
 * The database type the server works against: any async drizzle SQLite database built on our
 * schema, whichever driver made it (libSQL file, libSQL over HTTP, D1).
 * @module
 */
import type { BatchItem, BatchResponse } from 'drizzle-orm/batch'
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core'
import type * as schema from './schema.ts'

// biome-ignore lint/suspicious/noExplicitAny: the driver's run-result type differs per driver
export type Db = BaseSQLiteDatabase<'async', any, typeof schema> & {
  /**
   * Runs the statements in one transaction: all or none. Every driver has it (libSQL's and D1's
   * drizzle databases); on D1 and libSQL over HTTP it is also one round trip.
   */
  batch<U extends BatchItem<'sqlite'>, T extends Readonly<[U, ...U[]]>>(batch: T): Promise<BatchResponse<T>>
}
