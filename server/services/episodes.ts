/**
 * Movies as episodes of a series: the episodes of some series in order (with the caller's
 * progress), where a new or moved episode goes, and the refusal of a taken episode number.
 * @module
 */
import { and, asc, eq, max } from 'drizzle-orm'
import { type Movie, movies, type Progress, progress, series } from '../../db/schema.ts'
import type { AuthUser, Deps } from '../env.ts'
import { forbidden, validationFailed } from '../lib/errors.ts'
import { ApiError } from '../lib/problem.ts'
import type { CreateMovieInput, EpisodeRef } from '../routes/movies/movies.schemas.ts'
import { canWrite, inList, visibleTo } from './access.ts'

/** An episode as the series views need it: where it sits, its poster, the caller's progress. */
export interface EpisodeRow extends EpisodeRef {
  seriesId: string
  poster: string | null
  publishedAt: Date | null
  createdAt: Date
  progress: Progress | null
}

export const seriesNotFound = (id: string) =>
  new ApiError(404, 'series-not-found', `No series with id "${id}".`)

/**
 * The episodes of these series the caller may see, in (series, season, episode) order, with the
 * caller's progress on each (null for anonymous callers).
 */
export async function episodesOf(
  deps: Deps,
  user: AuthUser | null,
  seriesIds: readonly string[],
): Promise<EpisodeRow[]> {
  if (seriesIds.length === 0) return []
  const columns = {
    id: movies.id,
    name: movies.name,
    seriesId: movies.seriesId,
    season: movies.season,
    episode: movies.episode,
    poster: movies.poster,
    publishedAt: movies.publishedAt,
    createdAt: movies.createdAt,
  }
  const where = and(inList(movies.seriesId, seriesIds), visibleTo(user))
  const order = [asc(movies.seriesId), asc(movies.season), asc(movies.episode)]
  const rows = user
    ? await deps.db
        .select({ ...columns, progress })
        .from(movies)
        .leftJoin(progress, and(eq(progress.movieId, movies.id), eq(progress.userId, user.id)))
        .where(where)
        .orderBy(...order)
    : (
        await deps.db
          .select(columns)
          .from(movies)
          .where(where)
          .orderBy(...order)
      ).map((r) => ({
        ...r,
        progress: null,
      }))
  // Episodes always have all three (placeEpisode sets them together); the filter satisfies the types.
  return rows.filter((r): r is EpisodeRow => r.seriesId !== null && r.season !== null && r.episode !== null)
}

/** Groups rows by series, keeping their order. */
export function bySeries<T extends { seriesId: string }>(rows: readonly T[]): Map<string, T[]> {
  const out = new Map<string, T[]>()
  for (const r of rows) {
    const list = out.get(r.seriesId)
    if (list) list.push(r)
    else out.set(r.seriesId, [r])
  }
  return out
}

export const episodeRef = (e: EpisodeRef): EpisodeRef => ({
  id: e.id,
  name: e.name,
  season: e.season,
  episode: e.episode,
})

/** Compares two positions in a series. */
export const compareEpisodes = (
  a: { season: number; episode: number },
  b: { season: number; episode: number },
) => a.season - b.season || a.episode - b.episode

/**
 * The next free episode number of each season of these series: one past the highest taken,
 * counting every episode (drafts of other owners too), since the numbers are unique among all.
 */
export async function nextFreeEpisodes(
  deps: Deps,
  seriesIds: readonly string[],
): Promise<Map<string, number>> {
  if (seriesIds.length === 0) return new Map()
  const rows = await deps.db
    .select({ seriesId: movies.seriesId, season: movies.season, top: max(movies.episode) })
    .from(movies)
    .where(inList(movies.seriesId, seriesIds))
    .groupBy(movies.seriesId, movies.season)
  return new Map(rows.map((r) => [seasonKey(r.seriesId ?? '', r.season ?? 0), (r.top ?? 0) + 1]))
}

export const seasonKey = (seriesId: string, season: number) => `${seriesId}/${season}`

type Placement = Pick<Movie, 'seriesId' | 'season' | 'episode'>

/**
 * Where a created or changed movie sits, from what the request says and where it is now: a series
 * the caller may add episodes to, season 1 (or its current one) unless given, and the next free
 * number of the season unless given. `undefined` when the request changes nothing about it.
 * @throws ApiError 404 (no such series), 403 (not the caller's series), 422 (a season or episode without a series)
 */
export async function placeEpisode(
  deps: Deps,
  user: AuthUser,
  input: Pick<CreateMovieInput, 'seriesId' | 'season' | 'episode'>,
  current: Placement = { seriesId: null, season: null, episode: null },
): Promise<Placement | undefined> {
  const { seriesId, season, episode } = input
  if (seriesId === undefined && season === undefined && episode === undefined) return undefined
  const target = seriesId === undefined ? current.seriesId : seriesId
  if (target === null) {
    if (season !== undefined || episode !== undefined) {
      throw validationFailed(
        'body',
        [{ field: 'seriesId', message: 'Required with season or episode' }],
        'A season or episode number needs a series: send seriesId too.',
      )
    }
    return { seriesId: null, season: null, episode: null }
  }
  if (seriesId) {
    const [row] = await deps.db
      .select({ ownerId: series.ownerId })
      .from(series)
      .where(eq(series.id, seriesId))
      .limit(1)
    if (!row) throw seriesNotFound(seriesId)
    if (!canWrite(user, row))
      throw forbidden('Only the owner of a series or an admin may add episodes to it.')
  }
  const sameSeries = target === current.seriesId
  const toSeason = season ?? (sameSeries ? current.season : null) ?? 1
  const keepNumber = sameSeries && toSeason === current.season && current.episode !== null
  const toEpisode = episode ?? (keepNumber ? current.episode : await nextFree(deps, target, toSeason))
  return { seriesId: target, season: toSeason, episode: toEpisode }
}

async function nextFree(deps: Deps, seriesId: string, season: number): Promise<number> {
  const [row] = await deps.db
    .select({ top: max(movies.episode) })
    .from(movies)
    .where(and(eq(movies.seriesId, seriesId), eq(movies.season, season)))
  return (row?.top ?? 0) + 1
}

/**
 * Runs a write that may give a movie an episode number, turning the unique index's refusal into
 * a 409 that names the number.
 */
export async function withEpisodeNumber<T>(
  placement: Placement | undefined,
  write: () => Promise<T>,
): Promise<T> {
  try {
    return await write()
  } catch (err) {
    if (placement?.seriesId && isUniqueViolation(err, 'movies.series_id')) {
      throw new ApiError(
        409,
        'episode-taken',
        `Season ${placement.season}, episode ${placement.episode} of this series is another movie already.`,
        { errors: [{ field: 'episode', message: 'Taken' }] },
      )
    }
    throw err
  }
}

/** Whether a driver error (libSQL, D1, possibly wrapped by drizzle) is a UNIQUE failure on `column`. */
export function isUniqueViolation(err: unknown, column: string): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e.message.includes('UNIQUE constraint failed') && e.message.includes(column)) return true
  }
  return false
}
