/**
 * A movie's stored files: the upload protocol (idempotent PUT per file, resume by listing what is
 * stored), deletion while a draft, and the lookup behind /media.
 *
 * Invariant: a `movie_files` row exists only for a blob that is fully stored with that hash. A put
 * writes the blob first and the row second; a delete removes the row first and the blob second.
 * A crash in between leaves at worst an orphan blob, which a re-upload overwrites.
 * @module
 */
import { and, eq, gt, sql } from 'drizzle-orm'
import { type Movie, type MovieFile, movieFiles, movies } from '../../db/schema.ts'
import { type AuthUser, currentDate, type Deps } from '../env.ts'
import { sha256Hex } from '../lib/crypto.ts'
import { decodeCursor, encodeCursor } from '../lib/cursor.ts'
import { fileNotFound, invalidPath, movieNotFound } from '../lib/errors.ts'
import { contentTypeFor, extensionOf, isServerMade, POSTER_FILE } from '../lib/paths.ts'
import { ApiError } from '../lib/problem.ts'
import type { FileJson, FileList, FileListQuery } from '../routes/files/files.schemas.ts'
import type { Runtime } from '../runtime.ts'
import {
  BlobHashMismatchError,
  type BlobInfo,
  BlobLengthMismatchError,
  BlobTooLargeError,
} from '../storage/blob-store.ts'
import { movieKey } from '../storage/keys.ts'
import { canWrite } from './access.ts'
import { type Lease, leaseFile, type Room } from './leases.ts'

export const fileToJson = (f: MovieFile): FileJson => ({
  path: f.path,
  size: f.size,
  sha256: f.sha256,
  contentType: f.contentType,
  createdAt: f.createdAt.toISOString(),
})

/**
 * A page of the movie's files, sorted by path (the primary key's order, so a page is an index
 * range however many files there are), with the whole movie's totals.
 * @throws ApiError 422 for a cursor this list did not give out
 */
export async function listMovieFiles(deps: Deps, movieId: string, query: FileListQuery): Promise<FileList> {
  const after = query.cursor
    ? decodeCursor(query.cursor, (k) => (k.length === 1 && typeof k[0] === 'string' ? k[0] : null))
    : null
  const [rows, [totals]] = await Promise.all([
    deps.db
      .select()
      .from(movieFiles)
      .where(
        after === null
          ? eq(movieFiles.movieId, movieId)
          : and(eq(movieFiles.movieId, movieId), gt(movieFiles.path, after)),
      )
      .orderBy(movieFiles.path)
      .limit(query.limit + 1),
    deps.db
      .select({ totalBytes: movies.totalBytes, fileCount: movies.fileCount })
      .from(movies)
      .where(eq(movies.id, movieId)),
  ])
  const page = rows.slice(0, query.limit)
  const last = page[page.length - 1]
  return {
    items: page.map(fileToJson),
    totalBytes: totals?.totalBytes ?? 0,
    fileCount: totals?.fileCount ?? 0,
    nextCursor: rows.length > query.limit && last ? encodeCursor([last.path]) : null,
  }
}

export interface PutFileInput {
  /** Already checked with checkUrlPath. */
  path: string
  body: ReadableStream<Uint8Array> | null
  /** Lower-case hex SHA-256 the client says the body has. */
  sha256: string
  /** The declared Content-Length, when there is one. */
  size?: number
}

/**
 * Stores one file of a movie. Same path and same hash again: nothing is rewritten (`created:
 * false`). A different hash replaces the file while the movie is a draft, and is a 409 once it is
 * published.
 * @throws ApiError 400 (hash or length mismatch), 404 (movie gone), 409, 413
 */
export async function putMovieFile(
  deps: Deps,
  runtime: Runtime,
  movieId: string,
  input: PutFileInput,
): Promise<{ file: FileJson; created: boolean }> {
  const { path, sha256 } = input
  if (isServerMade(path)) {
    await input.body?.cancel().catch(() => {})
    throw invalidPath(
      'HLS playlists (.m3u8) are written by the server when the movie is published; upload the DASH manifest and its segments',
    )
  }
  const { maxFileBytes } = deps.config
  const declared = input.size
  if (declared !== undefined && declared > maxFileBytes) throw fileTooLarge(maxFileBytes)
  // The bytes this upload may take, asked again each time the lease is tried: the smallest of the
  // per-file limit, what is left of the movie's and what is left of its owner's quota. An upload
  // without Content-Length holds its whole allowance until it ends. Everything here is decided
  // before a byte of the body is read.
  let limit = 0
  let tooLarge: () => ApiError = () => fileTooLarge(maxFileBytes)
  const reserve = (room: Room) => {
    if (room.files <= 0) throw tooManyFiles(deps.config.maxMovieFiles)
    limit = Math.max(0, Math.min(maxFileBytes, room.movie, room.user))
    tooLarge =
      limit === maxFileBytes
        ? () => fileTooLarge(maxFileBytes)
        : room.user < room.movie
          ? () => quotaExceeded(deps.config.userQuotaBytes, room.user)
          : () => movieTooLarge(deps.config.maxMovieBytes, room.movie)
    if (declared !== undefined && declared > limit) throw tooLarge()
    return declared ?? limit
  }
  return withFile(deps, movieId, path, reserve, async (movie, lease) => {
    const [existing] = await deps.db
      .select()
      .from(movieFiles)
      .where(and(eq(movieFiles.movieId, movieId), eq(movieFiles.path, path)))
    const key = movieKey(movieId, path)

    if (existing?.sha256 === sha256) {
      const blob = await deps.blobs.head(key)
      if (blob?.sha256 === sha256) {
        await input.body?.cancel().catch(() => {})
        return { file: fileToJson(existing), created: false }
      }
      // The row outlived its blob (storage restored from an older backup?): store it again.
    } else if (existing && movie.status === 'ready') {
      await input.body?.cancel().catch(() => {})
      throw new ApiError(
        409,
        'file-immutable',
        `"${path}" is part of a published movie and already has different content; published files never change.`,
        { path, sha256: existing.sha256 },
      )
    } else if (movie.status === 'ready' && !POSTER_EXTENSIONS.includes(extensionOf(path) ?? '')) {
      // What changes after publishing does so under new names the server gives: subtitles and
      // the manifest versions that list them (POST /api/movies/{id}/subtitles).
      await input.body?.cancel().catch(() => {})
      throw new ApiError(
        409,
        'movie-published',
        `The movie is published: only images may be added to it now. Subtitles are added with POST /api/movies/{id}/subtitles.`,
        { path },
      )
    }

    const ended = deps.metrics?.uploadStarted(lease.bytes)
    try {
      const info = await deps.blobs
        .put(key, input.body ?? new Uint8Array(0), {
          sha256,
          maxBytes: limit,
          contentType: contentTypeFor(path),
          ...(declared !== undefined ? { size: declared } : {}),
        })
        .catch((err: unknown) => {
          throw blobPutError(err, tooLarge)
        })
      const row = fileRow(deps, movieId, path, info)
      if (!(await insertFileRow(deps, row))) {
        // The movie was deleted while its file streamed in.
        await deps.blobs.delete(key)
        throw movieNotFound(movieId)
      }
      runtime.servable.delete(servableKey(movieId, path))
      // A new poster of a published movie replaces the old one in the catalog; the old file stays,
      // as caches may hold its URL.
      if (movie.status === 'ready' && POSTER_FILE.test(path)) {
        await deps.db
          .update(movies)
          .set({ poster: path, updatedAt: currentDate(deps) })
          .where(eq(movies.id, movieId))
      }
      return { file: fileToJson(row), created: !existing }
    } finally {
      ended?.()
    }
  })
}

/**
 * Inserts (or replaces) a file's row if its movie still exists; false if it does not. Said in the
 * statement itself rather than left to the foreign key, which not every connection enforces
 * (PRAGMA foreign_keys is per connection; libSQL over HTTP does not keep it).
 */
async function insertFileRow(deps: Deps, row: MovieFile): Promise<boolean> {
  const stored = await deps.db
    .insert(movieFiles)
    .select(
      // Every column, in the table's order, from the movie's row: none when it is gone.
      deps.db
        .select({
          movieId: movies.id,
          path: sql<string>`${row.path}`.as('path'),
          size: sql<number>`${row.size}`.as('size'),
          sha256: sql<string>`${row.sha256}`.as('sha256'),
          contentType: sql<string>`${row.contentType}`.as('contentType'),
          createdAt: sql<Date>`${row.createdAt.getTime()}`.as('createdAt'),
        })
        .from(movies)
        .where(eq(movies.id, row.movieId)),
    )
    .onConflictDoUpdate({
      target: [movieFiles.movieId, movieFiles.path],
      set: { size: row.size, sha256: row.sha256, contentType: row.contentType, createdAt: row.createdAt },
    })
    .returning({ path: movieFiles.path })
  return stored.length > 0
}

/** Images may still be added to a published movie (a new poster); nothing else may. */
const POSTER_EXTENSIONS = ['jpg', 'jpeg', 'png', 'webp']

/**
 * Stores a file the server made itself (a subtitle, a manifest version), unless it is already
 * stored with these bytes. The caller holds the movie's exclusive lock.
 */
export async function writeMovieFile(
  deps: Deps,
  runtime: Runtime,
  movieId: string,
  path: string,
  bytes: Uint8Array,
): Promise<void> {
  const sha256 = await sha256Hex(bytes)
  const [existing] = await deps.db
    .select({ sha256: movieFiles.sha256 })
    .from(movieFiles)
    .where(and(eq(movieFiles.movieId, movieId), eq(movieFiles.path, path)))
  if (existing?.sha256 === sha256) return
  if (existing) throw new Error(`"${path}" already holds other bytes`)
  const info = await deps.blobs.put(movieKey(movieId, path), bytes, {
    sha256,
    size: bytes.byteLength,
    contentType: contentTypeFor(path),
  })
  if (!(await insertFileRow(deps, fileRow(deps, movieId, path, info)))) {
    // The movie was deleted meanwhile (deleting takes no lease).
    await deps.blobs.delete(movieKey(movieId, path))
    throw movieNotFound(movieId)
  }
  runtime.servable.delete(servableKey(movieId, path))
}

/** The `movie_files` row of a blob just stored. */
function fileRow(deps: Deps, movieId: string, path: string, info: BlobInfo): MovieFile {
  const { size, sha256, contentType } = info
  return { movieId, path, size, sha256, contentType, createdAt: currentDate(deps) }
}

/** Deletes files the server no longer lists (row first, then blob). The caller holds the movie's exclusive lock. */
export async function dropMovieFiles(
  deps: Deps,
  runtime: Runtime,
  movieId: string,
  paths: readonly string[],
): Promise<void> {
  for (const path of paths) {
    await deps.db.delete(movieFiles).where(and(eq(movieFiles.movieId, movieId), eq(movieFiles.path, path)))
    runtime.servable.delete(servableKey(movieId, path))
    await deps.blobs.delete(movieKey(movieId, path))
  }
}

/** Deletes one file of a draft movie. Deleting a file that is not there is a 404. */
export async function deleteMovieFile(
  deps: Deps,
  runtime: Runtime,
  movieId: string,
  path: string,
): Promise<void> {
  await withFile(deps, movieId, path, null, async (movie) => {
    if (movie.status === 'ready') {
      throw new ApiError(
        409,
        'movie-published',
        'Files of a published movie cannot be deleted; delete the movie instead.',
      )
    }
    const deleted = await deps.db
      .delete(movieFiles)
      .where(and(eq(movieFiles.movieId, movieId), eq(movieFiles.path, path)))
      .returning({ path: movieFiles.path })
    if (deleted.length === 0) throw fileNotFound(movieId, path)
    runtime.servable.delete(servableKey(movieId, path))
    await deps.blobs.delete(movieKey(movieId, path))
  })
}

/**
 * Runs `fn` holding this file's lease (server/services/leases.ts: no other upload or delete of it,
 * and no publish of the movie, in any process), with the movie's status read under it: a publish
 * or another upload of the same path may have finished while we waited.
 */
async function withFile<T>(
  deps: Deps,
  movieId: string,
  path: string,
  reserve: ((room: Room) => number) | null,
  fn: (movie: Pick<Movie, 'status'>, lease: Lease) => Promise<T>,
): Promise<T> {
  if (!(await movieExists(deps, movieId))) throw movieNotFound(movieId)
  const lease = await leaseFile(deps, movieId, path, reserve).catch(async (err: unknown) => {
    // The movie was deleted while we waited (the foreign key refuses the lease).
    if (err instanceof ApiError || (await movieExists(deps, movieId))) throw err
    throw movieNotFound(movieId)
  })
  try {
    const [movie] = await deps.db.select({ status: movies.status }).from(movies).where(eq(movies.id, movieId))
    if (!movie) throw movieNotFound(movieId)
    return await fn(movie, lease)
  } finally {
    await lease.release()
  }
}

async function movieExists(deps: Deps, movieId: string): Promise<boolean> {
  const [row] = await deps.db.select({ id: movies.id }).from(movies).where(eq(movies.id, movieId))
  return row !== undefined
}

export interface ServableFile {
  movie: Pick<Movie, 'id' | 'status' | 'active' | 'ownerId'>
  /** Published and active: anyone may fetch it, and shared caches may keep it. */
  isPublic: boolean
  file: MovieFile
}

/**
 * The file behind `/media/<id>/<path>` if the caller may see it: anyone for a published, active
 * movie; the owner and admins for anything else. One query for the movie and the file together.
 * @throws ApiError 404 for a movie the caller may not see (without saying whether it exists) or a missing file.
 */
export async function findServableFile(
  deps: Deps,
  runtime: Runtime,
  user: AuthUser | null,
  movieId: string,
  path: string,
): Promise<ServableFile> {
  const cacheKey = servableKey(movieId, path)
  const cached = runtime.servable.get(cacheKey)
  if (cached) return cached

  const [row] = await deps.db
    .select({
      id: movies.id,
      status: movies.status,
      active: movies.active,
      ownerId: movies.ownerId,
      file: movieFiles,
    })
    .from(movies)
    .leftJoin(movieFiles, and(eq(movieFiles.movieId, movies.id), eq(movieFiles.path, path)))
    .where(eq(movies.id, movieId))
    .limit(1)
  const isPublic = row?.status === 'ready' && row.active
  if (!row || !(isPublic || (user && canWrite(user, row)))) throw movieNotFound(movieId)
  if (!row.file) throw fileNotFound(movieId, path)
  const { file, ...movie } = row
  const value = { movie, isPublic, file }
  // Only public lookups are kept (runtime.ts says for how long): they do not depend on the caller.
  if (isPublic) runtime.servable.set(cacheKey, value)
  return value
}

/** Drops a cached lookup, e.g. when its blob turned out to be gone (the movie was deleted meanwhile). */
export function forgetServableFile(runtime: Runtime, movieId: string, path: string): void {
  runtime.servable.delete(servableKey(movieId, path))
}

const servableKey = (movieId: string, path: string) => `${movieId}/${path}`

// ───────────────────────────── limits ─────────────────────────────

const fileTooLarge = (limit: number) =>
  new ApiError(413, 'file-too-large', `A file may be at most ${limit} bytes.`, { limit })

const movieTooLarge = (limit: number, room: number) =>
  new ApiError(
    413,
    'movie-too-large',
    `This file would take the movie past its limit of ${limit} bytes; ${Math.max(0, room)} bytes are left.`,
    { limit, remaining: Math.max(0, room) },
  )

const quotaExceeded = (quota: number, room: number) =>
  new ApiError(
    413,
    'quota-exceeded',
    `This file would take your uploads past its owner's quota of ${quota} bytes (USER_QUOTA_BYTES); ${Math.max(0, room)} bytes are left.`,
    { quota, remaining: Math.max(0, room) },
  )

const tooManyFiles = (limit: number) =>
  new ApiError(
    422,
    'too-many-files',
    `A movie may have at most ${limit} files (MAX_MOVIE_FILES); this one has them all.`,
    { limit },
  )

/** What a failed BlobStore.put means to the uploader: 400 for a body that is not what it said, `tooLarge` for one over its limit. */
export function blobPutError(err: unknown, tooLarge: () => ApiError): unknown {
  if (err instanceof BlobHashMismatchError) {
    return new ApiError(
      400,
      'sha256-mismatch',
      `The body's SHA-256 is ${err.actual}, but x-content-sha256 said ${err.expected}; nothing was stored.`,
      { expected: err.expected, actual: err.actual },
    )
  }
  if (err instanceof BlobLengthMismatchError) {
    return new ApiError(400, 'length-mismatch', `${err.message}; nothing was stored.`, {
      expected: err.expected,
    })
  }
  if (err instanceof BlobTooLargeError) return tooLarge()
  return err
}
