/**
 * Who may see and change what, in one place for movies and series: the rules as SQL conditions
 * (for queries) and as predicates (for rows already loaded).
 *
 * - anonymous callers and viewers: published, active movies, and the series that have one;
 * - uploaders: that, plus their own movies and series (drafts included), which they may change;
 * - admins: everything.
 * @module
 */
import { and, eq, or, type SQL, sql } from 'drizzle-orm'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import { movies, series } from '../../db/schema.ts'
import type { AuthUser } from '../env.ts'
import { forbidden } from '../lib/errors.ts'

/** The columns visibility is decided on: the movies table, or an alias of it. */
export interface MovieColumns {
  status: SQLiteColumn
  active: SQLiteColumn
  ownerId: SQLiteColumn
}

/** Published and active: what everyone may see. */
export const published = (t: MovieColumns = movies): SQL => and(eq(t.status, 'ready'), eq(t.active, true))!

/** The movies the caller may see, as a condition on `t` (undefined: all of them). */
export function visibleTo(user: AuthUser | null, t: MovieColumns = movies): SQL | undefined {
  if (user?.role === 'admin') return undefined
  if (user?.role === 'uploader') return or(published(t), eq(t.ownerId, user.id))
  return published(t)
}

/** Admins change everything, uploaders what they own, viewers nothing (not even what they once owned). */
export function canWrite(user: AuthUser, item: { ownerId: string | null }): boolean {
  return user.role === 'admin' || (user.role === 'uploader' && item.ownerId === user.id)
}

/** Viewers watch; only uploaders and admins add movies and series. */
export function requireUploader(user: AuthUser, what: string): void {
  if (user.role === 'viewer') throw forbidden(`Viewers cannot ${what}; ask an admin for an uploader account.`)
}

/**
 * The series the caller may see, as a condition on `series`: those with an episode the caller
 * may see, and for an uploader also their own (empty ones included).
 */
export function seriesVisibleTo(user: AuthUser | null): SQL | undefined {
  if (user?.role === 'admin') return undefined
  const episode = sql`select 1 from ${movies} where ${movies.seriesId} = ${series.id}`
  const seen = visibleTo(user)
  const hasEpisode = sql`exists (${episode} and ${seen})`
  return user?.role === 'uploader' ? or(eq(series.ownerId, user.id), hasEpisode) : hasEpisode
}

/**
 * `column IN (values)` with the values as one JSON parameter, so a list of any length is one
 * bound parameter (D1 allows 100 per statement) and the statement text is the same every time.
 */
export const inList = (column: SQLiteColumn, values: readonly string[]): SQL =>
  sql`${column} in (select value from json_each(${JSON.stringify(values)}))`
