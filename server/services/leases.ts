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
 * after {@link LEASE_MS}. Waiting for a lease is polling with backoff: writes are short, and a
 * publish takes milliseconds.
 * @module
 */
import { and, eq, gt, ne, sql } from 'drizzle-orm'
import { fileLeases, movieFiles } from '../../db/schema.ts'
import { clock, type Deps } from '../env.ts'
import { randomToken } from '../lib/crypto.ts'
import { ApiError } from '../lib/problem.ts'

/** How long a lease outlives its last renewal; its holder renews it every third of this. */
export const LEASE_MS = 60_000
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

/**
 * Bytes the movie has room for, for a file at `path`: its limit, less its other files and the
 * uploads into it still streaming (other than one at `path`).
 */
export async function roomFor(deps: Deps, movieId: string, path: string): Promise<number> {
  const now = clock(deps)()
  const [files] = await deps.db
    .select({ total: sql<number>`coalesce(sum(${movieFiles.size}), 0)` })
    .from(movieFiles)
    .where(and(eq(movieFiles.movieId, movieId), ne(movieFiles.path, path)))
  const [promised] = await deps.db
    .select({ total: sql<number>`coalesce(sum(${fileLeases.bytes}), 0)` })
    .from(fileLeases)
    .where(and(eq(fileLeases.movieId, movieId), ne(fileLeases.path, path), gt(fileLeases.expiresAt, now)))
  return deps.config.maxMovieBytes - Number(files?.total ?? 0) - Number(promised?.total ?? 0)
}

/**
 * Takes the lease on one file, waiting while another upload or delete of it, or a publish of the
 * movie, holds theirs. `reserve(room)` is asked, each time the lease is tried, how many bytes the
 * upload needs given the room the movie has left; it throws (413) when they do not fit.
 * @throws whatever `reserve` throws; ApiError 503 after {@link WAIT_MS}
 */
export async function leaseFile(
  deps: Deps,
  movieId: string,
  path: string,
  reserve: (room: number) => number,
): Promise<Lease> {
  const holder = randomToken(20)
  for (const wait = backoff(); ; await wait()) {
    const bytes = reserve(await roomFor(deps, movieId, path))
    const now = clock(deps)()
    // Only when neither this file nor the whole movie is leased, and the bytes still fit (another
    // process may have promised some since roomFor): one statement, so no process can slip between.
    const taken = await deps.db.all(sql`
      INSERT INTO file_leases (movie_id, path, holder, bytes, expires_at)
      SELECT ${movieId}, ${path}, ${holder}, ${bytes}, ${now + LEASE_MS}
      WHERE NOT EXISTS (
          SELECT 1 FROM file_leases
          WHERE movie_id = ${movieId} AND path IN (${WHOLE_MOVIE}, ${path}) AND expires_at > ${now})
        AND ${bytes} <= ${deps.config.maxMovieBytes}
          - (SELECT coalesce(sum(size), 0) FROM movie_files WHERE movie_id = ${movieId} AND path <> ${path})
          - (SELECT coalesce(sum(bytes), 0) FROM file_leases
             WHERE movie_id = ${movieId} AND path <> ${path} AND expires_at > ${now})
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
      SELECT ${movieId}, ${WHOLE_MOVIE}, ${holder}, 0, ${now + LEASE_MS}
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
      .set({ expiresAt: clock(deps)() + LEASE_MS })
      .where(mine)
      .catch((err: unknown) => deps.log?.warn({ err, movieId, path }, 'could not renew a file lease'))
  }, LEASE_MS / 3)
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
