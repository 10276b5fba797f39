/**
 * The movie catalog: who may see and change what, listing with keyset pagination and full-text
 * search, and the JSON a movie is shown as. Plain functions of (deps, input); no Hono types.
 * @module
 */
import { and, asc, desc, eq, or, type SQL, sql } from 'drizzle-orm'
import { moviesFts } from '../../db/fts.ts'
import { type Movie, movies, users } from '../../db/schema.ts'
import { type AuthUser, currentDate, type Deps } from '../env.ts'
import { newId } from '../lib/crypto.ts'
import { forbidden, movieNotFound, validationFailed } from '../lib/errors.ts'
import type {
  CreateMovieInput,
  ListQuery,
  MovieJson,
  MoviePage,
  MovieSort,
  UpdateMovieInput,
} from '../routes/movies/movies.schemas.ts'
import { moviePrefix } from '../storage/keys.ts'

type MovieRow = Movie & { ownerName: string | null }

const mediaUrl = (id: string, path: string) =>
  `/media/${id}/${path.split('/').map(encodeURIComponent).join('/')}`

export function movieToJson(m: MovieRow): MovieJson {
  return {
    id: m.id,
    name: m.name,
    description: m.description,
    active: m.active,
    status: m.status,
    duration: m.duration,
    posterUrl: m.poster ? mediaUrl(m.id, m.poster) : null,
    manifestUrl: m.manifest && m.status === 'ready' ? mediaUrl(m.id, m.manifest) : null,
    renditions: m.renditions ?? [],
    owner: m.ownerId ? { id: m.ownerId, username: m.ownerName ?? '' } : null,
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
    publishedAt: m.publishedAt ? m.publishedAt.toISOString() : null,
    audioLanguages: m.audioLanguages ?? [],
    subtitleLanguages: [
      ...new Set((m.subtitles ?? []).map((s) => s.language).filter((l): l is string => l !== null)),
    ],
    subtitles: (m.subtitles ?? []).map(({ path, ...s }) => ({ ...s, url: mediaUrl(m.id, path) })),
  }
}

const selectRow = (deps: Deps) =>
  deps.db
    .select({ movie: movies, ownerName: users.username })
    .from(movies)
    .leftJoin(users, eq(users.id, movies.ownerId))

const flatten = (r: { movie: Movie; ownerName: string | null }): MovieRow => ({
  ...r.movie,
  ownerName: r.ownerName,
})

/** Anonymous callers see published, active movies; uploaders also their own; admins everything. */
export function visibleTo(user: AuthUser | null): SQL | undefined {
  const published = and(eq(movies.status, 'ready'), eq(movies.active, true))
  if (!user) return published
  if (user.role === 'admin') return undefined
  return or(published, eq(movies.ownerId, user.id))
}

export function canWrite(user: AuthUser, movie: Pick<Movie, 'ownerId'>): boolean {
  return user.role === 'admin' || movie.ownerId === user.id
}

export async function findMovie(deps: Deps, id: string): Promise<MovieRow | null> {
  const [row] = await selectRow(deps).where(eq(movies.id, id)).limit(1)
  return row ? flatten(row) : null
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
  const key = sort === 'name' ? [sort, m.name, m.seq] : [sort, m.seq]
  return btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(key))))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')
}

function decodeCursor(sort: MovieSort, cursor: string): { seq: number; name?: string } {
  const bad = () =>
    validationFailed(
      'query',
      [{ field: 'cursor', message: 'Invalid cursor' }],
      'The cursor is not one this API gave out for this sort order.',
    )
  let parsed: unknown
  try {
    const bytes = Uint8Array.from(atob(cursor.replace(/-/g, '+').replace(/_/g, '/')), (ch) =>
      ch.charCodeAt(0),
    )
    parsed = JSON.parse(new TextDecoder().decode(bytes))
  } catch {
    throw bad()
  }
  if (!Array.isArray(parsed) || parsed[0] !== sort) throw bad()
  const seq = parsed.at(-1)
  if (!Number.isSafeInteger(seq)) throw bad()
  if (sort !== 'name') {
    if (parsed.length !== 2) throw bad()
    return { seq }
  }
  if (parsed.length !== 3 || typeof parsed[1] !== 'string') throw bad()
  return { seq, name: parsed[1] }
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

  const columns = { movie: movies, ownerName: users.username }
  const base = match
    ? deps.db
        .select(columns)
        .from(moviesFts)
        .innerJoin(movies, eq(movies.seq, moviesFts.rowid))
        .leftJoin(users, eq(users.id, movies.ownerId))
    : selectRow(deps)
  const rows = await base
    .where(and(...conditions))
    .orderBy(...order)
    .limit(query.limit + 1)
  const page = rows.slice(0, query.limit).map(flatten)
  const last = page.at(-1)
  return {
    items: page.map(movieToJson),
    nextCursor: rows.length > query.limit && last ? encodeCursor(query.sort, last) : null,
  }
}

export async function createMovie(deps: Deps, owner: AuthUser, input: CreateMovieInput): Promise<MovieJson> {
  const now = currentDate(deps)
  const id = newId()
  await deps.db.insert(movies).values({
    id,
    name: input.name,
    description: input.description ?? '',
    active: input.active ?? true,
    ownerId: owner.id,
    createdAt: now,
    updatedAt: now,
  })
  return movieToJson((await findMovie(deps, id))!)
}

export async function updateMovie(deps: Deps, id: string, patch: UpdateMovieInput): Promise<MovieJson> {
  await deps.db
    .update(movies)
    .set({ ...patch, updatedAt: currentDate(deps) })
    .where(eq(movies.id, id))
  return movieToJson((await findMovie(deps, id))!)
}

/** Deletes the movie, then its files: a crash between the two leaves orphan blobs, never a row without files. */
export async function deleteMovie(deps: Deps, id: string): Promise<void> {
  await deps.db.delete(movies).where(eq(movies.id, id))
  await deps.blobs.deletePrefix(moviePrefix(id))
}
