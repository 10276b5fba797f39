/**
 * Keeping the database and storage tidy: expired sessions and rate-limit windows, and what crashed
 * uploads and failed deletes leave behind. Run at start and on a timer by the Node entry, from the
 * Worker's cron trigger (`scheduled` in entry.worker.ts), and now and then by sign-ins.
 * @module
 */
import { and, eq, gt } from 'drizzle-orm'
import { fileLeases, movieFiles, movies } from '../../db/schema.ts'
import { purgeExpiredSessions } from '../auth/tokens.ts'
import { clock, type Deps } from '../env.ts'
import type { Runtime } from '../runtime.ts'
import type { SweepResult } from '../storage/blob-store.ts'
import { movieKey } from '../storage/keys.ts'
import { leaseFile } from './leases.ts'
import { purgeLimits } from './rate-limits.ts'

/** At most one purge a minute per app, however many sign-ins ask for one. */
const PURGE_EVERY_MS = 60_000

/** Deletes expired sessions and ended rate-limit windows. */
export async function purgeExpired(deps: Deps): Promise<void> {
  await purgeExpiredSessions(deps)
  await purgeLimits(deps)
}

/** {@link purgeExpired}, unless this app did it less than a minute ago. */
export async function purgeExpiredNowAndThen(deps: Deps, runtime: Runtime): Promise<void> {
  const now = clock(deps)()
  if (now - runtime.purgedAt.value < PURGE_EVERY_MS && now >= runtime.purgedAt.value) return
  runtime.purgedAt.value = now
  await purgeExpired(deps)
}

export interface SweepSettings {
  /** Temporary files of uploads are removed once this old (and not being written). */
  staleMs: number
  /** A blob without a row is reported at once and removed once it has been one for this long. */
  orphanGraceMs: number
}

/**
 * Where a sweeper remembers when it first saw each blob without a row, from one run to the next:
 * in its own memory (a long-lived Node process) or in the store (a Worker, whose cron runs share
 * nothing else).
 */
export interface SeenMemory {
  load(): Promise<Map<string, number>>
  save(seen: ReadonlyMap<string, number>): Promise<void>
}

/** First sightings kept in this process. */
export function inMemorySeen(): SeenMemory {
  let kept = new Map<string, number>()
  return {
    load: async () => kept,
    save: async (seen) => {
      kept = new Map(seen)
    },
  }
}

/** Where {@link blobSeen} keeps its record: outside movies/, which is all the sweep looks at. */
export const SEEN_KEY = 'housekeeping/orphans-seen.json'

/** First sightings kept as one small JSON blob in the store itself (written only when it changes). */
export function blobSeen(deps: Pick<Deps, 'blobs'>, key = SEEN_KEY): SeenMemory {
  let stored = ''
  return {
    async load() {
      const blob = await deps.blobs.get(key)
      stored = blob ? await new Response(blob.body).text() : ''
      const parsed = stored ? (JSON.parse(stored) as Record<string, number>) : {}
      return new Map(Object.entries(parsed))
    },
    async save(seen) {
      const text = JSON.stringify(Object.fromEntries(seen))
      if (text === stored) return
      if (seen.size === 0) await deps.blobs.delete(key)
      else await deps.blobs.put(key, new TextEncoder().encode(text), { contentType: 'application/json' })
      stored = text
    },
  }
}

export interface SweepReport {
  /** Temporary files (and sidecars of vanished blobs) removed. */
  leftovers: SweepResult
  /** Blobs under movies/ without a `movie_files` row and no write in flight. */
  orphans: { found: number; removed: number; bytes: number }
}

/**
 * Tidies the blob store after crashes: a process killed mid-upload leaves its temporary file, one
 * killed between a file's row and its blob (or a movie's row and its files) leaves a blob nothing
 * lists. Temporary files go once older than `staleMs` unless a live lease (services/leases.ts)
 * says their file is being written, in any process. Blobs without a row are logged the first time
 * they are seen and removed on a later run once `orphanGraceMs` have passed, each under its file's
 * lease, so an upload of that path that starts meanwhile is never undone.
 * When each orphan was first seen is kept in `seen` (this process's memory unless told otherwise).
 * @example const sweep = storageSweeper(deps, { staleMs: 3_600_000, orphanGraceMs: 86_400_000 }); await sweep()
 */
export function storageSweeper(
  deps: Deps,
  settings: SweepSettings,
  seen: SeenMemory = inMemorySeen(),
): () => Promise<SweepReport> {
  return async () => {
    const leftovers = await sweepLeftovers(deps, settings.staleMs)
    const firstSeen = await seen.load()
    const orphans = await reconcile(deps, firstSeen, settings.orphanGraceMs)
    await seen.save(firstSeen)
    if (leftovers.files > 0 || orphans.found > 0) {
      deps.log?.warn(
        { leftovers, orphans },
        'storage sweep: removed leftovers of crashed uploads, found blobs without rows',
      )
    }
    return { leftovers, orphans }
  }
}

/** Keys of files being written now, and movies a publish holds whole (every process's leases). */
async function writesInFlight(deps: Deps): Promise<{ keys: Set<string>; movies: Set<string> }> {
  const live = await deps.db
    .select({ movieId: fileLeases.movieId, path: fileLeases.path })
    .from(fileLeases)
    .where(gt(fileLeases.expiresAt, clock(deps)()))
  const keys = new Set<string>()
  const held = new Set<string>()
  for (const l of live) {
    if (l.path === '') held.add(l.movieId)
    else keys.add(movieKey(l.movieId, l.path))
  }
  return { keys, movies: held }
}

const movieOfKey = (key: string) => /^movies\/([^/]+)\/(.+)$/.exec(key)

async function sweepLeftovers(deps: Deps, staleMs: number): Promise<SweepResult> {
  if (!deps.blobs.sweepLeftovers) return { files: 0, bytes: 0 }
  // The cut-off first, the leases after it: an upload that takes its lease after the read writes
  // its temporary file after the cut-off, which keeps it. (The files' own clock, not deps.now.)
  const before = Date.now() - staleMs
  const inFlight = await writesInFlight(deps)
  return deps.blobs.sweepLeftovers({
    before,
    busy: (key) => {
      const m = movieOfKey(key)
      return inFlight.keys.has(key) || (m !== null && inFlight.movies.has(m[1]!))
    },
  })
}

async function reconcile(
  deps: Deps,
  firstSeen: Map<string, number>,
  graceMs: number,
): Promise<SweepReport['orphans']> {
  const now = clock(deps)()
  // The listing first, the rows and leases after it: a blob listed whose upload ends meanwhile has
  // its row by then, and one still being written has its lease (released after the row is in).
  const byMovie = new Map<string, { path: string; size: number }[]>()
  for (const blob of await deps.blobs.list('movies/')) {
    const m = movieOfKey(blob.key)
    if (!m) continue
    const files = byMovie.get(m[1]!) ?? []
    files.push({ path: m[2]!, size: blob.size })
    byMovie.set(m[1]!, files)
  }
  const inFlight = await writesInFlight(deps)
  const report = { found: 0, removed: 0, bytes: 0 }
  const seen = new Set<string>()
  for (const [movieId, blobs] of byMovie) {
    if (inFlight.movies.has(movieId)) continue
    const [movie] = await deps.db.select({ id: movies.id }).from(movies).where(eq(movies.id, movieId))
    const rows = new Set(
      movie
        ? (
            await deps.db
              .select({ path: movieFiles.path })
              .from(movieFiles)
              .where(eq(movieFiles.movieId, movieId))
          ).map((r) => r.path)
        : [],
    )
    for (const blob of blobs) {
      const key = movieKey(movieId, blob.path)
      if (rows.has(blob.path) || inFlight.keys.has(key)) continue
      report.found++
      seen.add(key)
      const since = firstSeen.get(key) ?? now
      firstSeen.set(key, since)
      if (now - since < graceMs) continue
      if (await removeOrphan(deps, movieId, blob.path, movie !== undefined)) {
        report.removed++
        report.bytes += blob.size
        firstSeen.delete(key)
      }
    }
  }
  for (const key of firstSeen.keys()) if (!seen.has(key)) firstSeen.delete(key)
  return report
}

/** Deletes a blob that has no row, unless one appeared; under the file's lease while its movie exists. */
async function removeOrphan(
  deps: Deps,
  movieId: string,
  path: string,
  movieExists: boolean,
): Promise<boolean> {
  const key = movieKey(movieId, path)
  // A movie that is gone takes no uploads (they need its row), so nothing can race this delete.
  if (!movieExists) {
    await deps.blobs.delete(key)
    return true
  }
  const lease = await leaseFile(deps, movieId, path, null).catch(() => null)
  if (!lease) return false
  try {
    const [row] = await deps.db
      .select({ path: movieFiles.path })
      .from(movieFiles)
      .where(and(eq(movieFiles.movieId, movieId), eq(movieFiles.path, path)))
    if (row) return false
    await deps.blobs.delete(key)
    return true
  } finally {
    await lease.release()
  }
}
