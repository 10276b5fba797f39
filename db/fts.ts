/**
 * The FTS5 index over movies (created by migration 0001_search.sql, not by drizzle-kit, which
 * cannot declare virtual tables). Declared here only so queries can join it with types.
 * @module
 */
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'

export const moviesFts = sqliteTable('movies_fts', {
  /** = movies.seq */
  rowid: integer('rowid').notNull(),
  name: text('name').notNull(),
  description: text('description').notNull(),
})
