/**
 * Who is writing a movie's files right now, kept in the database so that every server process
 * (WEB_CONCURRENCY, or Workers isolates) sees the same answer:
 *
 * - one writer (upload or delete) per file at a time: a file's blob and its row always come from
 *   the same upload;
 * - a publish only while no file of the movie is being written, and no write while a publish
 *   judges the movie complete;
 * - the bytes promised to uploads still streaming count against the movie's limit, whichever
 *   process receives them.
 *
 * A lease is one row of `file_leases`, taken by a single conditional INSERT (so two processes
 * can never both get it) and renewed while its holder works; one whose process died frees itself
 * after `config.leaseMs`. Waiting for a lease is polling with backoff: writes are short, and a
 * publish takes milliseconds.
 * @module
 */
import { and, eq, gt, ne, sql } from 'drizzle-orm'
import { fileLeases } from '../../db/schema.ts'
import { clock, type Deps } from '../env.ts'
import { randomToken } from '../lib/crypto.ts'
import { movieNotFound } from '../lib/errors.ts'
import { ApiError } from '../lib/problem.ts'

/** How long a request waits for a lease before giving up with a 503. */
export const WAIT_MS = 10 * 60_000
/** The path a publish leases: the whole movie. */
const WHOLE_MOVIE = ''

export interface Lease {
  /** Bytes promised to this upload. */
  bytes: number
  /** Ends the lease (idempotent). */
  release(): Promise<void>
}

/** What is left for one file of a movie, given its other files and the uploads still streaming. */
export interface Room {
  /** Bytes left in the movie's limit. */
  movie: number
  /** Bytes left in the owner's quota; Infinity without a quota (or an owner). */
  user: number
  /** Files the movie may still gain; Infinity when the upload replaces a file it has. */
  files: number
}

/**
 * One row (movie_room, user_room, file_room) of what is left for a file at `path` of the movie,
 * from the per-movie totals (migration 0004's triggers), less the bytes promised to uploads still
 * streaming other than one at `path`. NULL user_room: no quota; NULL file_room: `path` is stored.
 * Shared by {@link roomFor} and the lease's INSERT, so the two always judge alike.
 */
function roomQuery(deps: Deps, movieId: string, path: string, now: number) {
  const { maxMovieBytes, maxMovieFiles, userQuotaBytes } = deps.config
  return sql`
    SELECT
      ${maxMovieBytes} - (m.total_bytes - coalesce(f.size, 0))
        - (SELECT coalesce(sum(bytes), 0) FROM file_leases
           WHERE movie_id = m.id AND path <> ${path} AND expires_at > ${now}) AS movie_room,
      CASE WHEN ${userQuotaBytes} > 0 AND m.owner_id IS NOT NULL THEN
        ${userQuotaBytes} + coalesce(f.size, 0)
          - (SELECT coalesce(sum(total_bytes), 0) FROM movies WHERE owner_id = m.owner_id)
          - (SELECT coalesce(sum(l.bytes), 0) FROM file_leases l JOIN movies o ON o.id = l.movie_id
             WHERE o.owner_id = m.owner_id AND l.expires_at > ${now}
               AND NOT (l.movie_id = m.id AND l.path = ${path}))
      END AS user_room,
      CASE WHEN f.size IS NULL THEN
        ${maxMovieFiles} - m.file_count
          - (SELECT count(*) FROM file_leases l
             WHERE l.movie_id = m.id AND l.path NOT IN (${WHOLE_MOVIE}, ${path}) AND l.expires_at > ${now}
               AND NOT EXISTS (SELECT 1 FROM movie_files WHERE movie_id = m.id AND path = l.path))
      END AS file_room
    FROM movies m LEFT JOIN movie_files f ON f.movie_id = m.id AND f.path = ${path}
    WHERE m.id = ${movieId}`
}

/** What is left for a file at `path` of the movie ({@link Room}); null when the movie is gone. */
export async function roomFor(deps: Deps, movieId: string, path: string): Promise<Room | null> {
  // Through select() rather than db.all(): drivers disagree on the shape of raw rows.
  const [row] = await deps.db
    .select({
      movie: sql<number>`r.movie_room`,
      user: sql<number | null>`r.user_room`,
      files: sql<number | null>`r.file_room`,
    })
    .from(sql`(${roomQuery(deps, movieId, path, clock(deps)())}) r`)
  if (!row) return null
  const unbounded = (n: number | null) => (n === null ? Number.POSITIVE_INFINITY : Number(n))
  return { movie: Number(row.movie), user: unbounded(row.user), files: unbounded(row.files) }
}

/**
 * Takes the lease on one file, waiting while another upload or delete of it, or a publish of the
 * movie, holds theirs. `reserve(room)` is asked, each time the lease is tried, how many bytes the
 * upload needs given the room left ({@link Room}); it throws (413, 422) when they do not fit. A
 * delete passes `null`: it needs no room.
 * @throws whatever `reserve` throws; ApiError 404 when the movie is gone, 503 after {@link WAIT_MS}
 */
export async function leaseFile(
  deps: Deps,
  movieId: string,
  path: string,
  reserve: ((room: Room) => number) | null,
): Promise<Lease> {
  const holder = randomToken(20)
  for (const wait = backoff(); ; await wait()) {
    const room = await roomFor(deps, movieId, path)
    if (!room) throw movieNotFound(movieId)
    const bytes = reserve ? reserve(room) : 0
    const now = clock(deps)()
    // Only when neither this file nor the whole movie is leased, and the upload still fits (another
    // process may have promised bytes or files since roomFor): one statement, so no process can
    // slip between.
    const fits = reserve
      ? sql`${bytes} <= r.movie_room AND (r.user_room IS NULL OR ${bytes} <= r.user_room)
          AND (r.file_room IS NULL OR r.file_room > 0)`
      : sql`1`
    const taken = await deps.db.all(sql`
      INSERT INTO file_leases (movie_id, path, holder, bytes, expires_at)
      SELECT ${movieId}, ${path}, ${holder}, ${bytes}, ${now + deps.config.leaseMs}
      FROM (${roomQuery(deps, movieId, path, now)}) r
      WHERE NOT EXISTS (
          SELECT 1 FROM file_leases
          WHERE movie_id = ${movieId} AND path IN (${WHOLE_MOVIE}, ${path}) AND expires_at > ${now})
        AND ${fits}
      ON CONFLICT (movie_id, path) DO UPDATE
        SET holder = excluded.holder, bytes = excluded.bytes, expires_at = excluded.expires_at
      RETURNING 1`)
    if (taken.length > 0) return held(deps, movieId, path, holder, bytes)
  }
}

/**
 * Takes the lease on the whole movie for a publish, then waits until every upload or delete of
 * its files in flight has ended (none can start meanwhile).
 * @throws ApiError 503 after {@link WAIT_MS}
 */
export async function leaseMovie(deps: Deps, movieId: string): Promise<Lease> {
  const holder = randomToken(20)
  let lease: Lease | null = null
  for (const wait = backoff(); !lease; await wait()) {
    const now = clock(deps)()
    const taken = await deps.db.all(sql`
      INSERT INTO file_leases (movie_id, path, holder, bytes, expires_at)
      SELECT ${movieId}, ${WHOLE_MOVIE}, ${holder}, 0, ${now + deps.config.leaseMs}
      WHERE NOT EXISTS (
        SELECT 1 FROM file_leases WHERE movie_id = ${movieId} AND path = ${WHOLE_MOVIE} AND expires_at > ${now})
      ON CONFLICT (movie_id, path) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
      RETURNING 1`)
    if (taken.length > 0) lease = held(deps, movieId, WHOLE_MOVIE, holder, 0)
  }
  try {
    for (const wait = backoff(); await writesInFlight(deps, movieId); await wait()) {}
  } catch (err) {
    await lease.release()
    throw err
  }
  return lease
}

/**
 * Runs `fn` holding the whole movie ({@link leaseMovie}), and ends the lease after it.
 * @example await holdingMovie(deps, movieId, () => changeTheManifest())
 */
export async function holdingMovie<T>(deps: Deps, movieId: string, fn: () => Promise<T>): Promise<T> {
  const lease = await leaseMovie(deps, movieId)
  try {
    return await fn()
  } finally {
    await lease.release()
  }
}

async function writesInFlight(deps: Deps, movieId: string): Promise<boolean> {
  const [row] = await deps.db
    .select({ path: fileLeases.path })
    .from(fileLeases)
    .where(
      and(
        eq(fileLeases.movieId, movieId),
        ne(fileLeases.path, WHOLE_MOVIE),
        gt(fileLeases.expiresAt, clock(deps)()),
      ),
    )
    .limit(1)
  return row !== undefined
}

/** A lease this request holds: renewed until released. */
function held(deps: Deps, movieId: string, path: string, holder: string, bytes: number): Lease {
  const mine = and(eq(fileLeases.movieId, movieId), eq(fileLeases.path, path), eq(fileLeases.holder, holder))
  const renew = setInterval(() => {
    void deps.db
      .update(fileLeases)
      .set({ expiresAt: clock(deps)() + deps.config.leaseMs })
      .where(mine)
      .catch((err: unknown) => deps.log?.warn({ err, movieId, path }, 'could not renew a file lease'))
  }, deps.config.leaseMs / 3)
  // Node: a lease being renewed must not keep a stopping process alive on its own.
  ;(renew as { unref?: () => void }).unref?.()
  let released = false
  return {
    bytes,
    async release() {
      if (released) return
      released = true
      clearInterval(renew)
      await deps.db.delete(fileLeases).where(mine)
    },
  }
}

/** Waits 2 ms, then longer each time up to 50 ms; throws a 503 once {@link WAIT_MS} have passed. */
function backoff(): () => Promise<void> {
  const started = Date.now()
  let ms = 2
  return async () => {
    if (Date.now() - started > WAIT_MS) {
      throw new ApiError(
        503,
        'busy',
        'Another upload or publish of this movie is taking too long; try again.',
        {},
        {
          'retry-after': '10',
        },
      )
    }
    await new Promise((resolve) => setTimeout(resolve, ms))
    ms = Math.min(50, ms * 2)
  }
}
