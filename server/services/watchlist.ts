/**
 * A user's watch list: movies and whole series, newest added first. Only the user's own list is
 * ever read or changed: every function takes the caller and keys on their id.
 * @module
 */
import { and, desc, eq, isNotNull, lt, or } from 'drizzle-orm'
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
  const inserted = await deps.db
    .insert(watchlist)
    .values({
      userId: user.id,
      ...(kind === 'movie' ? { movieId: id } : { seriesId: id }),
      addedAt: currentDate(deps),
    })
    .onConflictDoNothing()
    .returning({ addedAt: watchlist.addedAt })
  const [row] = inserted.length
    ? inserted
    : await deps.db
        .select({ addedAt: watchlist.addedAt })
        .from(watchlist)
        .where(and(eq(watchlist.userId, user.id), eq(column(kind), id)))
  return { entry: { id, kind, addedAt: row!.addedAt.toISOString() }, created: inserted.length > 0 }
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
