/**
 * A user's watch list: movies and whole series, newest added first. Only the user's own list is
 * ever read or changed: every function takes the caller and keys on their id.
 * @module
 */
import { and, desc, eq, isNotNull, lt, or, sql } from 'drizzle-orm'
import { movies, series, watchlist } from '../../db/schema.ts'
import { type AuthUser, currentDate, type Deps } from '../env.ts'
import * as cursors from '../lib/cursor.ts'
import { ApiError } from '../lib/problem.ts'
import type {
  PageQuery,
  WatchlistEntryJson,
  WatchlistItemJson,
  WatchlistPage,
} from '../routes/me/me.schemas.ts'
import { seriesVisibleTo, visibleTo } from './access.ts'
import { describeMovies, findMovies } from './movies.ts'
import { describeSeries, findSeries } from './series.ts'

const notFound = (id: string) => new ApiError(404, 'not-found', `No movie or series with id "${id}".`)

/** What an id names, for this caller: a movie or a series they may see. */
async function itemKind(deps: Deps, user: AuthUser, id: string): Promise<'movie' | 'series'> {
  const [movie] = await deps.db
    .select({ id: movies.id })
    .from(movies)
    .where(and(eq(movies.id, id), visibleTo(user)))
    .limit(1)
  if (movie) return 'movie'
  const [found] = await deps.db
    .select({ id: series.id })
    .from(series)
    .where(and(eq(series.id, id), seriesVisibleTo(user)))
    .limit(1)
  if (found) return 'series'
  throw notFound(id)
}

const column = (kind: 'movie' | 'series') => (kind === 'movie' ? watchlist.movieId : watchlist.seriesId)

/**
 * Puts a movie or series the caller may see on their list. Idempotent: already there, it stays
 * where it was (`created: false`).
 * @throws ApiError 404 when the id names nothing the caller may see
 */
export async function addToWatchlist(
  deps: Deps,
  user: AuthUser,
  id: string,
): Promise<{ entry: WatchlistEntryJson; created: boolean }> {
  const kind = await itemKind(deps, user, id)
  const item = kind === 'movie' ? movies : series
  const at = (v: unknown, as: string) => sql`${v}`.as(as)
  // Inserted only while the item still exists (and is visible): one deleted since itemKind looked
  // is a 404, never a foreign-key error, nor an orphan row where the connection does not enforce
  // the keys (PRAGMA foreign_keys is per connection; libSQL over HTTP does not keep it).
  const inserted = await deps.db
    .insert(watchlist)
    .select(
      // Every column, in the table's order, from the item's row: none when it is gone.
      deps.db
        .select({
          seq: at(null, 'seq'),
          userId: at(user.id, 'user_id'),
          movieId: kind === 'movie' ? movies.id : at(null, 'movie_id'),
          seriesId: kind === 'series' ? series.id : at(null, 'series_id'),
          addedAt: at(currentDate(deps).getTime(), 'added_at'),
        })
        .from(item)
        .where(and(eq(item.id, id), kind === 'movie' ? visibleTo(user) : seriesVisibleTo(user))),
    )
    .onConflictDoNothing()
    .returning({ addedAt: watchlist.addedAt })
  const [row] = inserted.length
    ? inserted
    : await deps.db
        .select({ addedAt: watchlist.addedAt })
        .from(watchlist)
        .where(and(eq(watchlist.userId, user.id), eq(column(kind), id)))
  if (!row) throw notFound(id)
  return { entry: { id, kind, addedAt: row.addedAt.toISOString() }, created: inserted.length > 0 }
}

/** Takes a movie or series off the caller's list; idempotent (not there is fine). */
export async function removeFromWatchlist(deps: Deps, user: AuthUser, id: string): Promise<void> {
  await deps.db
    .delete(watchlist)
    .where(and(eq(watchlist.userId, user.id), or(eq(watchlist.movieId, id), eq(watchlist.seriesId, id))))
}

/**
 * The caller's list, newest added first. Items the caller can no longer see (hidden, unpublished)
 * are left out of the page but stay on the list, and show again when they are visible again.
 */
export async function listWatchlist(deps: Deps, user: AuthUser, query: PageQuery): Promise<WatchlistPage> {
  const conditions = [
    eq(watchlist.userId, user.id),
    or(
      and(isNotNull(watchlist.movieId), visibleTo(user)),
      and(isNotNull(watchlist.seriesId), seriesVisibleTo(user)),
    ),
  ]
  if (query.cursor) {
    const at = cursors.decodeCursor(query.cursor, (k) =>
      k.length === 2 && k[0] === 'added' && Number.isSafeInteger(k[1]) ? (k[1] as number) : null,
    )
    conditions.push(lt(watchlist.seq, at))
  }
  const rows = await deps.db
    .select({
      seq: watchlist.seq,
      movieId: watchlist.movieId,
      seriesId: watchlist.seriesId,
      addedAt: watchlist.addedAt,
    })
    .from(watchlist)
    .leftJoin(movies, eq(movies.id, watchlist.movieId))
    .leftJoin(series, eq(series.id, watchlist.seriesId))
    .where(and(...conditions))
    .orderBy(desc(watchlist.seq))
    .limit(query.limit + 1)
  const page = rows.slice(0, query.limit)
  const movieIds = page.flatMap((r) => (r.movieId ? [r.movieId] : []))
  const seriesIds = page.flatMap((r) => (r.seriesId ? [r.seriesId] : []))
  const [movieJson, seriesJson] = await Promise.all([
    findMovies(deps, user, movieIds).then((found) => describeMovies(deps, user, found)),
    findSeries(deps, user, seriesIds).then((found) => describeSeries(deps, user, found)),
  ])
  const moviesById = new Map(movieJson.map((m) => [m.id, m]))
  const seriesById = new Map(seriesJson.map((s) => [s.id, s]))
  const items = page.flatMap((r): WatchlistItemJson[] => {
    const addedAt = r.addedAt.toISOString()
    const movie = r.movieId ? moviesById.get(r.movieId) : undefined
    if (movie) return [{ kind: 'movie', addedAt, movie }]
    const found = r.seriesId ? seriesById.get(r.seriesId) : undefined
    return found ? [{ kind: 'series', addedAt, series: found }] : []
  })
  const last = page.at(-1)
  return {
    items,
    nextCursor: rows.length > query.limit && last ? cursors.encodeCursor(['added', last.seq]) : null,
  }
}
