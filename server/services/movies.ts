/**
 * The movie catalog: listing with keyset pagination and full-text search, creating and changing
 * movies (and their place in a series), and the JSON a movie is shown as to one caller. Who may
 * see and change what is decided in access.ts. Plain functions of (deps, input); no Hono types.
 * @module
 */
import { and, asc, desc, eq, isNull, type SQL, sql } from 'drizzle-orm'
import { moviesFts } from '../../db/fts.ts'
import {
  fileLeases,
  type Movie,
  movieFiles,
  movies,
  progress,
  series,
  users,
  watchlist,
} from '../../db/schema.ts'
import { type AuthUser, currentDate, type Deps } from '../env.ts'
import { type Later, rightAway } from '../lib/after-response.ts'
import { newId } from '../lib/crypto.ts'
import * as cursors from '../lib/cursor.ts'
import { forbidden, movieNotFound } from '../lib/errors.ts'
import type {
  CreateMovieInput,
  EpisodeRef,
  ListQuery,
  MovieJson,
  MoviePage,
  MovieSort,
  MovieSummaryJson,
  Rendition,
  UpdateMovieInput,
} from '../routes/movies/movies.schemas.ts'
import { moviePrefix } from '../storage/keys.ts'
import { canWrite, inList, requireUploader, visibleTo } from './access.ts'
import {
  bySeries,
  compareEpisodes,
  episodeRef,
  episodesOf,
  placeEpisode,
  withEpisodeNumber,
} from './episodes.ts'
import { progressToJson } from './watch-state.ts'

export type MovieRow = Movie & { ownerName: string | null; seriesName: string | null }

export const mediaUrl = (id: string, path: string) =>
  `/media/${id}/${path.split('/').map(encodeURIComponent).join('/')}`

/** What a movie's JSON says about the caller and its neighbours; the defaults are an anonymous caller's. */
export interface MovieExtras {
  inWatchlist: boolean | null
  progress: MovieJson['progress']
  previousEpisode: EpisodeRef | null
  nextEpisode: EpisodeRef | null
}

const ANONYMOUS: MovieExtras = { inWatchlist: null, progress: null, previousEpisode: null, nextEpisode: null }

const maxHeightOf = (renditions: readonly Rendition[]): number | null => {
  const heights = renditions.flatMap((r) => (r.kind === 'video' && r.height ? [r.height] : []))
  return heights.length > 0 ? Math.max(...heights) : null
}

/** A movie's JSON as lists carry it: everything but its renditions. */
export const movieSummary = ({ renditions: _, ...summary }: MovieJson): MovieSummaryJson => summary

export function movieToJson(m: MovieRow, extras: MovieExtras = ANONYMOUS): MovieJson {
  return {
    id: m.id,
    name: m.name,
    description: m.description,
    active: m.active,
    status: m.status,
    duration: m.duration,
    posterUrl: m.poster ? mediaUrl(m.id, m.poster) : null,
    manifestUrl: m.manifest && m.status === 'ready' ? mediaUrl(m.id, m.manifest) : null,
    hlsUrl: m.hls && m.status === 'ready' ? mediaUrl(m.id, m.hls) : null,
    renditions: m.renditions ?? [],
    maxHeight: maxHeightOf(m.renditions ?? []),
    owner: m.ownerId ? { id: m.ownerId, username: m.ownerName ?? '' } : null,
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
    publishedAt: m.publishedAt ? m.publishedAt.toISOString() : null,
    audioLanguages: m.audioLanguages ?? [],
    subtitleLanguages: [
      ...new Set((m.subtitles ?? []).map((s) => s.language).filter((l): l is string => l !== null)),
    ],
    subtitles: (m.subtitles ?? []).map(({ path, ...s }) => ({ ...s, url: mediaUrl(m.id, path) })),
    series: m.seriesId ? { id: m.seriesId, name: m.seriesName ?? '' } : null,
    season: m.season,
    episode: m.episode,
    ...extras,
  }
}

/**
 * Movies as this caller sees them: whether each is on their list, their progress, and for
 * episodes the previous and next episode they may see. A few queries for the whole batch, none
 * per movie, and none at all for an anonymous caller's standalone movies.
 */
export async function describeMovies(
  deps: Deps,
  user: AuthUser | null,
  rows: readonly MovieRow[],
): Promise<MovieJson[]> {
  if (rows.length === 0) return []
  const ids = rows.map((r) => r.id)
  const seriesIds = [...new Set(rows.flatMap((r) => (r.seriesId ? [r.seriesId] : [])))]
  const [listed, progressRows, episodes] = await Promise.all([
    user
      ? deps.db
          .select({ id: watchlist.movieId })
          .from(watchlist)
          .where(and(eq(watchlist.userId, user.id), inList(watchlist.movieId, ids)))
      : [],
    user
      ? deps.db
          .select()
          .from(progress)
          .where(and(eq(progress.userId, user.id), inList(progress.movieId, ids)))
      : [],
    episodesOf(deps, user, seriesIds),
  ])
  const onList = new Set(listed.map((r) => r.id))
  const progressOf = new Map(progressRows.map((p) => [p.movieId, progressToJson(p)]))
  const seriesEpisodes = bySeries(episodes)
  return rows.map((m) => {
    const neighbours = m.seriesId ? around(seriesEpisodes.get(m.seriesId) ?? [], m) : null
    return movieToJson(m, {
      inWatchlist: user ? onList.has(m.id) : null,
      progress: progressOf.get(m.id) ?? null,
      previousEpisode: neighbours?.previous ?? null,
      nextEpisode: neighbours?.next ?? null,
    })
  })
}

/** One movie as this caller sees it (see describeMovies). */
export const describeMovie = async (deps: Deps, user: AuthUser | null, row: MovieRow): Promise<MovieJson> =>
  (await describeMovies(deps, user, [row]))[0]!

/** The episodes just before and after `m` among `episodes` (one series, in order). */
function around(episodes: readonly EpisodeRef[], m: Pick<Movie, 'season' | 'episode'>) {
  if (m.season === null || m.episode === null) return null
  const at = { season: m.season, episode: m.episode }
  const previous = episodes.findLast((e) => compareEpisodes(e, at) < 0)
  const next = episodes.find((e) => compareEpisodes(e, at) > 0)
  return { previous: previous ? episodeRef(previous) : null, next: next ? episodeRef(next) : null }
}

const selectRow = (deps: Deps) =>
  deps.db
    .select({ movie: movies, ownerName: users.username, seriesName: series.name })
    .from(movies)
    .leftJoin(users, eq(users.id, movies.ownerId))
    .leftJoin(series, eq(series.id, movies.seriesId))

const flatten = (r: { movie: Movie; ownerName: string | null; seriesName: string | null }): MovieRow => ({
  ...r.movie,
  ownerName: r.ownerName,
  seriesName: r.seriesName,
})

export async function findMovie(deps: Deps, id: string): Promise<MovieRow | null> {
  const [row] = await selectRow(deps).where(eq(movies.id, id)).limit(1)
  return row ? flatten(row) : null
}

/** The movies with these ids the caller may see, in no particular order. */
export async function findMovies(
  deps: Deps,
  user: AuthUser | null,
  ids: readonly string[],
): Promise<MovieRow[]> {
  if (ids.length === 0) return []
  const rows = await selectRow(deps).where(and(inList(movies.id, ids), visibleTo(user)))
  return rows.map(flatten)
}

/** The visible episodes of one series, in (season, episode) order. */
export async function findEpisodes(deps: Deps, user: AuthUser | null, seriesId: string): Promise<MovieRow[]> {
  const rows = await selectRow(deps)
    .where(and(eq(movies.seriesId, seriesId), visibleTo(user)))
    .orderBy(asc(movies.season), asc(movies.episode))
  return rows.map(flatten)
}

/** The movie if the caller may see it; otherwise a 404 that does not reveal whether it exists. */
export async function loadMovieForRead(deps: Deps, user: AuthUser | null, id: string): Promise<MovieRow> {
  const [row] = await selectRow(deps)
    .where(and(eq(movies.id, id), visibleTo(user)))
    .limit(1)
  if (!row) throw movieNotFound(id)
  return flatten(row)
}

/**
 * The movie if this signed-in caller may change it: 404 invisible, 403 visible but not theirs
 * (an anonymous caller is refused before this, with a 401: see requireUser).
 */
export async function loadMovieForWrite(deps: Deps, user: AuthUser, id: string): Promise<MovieRow> {
  const movie = await loadMovieForRead(deps, user, id)
  if (!canWrite(user, movie)) throw forbidden('Only the owner or an admin may change this movie.')
  return movie
}

/** Cursors are opaque to clients: base64url of JSON [sort, seq] or [sort, name, seq], bound to their sort. */
export function encodeCursor(sort: MovieSort, m: Pick<Movie, 'seq' | 'name'>): string {
  return cursors.encodeCursor(sort === 'name' ? [sort, m.name, m.seq] : [sort, m.seq])
}

function decodeCursor(sort: MovieSort, cursor: string): { seq: number; name?: string } {
  return cursors.decodeCursor(cursor, (key) => {
    const seq = key.at(-1)
    if (key[0] !== sort || !Number.isSafeInteger(seq)) return null
    if (sort !== 'name') return key.length === 2 ? { seq: seq as number } : null
    return key.length === 3 && typeof key[1] === 'string' ? { seq: seq as number, name: key[1] } : null
  })
}

/** Turns what a person typed into an FTS5 query: every word must match, as a prefix. */
export function ftsQuery(q: string): string | null {
  const words = q.normalize('NFKC').match(/[\p{L}\p{N}]+/gu)
  if (!words?.length) return null
  return words
    .slice(0, 16)
    .map((w) => `"${w}"*`)
    .join(' ')
}

export async function listMovies(deps: Deps, user: AuthUser | null, query: ListQuery): Promise<MoviePage> {
  const conditions: (SQL | undefined)[] = [visibleTo(user)]
  if (query.active !== undefined) conditions.push(eq(movies.active, query.active))
  if (query.status) conditions.push(eq(movies.status, query.status))
  if (query.mine && user) conditions.push(eq(movies.ownerId, user.id))
  // Languages are stored canonical (RFC 5646), and the query's were made canonical by its schema.
  // "en" finds "en" and "en-GB" alike.
  if (query.audio) {
    const [tag, sub] = [query.audio, `${query.audio}-%`]
    conditions.push(
      sql`exists (select 1 from json_each(${movies.audioLanguages}) where value = ${tag} or value like ${sub})`,
    )
  }
  if (query.subtitles) {
    const [tag, sub] = [query.subtitles, `${query.subtitles}-%`]
    conditions.push(
      sql`exists (select 1 from json_each(${movies.subtitles}) where json_extract(value, '$.language') = ${tag} or json_extract(value, '$.language') like ${sub})`,
    )
  }
  if (query.standalone !== undefined) {
    conditions.push(query.standalone ? isNull(movies.seriesId) : sql`${movies.seriesId} is not null`)
  }
  if (query.series) conditions.push(eq(movies.seriesId, query.series))

  let match: string | null = null
  if (query.q !== undefined) {
    match = ftsQuery(query.q)
    if (!match) return { items: [], nextCursor: null }
    conditions.push(sql`${moviesFts} MATCH ${match}`)
  }
  // With a search, order by the FTS table's own rowid (= movies.seq): FTS5 then walks its index
  // in that order and stops at the page size instead of collecting every match first.
  const seq = match ? moviesFts.rowid : movies.seq
  const descending = query.sort === 'newest'
  const op = sql.raw(descending ? '<' : '>')
  if (query.cursor) {
    const at = decodeCursor(query.sort, query.cursor)
    conditions.push(
      query.sort === 'name'
        ? sql`(${movies.name}, ${movies.seq}) > (${at.name}, ${at.seq})`
        : sql`${seq} ${op} ${at.seq}`,
    )
  }
  const order =
    query.sort === 'name' ? [asc(movies.name), asc(movies.seq)] : [descending ? desc(seq) : asc(seq)]

  const columns = { movie: movies, ownerName: users.username, seriesName: series.name }
  const base = match
    ? deps.db
        .select(columns)
        .from(moviesFts)
        .innerJoin(movies, eq(movies.seq, moviesFts.rowid))
        .leftJoin(users, eq(users.id, movies.ownerId))
        .leftJoin(series, eq(series.id, movies.seriesId))
    : selectRow(deps)
  const rows = await base
    .where(and(...conditions))
    .orderBy(...order)
    .limit(query.limit + 1)
  const page = rows.slice(0, query.limit).map(flatten)
  const last = page.at(-1)
  return {
    items: (await describeMovies(deps, user, page)).map(movieSummary),
    nextCursor: rows.length > query.limit && last ? encodeCursor(query.sort, last) : null,
  }
}

export async function createMovie(deps: Deps, owner: AuthUser, input: CreateMovieInput): Promise<MovieJson> {
  requireUploader(owner, 'add movies')
  const placement = await placeEpisode(deps, owner, input)
  const now = currentDate(deps)
  const id = newId()
  await withEpisodeNumber(placement, () =>
    deps.db.insert(movies).values({
      id,
      name: input.name,
      description: input.description ?? '',
      active: input.active ?? true,
      ownerId: owner.id,
      createdAt: now,
      updatedAt: now,
      ...placement,
    }),
  )
  return describeMovie(deps, owner, (await findMovie(deps, id))!)
}

/** Changes a movie the caller may change (see loadMovieForWrite), its place in a series included. */
export async function updateMovie(
  deps: Deps,
  user: AuthUser,
  movie: MovieRow,
  patch: UpdateMovieInput,
): Promise<MovieJson> {
  const { seriesId, season, episode, ...fields } = patch
  const placement = await placeEpisode(deps, user, { seriesId, season, episode }, movie)
  await withEpisodeNumber(placement, () =>
    deps.db
      .update(movies)
      .set({ ...fields, ...placement, updatedAt: currentDate(deps) })
      .where(eq(movies.id, movie.id)),
  )
  return describeMovie(deps, user, (await findMovie(deps, movie.id))!)
}

/**
 * Deletes the movie with everything that hangs off it, in one transaction (its files' rows, list
 * entries, progress, upload leases), then its files: a crash between the two leaves orphan blobs
 * (the Node server's storage sweep removes them), never a row without files. `later` decides
 * whether the files go before the answer (Node) or after it (Workers: lib/after-response.ts).
 */
export async function deleteMovie(deps: Deps, id: string, later: Later = rightAway): Promise<void> {
  // The foreign keys cascade too, where they are enforced: D1 and our own libSQL connections do,
  // but PRAGMA foreign_keys is per connection and libSQL over HTTP does not keep it.
  await deps.db.batch([
    deps.db.delete(watchlist).where(eq(watchlist.movieId, id)),
    deps.db.delete(progress).where(eq(progress.movieId, id)),
    deps.db.delete(fileLeases).where(eq(fileLeases.movieId, id)),
    deps.db.delete(movieFiles).where(eq(movieFiles.movieId, id)),
    deps.db.delete(movies).where(eq(movies.id, id)),
  ])
  await later(
    () => deps.blobs.deletePrefix(moviePrefix(id)),
    `[movies] files of deleted movie ${id} left under ${moviePrefix(id)}`,
  )
}
