/**
 * The movie catalog: who may see and change what, listing with keyset pagination and full-text
 * search, and the JSON a movie is shown as. Plain functions of (deps, input); no Hono types
 * except the two `load…` helpers that read the caller from the context.
 * @module
 */
import { and, asc, desc, eq, or, type SQL, sql } from 'drizzle-orm'
import type { Context } from 'hono'
import { moviesFts } from '../../db/fts.ts'
import { type Movie, type MovieStatus, movies, users } from '../../db/schema.ts'
import { requireUser } from '../auth/middleware.ts'
import type { AppEnv, AuthUser, Deps } from '../env.ts'
import { newId } from '../lib/crypto.ts'
import { ApiError } from '../lib/problem.ts'
import { moviePrefix } from '../storage/keys.ts'

export type MovieSort = 'newest' | 'oldest' | 'name'

export interface ListQuery {
  limit: number
  cursor?: string
  active?: boolean
  status?: MovieStatus
  q?: string
  sort: MovieSort
  /** Only the caller's own movies. */
  mine?: boolean
}

export interface MovieJson {
  id: string
  name: string
  description: string
  active: boolean
  status: MovieStatus
  duration: number | null
  posterUrl: string | null
  manifestUrl: string | null
  renditions: NonNullable<Movie['renditions']>
  owner: { id: string; username: string } | null
  createdAt: string
  updatedAt: string
  publishedAt: string | null
}

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

const notFound = (id: string) => new ApiError(404, 'movie-not-found', `No movie with id "${id}".`)

/** The movie if the caller may see it; otherwise a 404 that does not reveal whether it exists. */
export async function loadMovieForRead(c: Context<AppEnv>, id: string): Promise<MovieRow> {
  const user = c.var.user
  const [row] = await selectRow(c.var.deps)
    .where(and(eq(movies.id, id), visibleTo(user)))
    .limit(1)
  if (!row) throw notFound(id)
  return flatten(row)
}

/** The movie if the caller may change it: 401 anonymous, 404 invisible, 403 visible but not theirs. */
export async function loadMovieForWrite(c: Context<AppEnv>, id: string): Promise<MovieRow> {
  const user = requireUser(c)
  const movie = await loadMovieForRead(c, id)
  if (!canWrite(user, movie))
    throw new ApiError(403, 'forbidden', 'Only the owner or an admin may change this movie.')
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
    new ApiError(422, 'validation', 'The cursor is not one this API gave out for this sort order.', {
      errors: [{ field: 'cursor', message: 'Invalid cursor' }],
    })
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

export async function listMovies(
  deps: Deps,
  user: AuthUser | null,
  query: ListQuery,
): Promise<{ items: MovieJson[]; nextCursor: string | null }> {
  const conditions: (SQL | undefined)[] = [visibleTo(user)]
  if (query.active !== undefined) conditions.push(eq(movies.active, query.active))
  if (query.status) conditions.push(eq(movies.status, query.status))
  if (query.mine && user) conditions.push(eq(movies.ownerId, user.id))

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

export async function createMovie(
  deps: Deps,
  owner: AuthUser,
  input: { name: string; description?: string; active?: boolean },
): Promise<MovieJson> {
  const now = new Date((deps.now ?? Date.now)())
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

export async function updateMovie(
  deps: Deps,
  id: string,
  patch: { name?: string; description?: string; active?: boolean },
): Promise<MovieJson> {
  await deps.db
    .update(movies)
    .set({ ...patch, updatedAt: new Date((deps.now ?? Date.now)()) })
    .where(eq(movies.id, id))
  return movieToJson((await findMovie(deps, id))!)
}

/** Deletes the movie, then its files: a crash between the two leaves orphan blobs, never a row without files. */
export async function deleteMovie(deps: Deps, id: string): Promise<void> {
  await deps.db.delete(movies).where(eq(movies.id, id))
  await deps.blobs.deletePrefix(moviePrefix(id))
}
