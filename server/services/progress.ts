/**
 * Where each user is in each movie: saving positions (idempotent, from the player), marking
 * watched or unwatched, history, and the "Continue watching" row. Only the user's own rows are
 * ever read: every function takes the caller and keys on their id.
 * @module
 */
import { and, desc, eq, gte, sql } from 'drizzle-orm'
import { movies, type Progress, progress } from '../../db/schema.ts'
import { type AuthUser, currentDate, type Deps } from '../env.ts'
import * as cursors from '../lib/cursor.ts'
import { movieNotFound } from '../lib/errors.ts'
import { ApiError } from '../lib/problem.ts'
import type {
  ContinueItemJson,
  ProgressPage,
  ProgressQuery,
  SaveProgressInput,
} from '../routes/me/me.schemas.ts'
import type { ProgressJson } from '../routes/movies/movies.schemas.ts'
import { visibleTo } from './access.ts'
import { bySeries, episodesOf } from './episodes.ts'
import { describeMovies, findMovies } from './movies.ts'
import { isCompleted, isInProgress, nextToWatch, progressToJson, RESUME_FROM_SECONDS } from './watch-state.ts'

export const progressNotFound = (movieId: string) =>
  new ApiError(404, 'progress-not-found', `You have no progress on movie "${movieId}".`)

/** The duration of a movie the caller may see (null until published), or a 404. */
async function visibleDuration(deps: Deps, user: AuthUser, movieId: string): Promise<number | null> {
  const [row] = await deps.db
    .select({ duration: movies.duration })
    .from(movies)
    .where(and(eq(movies.id, movieId), visibleTo(user)))
    .limit(1)
  if (!row) throw movieNotFound(movieId)
  return row.duration
}

/**
 * Writes the caller's row for a movie (`set` on an existing one), in one statement that inserts
 * only while the movie is one the caller may see: a movie deleted since the caller looked is a
 * 404, never a foreign-key error, nor an orphan row where the connection does not enforce the
 * keys (PRAGMA foreign_keys is per connection; libSQL over HTTP does not keep it).
 * @throws ApiError 404 for a movie the caller may not see
 */
async function writeProgress(
  deps: Deps,
  user: AuthUser,
  movieId: string,
  values: Omit<Progress, 'userId' | 'movieId'>,
  set: Partial<Progress>,
): Promise<Progress> {
  const value = (v: unknown, as: string) => sql`${v}`.as(as)
  const [row] = await deps.db
    .insert(progress)
    .select(
      // Every column, in the table's order, from the movie's row: none when it is gone.
      deps.db
        .select({
          userId: value(user.id, 'user_id'),
          movieId: movies.id,
          position: value(values.position, 'position'),
          duration: value(values.duration, 'duration'),
          completed: value(values.completed ? 1 : 0, 'completed'),
          watched: value(values.watched ? 1 : 0, 'watched'),
          watchedAt: value(values.watchedAt?.getTime() ?? null, 'watched_at'),
          updatedAt: value(values.updatedAt.getTime(), 'updated_at'),
        })
        .from(movies)
        .where(and(eq(movies.id, movieId), visibleTo(user))),
    )
    .onConflictDoUpdate({ target: [progress.userId, progress.movieId], set })
    .returning()
  if (!row) throw movieNotFound(movieId)
  return row
}

/**
 * Saves where the caller is in a movie: idempotent (the same body again changes nothing but the
 * time). Past the end threshold (watch-state.ts) the movie becomes watched; a position past the
 * end is the end. The duration is the player's: it reads it from the movie's own manifest, and
 * whatever a caller sends only ever concerns their own progress.
 *
 * One short statement, since the player sends this every 10 s per viewer.
 * @throws ApiError 404 for a movie the caller may not see
 */
export async function saveProgress(
  deps: Deps,
  user: AuthUser,
  movieId: string,
  input: SaveProgressInput,
): Promise<ProgressJson> {
  const now = currentDate(deps)
  const position = Math.min(input.position, input.duration)
  const completed = isCompleted(position, input.duration)
  const row = await writeProgress(
    deps,
    user,
    movieId,
    {
      position,
      duration: input.duration,
      completed,
      watched: completed,
      watchedAt: completed ? now : null,
      updatedAt: now,
    },
    {
      position,
      duration: input.duration,
      completed,
      // Watched is sticky: watching again from the start keeps it; only marking unwatched clears it.
      ...(completed ? { watched: true, watchedAt: now } : {}),
      updatedAt: now,
    },
  )
  return progressToJson(row)
}

/** Marks a movie watched (at its end) or unwatched (back to the start), idempotently. */
export async function markWatched(
  deps: Deps,
  user: AuthUser,
  movieId: string,
  watched: boolean,
): Promise<ProgressJson> {
  const known = await visibleDuration(deps, user, movieId)
  const [existing] = await deps.db
    .select({ duration: progress.duration })
    .from(progress)
    .where(and(eq(progress.userId, user.id), eq(progress.movieId, movieId)))
  const duration = known ?? existing?.duration ?? 0
  const now = currentDate(deps)
  const row = {
    position: watched ? duration : 0,
    duration,
    completed: watched,
    watched,
    watchedAt: watched ? now : null,
    updatedAt: now,
  }
  return progressToJson(await writeProgress(deps, user, movieId, row, row))
}

/** The caller's progress on a movie they may see, or a 404 when there is none. */
export async function getProgress(deps: Deps, user: AuthUser, movieId: string): Promise<ProgressJson> {
  const [row] = await deps.db
    .select({ progress })
    .from(progress)
    .innerJoin(movies, eq(movies.id, progress.movieId))
    .where(and(eq(progress.userId, user.id), eq(progress.movieId, movieId), visibleTo(user)))
    .limit(1)
  if (!row) throw progressNotFound(movieId)
  return progressToJson(row.progress)
}

/** Forgets the caller's progress on one movie (idempotent). */
export async function deleteProgress(deps: Deps, user: AuthUser, movieId: string): Promise<void> {
  await deps.db.delete(progress).where(and(eq(progress.userId, user.id), eq(progress.movieId, movieId)))
}

/** Clears the caller's whole history. */
export async function clearProgress(deps: Deps, user: AuthUser): Promise<void> {
  await deps.db.delete(progress).where(eq(progress.userId, user.id))
}

/** The caller's progress, most recent first, on movies they may still see. */
export async function listProgress(deps: Deps, user: AuthUser, query: ProgressQuery): Promise<ProgressPage> {
  const conditions = [eq(progress.userId, user.id), visibleTo(user)]
  if (query.state === 'watched') conditions.push(eq(progress.watched, true))
  if (query.state === 'watching') {
    conditions.push(eq(progress.completed, false), gte(progress.position, RESUME_FROM_SECONDS))
  }
  if (query.cursor) {
    const at = cursors.decodeCursor(query.cursor, (k) =>
      k.length === 3 && k[0] === 'recent' && Number.isSafeInteger(k[1]) && typeof k[2] === 'string'
        ? { at: k[1] as number, movieId: k[2] }
        : null,
    )
    conditions.push(sql`(${progress.updatedAt}, ${progress.movieId}) < (${at.at}, ${at.movieId})`)
  }
  const rows = await deps.db
    .select({ progress })
    .from(progress)
    .innerJoin(movies, eq(movies.id, progress.movieId))
    .where(and(...conditions))
    .orderBy(desc(progress.updatedAt), desc(progress.movieId))
    .limit(query.limit + 1)
  const page = rows.slice(0, query.limit).map((r) => r.progress)
  const described = await describeInOrder(
    deps,
    user,
    page.map((p) => p.movieId),
  )
  const last = page.at(-1)
  return {
    items: page.flatMap((p) => {
      const movie = described.get(p.movieId)
      return movie ? [{ ...progressToJson(p), movie }] : []
    }),
    nextCursor:
      rows.length > query.limit && last
        ? cursors.encodeCursor(['recent', last.updatedAt.getTime(), last.movieId])
        : null,
  }
}

/** The JSON of these movies, for this caller, by id. */
async function describeInOrder(deps: Deps, user: AuthUser, ids: string[]) {
  const rows = await findMovies(deps, user, ids)
  const json = await describeMovies(deps, user, rows)
  return new Map(json.map((m) => [m.id, m]))
}

/** How far back "Continue watching" looks: the caller's most recently touched movies. */
export const CONTINUE_WINDOW = 500

/**
 * The "Continue watching" row: movies to resume, most recent first, and for each series the
 * caller has watched in, one entry: the episode to watch next (see nextToWatch), timed by the
 * latest thing they watched in it. Finished movies and caught-up series are left out.
 */
export async function continueWatching(
  deps: Deps,
  user: AuthUser,
  limit: number,
): Promise<ContinueItemJson[]> {
  const recent = await deps.db
    .select({ progress, seriesId: movies.seriesId })
    .from(progress)
    .innerJoin(movies, eq(movies.id, progress.movieId))
    .where(and(eq(progress.userId, user.id), visibleTo(user)))
    .orderBy(desc(progress.updatedAt))
    .limit(CONTINUE_WINDOW)

  const entries: { movieId: string; kind: 'resume' | 'next'; at: Date }[] = []
  const seriesSeen = new Map<string, Date>()
  for (const r of recent) {
    if (r.seriesId) {
      if (!seriesSeen.has(r.seriesId)) seriesSeen.set(r.seriesId, r.progress.updatedAt)
    } else if (isInProgress(r.progress)) {
      entries.push({ movieId: r.progress.movieId, kind: 'resume', at: r.progress.updatedAt })
    }
  }
  const episodes = bySeries(await episodesOf(deps, user, [...seriesSeen.keys()]))
  for (const [seriesId, at] of seriesSeen) {
    const next = nextToWatch(episodes.get(seriesId) ?? [])
    if (!next) continue
    const kind = next.progress && isInProgress(next.progress) ? 'resume' : 'next'
    entries.push({ movieId: next.id, kind, at })
  }
  entries.sort((a, b) => b.at.getTime() - a.at.getTime())
  const shown = entries.slice(0, limit)
  const described = await describeInOrder(
    deps,
    user,
    shown.map((e) => e.movieId),
  )
  return shown.flatMap((e) => {
    const movie = described.get(e.movieId)
    return movie ? [{ kind: e.kind, movie, at: e.at.toISOString() }] : []
  })
}
