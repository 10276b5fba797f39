/**
 * Series: a name, a description and a poster over movies that are its episodes. Listing (newest
 * activity first), the JSON a series is shown as to one caller (episode count, seasons, poster,
 * the next episode to watch), changes by its owner or an admin, and its own poster.
 * Plain functions of (deps, input); no Hono types.
 * @module
 */
import { and, desc, eq, type SQL, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/sqlite-core'
import { movies, type Series, series, users, watchlist } from '../../db/schema.ts'
import { type AuthUser, currentDate, type Deps } from '../env.ts'
import { newId } from '../lib/crypto.ts'
import * as cursors from '../lib/cursor.ts'
import { forbidden } from '../lib/errors.ts'
import { ApiError } from '../lib/problem.ts'
import {
  type CreateSeriesInput,
  type NextEpisodeJson,
  SERIES_POSTER_MAX_BYTES,
  SERIES_POSTER_TYPES,
  type SeriesDetailJson,
  type SeriesJson,
  type SeriesListQuery,
  type SeriesPage,
  type UpdateSeriesInput,
} from '../routes/series/series.schemas.ts'
import { seriesKey, seriesPrefix } from '../storage/keys.ts'
import { canWrite, inList, requireUploader, seriesVisibleTo, visibleTo } from './access.ts'
import {
  bySeries,
  type EpisodeRow,
  episodeRef,
  episodesOf,
  nextFreeEpisodes,
  seasonKey,
  seriesNotFound,
} from './episodes.ts'
import { blobPutError } from './files.ts'
import { describeMovies, findEpisodes, mediaUrl } from './movies.ts'
import { nextToWatch, progressToJson } from './watch-state.ts'

export type SeriesRow = Series & { ownerName: string | null; activity: number }

// The series' activity is the newest of its creation and its episodes the caller may see
// (published, or created for drafts only their owners and admins see), in ms since the epoch.
const episode = alias(movies, 'episode')
const activity = sql<number>`max(${series.createdAt}, coalesce(max(coalesce(${episode.publishedAt}, ${episode.createdAt})), 0))`

/**
 * Series the caller may see, with their activity: `where` filters series rows, `having` the
 * groups (it may use `activity`). Newest activity first.
 */
async function selectSeries(
  deps: Deps,
  user: AuthUser | null,
  opts: { where?: SQL | undefined; having?: SQL | undefined; limit?: number },
): Promise<SeriesRow[]> {
  const count = sql<number>`count(${episode.seq})`
  // What seriesVisibleTo says, on the joined episodes: one of them visible, or (uploaders) owned.
  const visible =
    user?.role === 'admin'
      ? undefined
      : user?.role === 'uploader'
        ? sql`(${count} > 0 or ${series.ownerId} = ${user.id})`
        : sql`${count} > 0`
  const query = deps.db
    .select({ series, ownerName: users.username, activity })
    .from(series)
    .leftJoin(episode, and(eq(episode.seriesId, series.id), visibleTo(user, episode)))
    .leftJoin(users, eq(users.id, series.ownerId))
    .where(opts.where)
    .groupBy(series.seq)
    .having(and(visible, opts.having))
    .orderBy(desc(activity), desc(series.seq))
  const rows = await (opts.limit ? query.limit(opts.limit) : query)
  return rows.map((r) => ({ ...r.series, ownerName: r.ownerName, activity: Number(r.activity) }))
}

/** The series if the caller may see it; otherwise a 404 that does not reveal whether it exists. */
export async function loadSeriesForRead(deps: Deps, user: AuthUser | null, id: string): Promise<SeriesRow> {
  const [row] = await selectSeries(deps, user, { where: eq(series.id, id) })
  if (!row) throw seriesNotFound(id)
  return row
}

/** The series if the caller may change it: 404 invisible, 403 visible but not theirs. */
export async function loadSeriesForWrite(deps: Deps, user: AuthUser, id: string): Promise<SeriesRow> {
  const row = await loadSeriesForRead(deps, user, id)
  if (!canWrite(user, row)) throw forbidden('Only the owner of a series or an admin may change it.')
  return row
}

/** The URL of a series' own poster; `?v=` changes with its content, so a new poster shows at once. */
const posterUrl = (s: Pick<Series, 'id' | 'poster' | 'posterSha256'>) =>
  s.poster ? `/media/series/${s.id}/${s.poster}?v=${(s.posterSha256 ?? '').slice(0, 12)}` : null

/**
 * Series as this caller sees them: episode count and seasons among the episodes they may see,
 * the poster (its own, else the first episode's), whether it is on their list, and the next
 * episode to watch. Three queries for the whole batch, none per series.
 */
export async function describeSeries(
  deps: Deps,
  user: AuthUser | null,
  rows: readonly SeriesRow[],
): Promise<SeriesJson[]> {
  if (rows.length === 0) return []
  const ids = rows.map((r) => r.id)
  const writable = rows.filter((r) => user && canWrite(user, r)).map((r) => r.id)
  const [episodes, listed, nextFree] = await Promise.all([
    episodesOf(deps, user, ids),
    user
      ? deps.db
          .select({ id: watchlist.seriesId })
          .from(watchlist)
          .where(and(eq(watchlist.userId, user.id), inList(watchlist.seriesId, ids)))
      : [],
    nextFreeEpisodes(deps, writable),
  ])
  const episodesBySeries = bySeries(episodes)
  const onList = new Set(listed.map((r) => r.id))
  return rows.map((s) => {
    const own = episodesBySeries.get(s.id) ?? []
    const seasons = new Map<number, number>()
    for (const e of own) seasons.set(e.season, (seasons.get(e.season) ?? 0) + 1)
    const firstPoster = own.find((e) => e.poster)
    const next = nextToWatch(own)
    return {
      id: s.id,
      name: s.name,
      description: s.description,
      posterUrl: posterUrl(s) ?? (firstPoster?.poster ? mediaUrl(firstPoster.id, firstPoster.poster) : null),
      owner: s.ownerId ? { id: s.ownerId, username: s.ownerName ?? '' } : null,
      episodeCount: own.length,
      seasons: [...seasons].map(([season, episodeCount]) => ({
        season,
        episodeCount,
        nextFreeEpisode: writable.includes(s.id) ? (nextFree.get(seasonKey(s.id, season)) ?? 1) : null,
      })),
      activityAt: new Date(s.activity).toISOString(),
      createdAt: s.createdAt.toISOString(),
      updatedAt: s.updatedAt.toISOString(),
      inWatchlist: user ? onList.has(s.id) : null,
      next: next ? nextEpisodeJson(next) : null,
    }
  })
}

const nextEpisodeJson = (e: EpisodeRow): NextEpisodeJson => ({
  ...episodeRef(e),
  posterUrl: e.poster ? mediaUrl(e.id, e.poster) : null,
  progress: e.progress ? progressToJson(e.progress) : null,
})

/** A series with every episode the caller may see, in order, each with the caller's progress. */
export async function seriesDetail(
  deps: Deps,
  user: AuthUser | null,
  row: SeriesRow,
): Promise<SeriesDetailJson> {
  const [[described], episodes] = await Promise.all([
    describeSeries(deps, user, [row]),
    findEpisodes(deps, user, row.id),
  ])
  return { ...described!, episodes: await describeMovies(deps, user, episodes) }
}

/** The series with these ids the caller may see, in no particular order. */
export const findSeries = (deps: Deps, user: AuthUser | null, ids: readonly string[]) =>
  ids.length ? selectSeries(deps, user, { where: inList(series.id, ids) }) : Promise.resolve([])

/** `name LIKE %word%` for every word, with LIKE's own wildcards escaped. */
function nameMatches(q: string): SQL | undefined | null {
  const words = q.normalize('NFKC').match(/[\p{L}\p{N}]+/gu)
  if (!words?.length) return null
  return and(
    ...words
      .slice(0, 16)
      .map((w) => sql`${series.name} like ${`%${w.replace(/[\\%_]/g, '\\$&')}%`} escape '\\'`),
  )
}

export async function listSeries(
  deps: Deps,
  user: AuthUser | null,
  query: SeriesListQuery,
): Promise<SeriesPage> {
  const where: (SQL | undefined)[] = []
  if (query.q !== undefined) {
    const match = nameMatches(query.q)
    if (match === null) return { items: [], nextCursor: null }
    where.push(match)
  }
  if (query.mine && user) where.push(eq(series.ownerId, user.id))
  let after: SQL | undefined
  if (query.cursor) {
    const at = cursors.decodeCursor(query.cursor, (k) =>
      k.length === 3 && k[0] === 'activity' && Number.isSafeInteger(k[1]) && Number.isSafeInteger(k[2])
        ? { activity: k[1] as number, seq: k[2] as number }
        : null,
    )
    after = sql`(${activity}, ${series.seq}) < (${at.activity}, ${at.seq})`
  }
  const rows = await selectSeries(deps, user, { where: and(...where), having: after, limit: query.limit + 1 })
  const page = rows.slice(0, query.limit)
  const last = page.at(-1)
  return {
    items: await describeSeries(deps, user, page),
    nextCursor:
      rows.length > query.limit && last ? cursors.encodeCursor(['activity', last.activity, last.seq]) : null,
  }
}

export async function createSeries(
  deps: Deps,
  owner: AuthUser,
  input: CreateSeriesInput,
): Promise<SeriesRow> {
  requireUploader(owner, 'add series')
  const now = currentDate(deps)
  const id = newId()
  await deps.db.insert(series).values({
    id,
    name: input.name,
    description: input.description ?? '',
    ownerId: owner.id,
    createdAt: now,
    updatedAt: now,
  })
  return loadSeriesForRead(deps, owner, id)
}

export async function updateSeries(
  deps: Deps,
  user: AuthUser,
  row: SeriesRow,
  patch: UpdateSeriesInput,
): Promise<SeriesRow> {
  await deps.db
    .update(series)
    .set({ ...patch, updatedAt: currentDate(deps) })
    .where(eq(series.id, row.id))
  return loadSeriesForRead(deps, user, row.id)
}

/**
 * Deletes a series, in one transaction: its episodes stay, as standalone movies; list entries of
 * the series go (spelled out, as the foreign keys are not enforced on every connection). Then its
 * poster files.
 */
export async function deleteSeries(deps: Deps, id: string): Promise<void> {
  await deps.db.batch([
    deps.db
      .update(movies)
      .set({ seriesId: null, season: null, episode: null })
      .where(eq(movies.seriesId, id)),
    deps.db.delete(watchlist).where(eq(watchlist.seriesId, id)),
    deps.db.delete(series).where(eq(series.id, id)),
  ])
  await deps.blobs.deletePrefix(seriesPrefix(id))
}

// ───────────────────────────── poster ─────────────────────────────

export interface PosterUpload {
  body: ReadableStream<Uint8Array> | null
  sha256: string
  contentType: string | undefined
  size?: number
}

/**
 * Stores a series' poster (replacing any other), checked against its SHA-256 like a movie's files.
 * @throws ApiError 415 (not JPEG, PNG or WebP), 400 (hash or length mismatch), 413
 */
export async function putSeriesPoster(
  deps: Deps,
  user: AuthUser,
  row: SeriesRow,
  upload: PosterUpload,
): Promise<SeriesJson> {
  const type = upload.contentType?.split(';')[0]?.trim().toLowerCase() ?? ''
  const file = SERIES_POSTER_TYPES[type]
  if (!file) {
    await upload.body?.cancel().catch(() => {})
    throw new ApiError(
      415,
      'unsupported-poster-type',
      `A series poster is ${Object.keys(SERIES_POSTER_TYPES).join(', ')}; send its type as Content-Type.`,
    )
  }
  const limit = Math.min(SERIES_POSTER_MAX_BYTES, deps.config.maxFileBytes)
  const info = await deps.blobs
    .put(seriesKey(row.id, file), upload.body ?? new Uint8Array(0), {
      sha256: upload.sha256,
      maxBytes: limit,
      contentType: type,
      ...(upload.size !== undefined ? { size: upload.size } : {}),
    })
    .catch((err: unknown) => {
      throw blobPutError(
        err,
        () =>
          new ApiError(413, 'poster-too-large', `A series poster may be at most ${limit} bytes.`, { limit }),
      )
    })
  await deps.db
    .update(series)
    .set({ poster: file, posterSha256: info.sha256, updatedAt: currentDate(deps) })
    .where(eq(series.id, row.id))
  if (row.poster && row.poster !== file) await deps.blobs.delete(seriesKey(row.id, row.poster))
  const [json] = await describeSeries(deps, user, [await loadSeriesForRead(deps, user, row.id)])
  return json!
}

/** Removes a series' own poster; the first episode's shows again. */
export async function deleteSeriesPoster(deps: Deps, user: AuthUser, row: SeriesRow): Promise<SeriesJson> {
  await deps.db
    .update(series)
    .set({ poster: null, posterSha256: null, updatedAt: currentDate(deps) })
    .where(eq(series.id, row.id))
  if (row.poster) await deps.blobs.delete(seriesKey(row.id, row.poster))
  const [json] = await describeSeries(deps, user, [await loadSeriesForRead(deps, user, row.id)])
  return json!
}

export interface ServablePoster {
  key: string
  sha256: string
  contentType: string
  /** Anyone may see the series: shared caches may keep the poster. */
  isPublic: boolean
  updatedAt: Date
}

/**
 * The poster behind `/media/series/<id>/<file>` if the caller may see the series.
 * @throws ApiError 404 for a series the caller may not see (without saying whether it exists), or another file.
 */
export async function findSeriesPoster(
  deps: Deps,
  user: AuthUser | null,
  id: string,
  file: string,
): Promise<ServablePoster> {
  const select = (who: AuthUser | null) =>
    deps.db
      .select({ poster: series.poster, posterSha256: series.posterSha256, updatedAt: series.updatedAt })
      .from(series)
      .where(and(eq(series.id, id), seriesVisibleTo(who)))
      .limit(1)
  const [row] = await select(user)
  if (!row) throw seriesNotFound(id)
  const contentType = Object.entries(SERIES_POSTER_TYPES).find(([, name]) => name === file)?.[0]
  if (!contentType || row.poster !== file || !row.posterSha256) {
    throw new ApiError(404, 'file-not-found', `Series ${id} has no file "${file}".`)
  }
  const isPublic = user === null || (await select(null)).length > 0
  return {
    key: seriesKey(id, file),
    sha256: row.posterSha256,
    contentType,
    isPublic,
    updatedAt: row.updatedAt,
  }
}
