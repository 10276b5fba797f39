/**
 * The catalog's tables. One schema for every driver (libSQL file, libSQL over HTTP, D1);
 * migrations in db/migrations are generated from it by drizzle-kit.
 * @module
 */
import { sql } from 'drizzle-orm'
import {
  check,
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core'
import type { StoredPreferences } from '../server/routes/me/me.schemas.ts'
// Types only (erased): the shapes the API shows are declared once, as zod schemas, and stored as is.
import type { Rendition, StoredSubtitle } from '../server/routes/movies/movies.schemas.ts'

/** admin: everything; uploader: their own movies and series; viewer: watches, keeps a list, uploads nothing. */
export const ROLES = ['admin', 'uploader', 'viewer'] as const
export type Role = (typeof ROLES)[number]

/** The roles an invite may give (admins are made by admins, never by a link). */
export const INVITE_ROLES = ['viewer', 'uploader'] as const
export type InviteRole = (typeof INVITE_ROLES)[number]

/**
 * What an API token may do (none given: all three). read: GET and HEAD; upload: every other
 * request outside account management (and reading, which uploading needs); admin: account
 * management (tokens, password, sessions, users, invites), within what the user's role allows.
 */
export const TOKEN_SCOPES = ['read', 'upload', 'admin'] as const
export type TokenScope = (typeof TOKEN_SCOPES)[number]

export const MOVIE_STATUSES = ['draft', 'ready', 'failed'] as const
export type MovieStatus = (typeof MOVIE_STATUSES)[number]

const createdAt = () =>
  integer('created_at', { mode: 'timestamp_ms' }).notNull().default(sql`(unixepoch('subsec') * 1000)`)

export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  username: text('username').notNull().unique(),
  passwordHash: text('password_hash').notNull(),
  role: text('role', { enum: ROLES }).notNull().default('uploader'),
  active: integer('active', { mode: 'boolean' }).notNull().default(true),
  createdAt: createdAt(),
  /** What the user chose (autoplay of the next episode, …); read through PreferencesSchema's defaults. */
  preferences: text('preferences', { mode: 'json' }).$type<StoredPreferences>().notNull().default({}),
})

export const sessions = sqliteTable(
  'sessions',
  {
    // SHA-256 of the cookie value: a leaked database row cannot be replayed as a cookie.
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    createdAt: createdAt(),
    /** The browser's User-Agent at sign-in (shortened), so an admin can tell sessions apart. */
    userAgent: text('user_agent'),
  },
  (t) => [index('sessions_user_idx').on(t.userId), index('sessions_expires_idx').on(t.expiresAt)],
)

export const apiTokens = sqliteTable(
  'api_tokens',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    // SHA-256 of the secret; the secret itself is shown once at creation and never stored.
    tokenHash: text('token_hash').notNull().unique(),
    prefix: text('prefix').notNull(),
    createdAt: createdAt(),
    lastUsedAt: integer('last_used_at', { mode: 'timestamp_ms' }),
    revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
    /** What the token may do; null (tokens made before scopes existed) means every scope. */
    scopes: text('scopes', { mode: 'json' }).$type<TokenScope[]>(),
    /** When the token stops working; null: never. */
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }),
  },
  (t) => [index('api_tokens_user_idx').on(t.userId)],
)

export const movies = sqliteTable(
  'movies',
  {
    /**
     * Creation order, and the rowid the full-text index is keyed on. An explicit INTEGER PRIMARY
     * KEY never changes (VACUUM may renumber an implicit rowid), and because it follows creation
     * order, FTS5 can return matches newest first and stop at the page size.
     */
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    /** The public, opaque id used in URLs. */
    id: text('id').notNull().unique(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    status: text('status', { enum: MOVIE_STATUSES }).notNull().default('draft'),
    /** Seconds, from the published manifest. */
    duration: real('duration'),
    /** Path of the poster among the movie's files, e.g. `poster.jpg`. */
    poster: text('poster'),
    /** Path of the manifest among the movie's files, set on publish. */
    manifest: text('manifest'),
    /** Path of the HLS multivariant playlist derived from the manifest, when its segments are CMAF. */
    hls: text('hls'),
    renditions: text('renditions', { mode: 'json' }).$type<Rendition[]>(),
    ownerId: text('owner_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' })
      .notNull()
      .default(sql`(unixepoch('subsec') * 1000)`),
    publishedAt: integer('published_at', { mode: 'timestamp_ms' }),
    /** Languages (RFC 5646) of the audio tracks of the published manifest, in its order. */
    audioLanguages: text('audio_languages', { mode: 'json' }).$type<string[]>().notNull().default([]),
    /** The subtitle tracks of the published manifest (they may change after publishing). */
    subtitles: text('subtitles', { mode: 'json' }).$type<StoredSubtitle[]>().notNull().default([]),
    /** The series this movie is an episode of; season and episode are set exactly when this is. */
    seriesId: text('series_id').references(() => series.id, { onDelete: 'set null' }),
    season: integer('season'),
    episode: integer('episode'),
    /**
     * Sum of the sizes and number of the movie's files, kept by triggers on movie_files (migration
     * 0003): upload limits and quotas read them instead of summing thousands of rows per upload.
     */
    totalBytes: integer('total_bytes').notNull().default(0),
    fileCount: integer('file_count').notNull().default(0),
  },
  (t) => [
    // Every index ends in the rowid (seq), so each also serves "newest first" within its prefix.
    index('movies_name_idx').on(t.name),
    index('movies_owner_idx').on(t.ownerId),
    index('movies_visible_idx').on(t.status, t.active),
    // One movie per episode number; standalone movies (all NULL) never collide. Also serves
    // "the episodes of a series, in order".
    uniqueIndex('movies_episode_unique').on(t.seriesId, t.season, t.episode),
  ],
)

export const series = sqliteTable(
  'series',
  {
    /** Creation order: the tie-breaker of "newest activity first". */
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    id: text('id').notNull().unique(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    /** File name of the uploaded poster in the blob store (`series/<id>/<poster>`), if any. */
    poster: text('poster'),
    posterSha256: text('poster_sha256'),
    ownerId: text('owner_id').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' })
      .notNull()
      .default(sql`(unixepoch('subsec') * 1000)`),
  },
  (t) => [index('series_name_idx').on(t.name), index('series_owner_idx').on(t.ownerId)],
)

/** A user's watch list: movies and whole series, newest added first (seq). */
export const watchlist = sqliteTable(
  'watchlist',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    movieId: text('movie_id').references(() => movies.id, { onDelete: 'cascade' }),
    seriesId: text('series_id').references(() => series.id, { onDelete: 'cascade' }),
    addedAt: integer('added_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    index('watchlist_user_idx').on(t.userId),
    uniqueIndex('watchlist_movie_unique').on(t.userId, t.movieId),
    uniqueIndex('watchlist_series_unique').on(t.userId, t.seriesId),
    check('watchlist_one_item', sql`(${t.movieId} IS NULL) <> (${t.seriesId} IS NULL)`),
  ],
)

/** Where a user is in a movie. Only /api/me/* reads it, and only the user's own rows. */
export const progress = sqliteTable(
  'progress',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    movieId: text('movie_id')
      .notNull()
      .references(() => movies.id, { onDelete: 'cascade' }),
    /** Seconds. */
    position: real('position').notNull(),
    duration: real('duration').notNull(),
    /** This position is past the end threshold (services/progress.ts): nothing left to resume. */
    completed: integer('completed', { mode: 'boolean' }).notNull().default(false),
    /** Watched to the end at some point (or marked so); stays when the movie is watched again. */
    watched: integer('watched', { mode: 'boolean' }).notNull().default(false),
    watchedAt: integer('watched_at', { mode: 'timestamp_ms' }),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.movieId] }),
    index('progress_user_recent_idx').on(t.userId, t.updatedAt),
  ],
)

/** Sign-up invites: single use, expiring, the secret stored only as its SHA-256. */
export const invites = sqliteTable('invites', {
  id: text('id').primaryKey(),
  tokenHash: text('token_hash').notNull().unique(),
  role: text('role', { enum: INVITE_ROLES }).notNull().default('viewer'),
  createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
  createdAt: createdAt(),
  expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
  usedAt: integer('used_at', { mode: 'timestamp_ms' }),
  usedBy: text('used_by').references(() => users.id, { onDelete: 'set null' }),
})

/** Files stored for a movie: manifest, init and media segments, poster. */
export const movieFiles = sqliteTable(
  'movie_files',
  {
    movieId: text('movie_id')
      .notNull()
      .references(() => movies.id, { onDelete: 'cascade' }),
    path: text('path').notNull(),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
    contentType: text('content_type').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.movieId, t.path] })],
)

/**
 * Uploads, deletes and publishes of a movie's files in flight, shared by every server process
 * (server/services/leases.ts): one writer per file, a publish only when no file is being written,
 * and the bytes promised to uploads still streaming, counted against the movie's limit.
 */
export const fileLeases = sqliteTable(
  'file_leases',
  {
    movieId: text('movie_id')
      .notNull()
      .references(() => movies.id, { onDelete: 'cascade' }),
    /** The file being written; '' for a publish, which holds the whole movie. */
    path: text('path').notNull(),
    /** Random id of the request holding it: only its holder ends or renews a lease. */
    holder: text('holder').notNull(),
    /** Bytes promised to the upload until it ends. */
    bytes: integer('bytes').notNull().default(0),
    /** A lease whose process died is free again after this (ms); live holders renew it. */
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.movieId, t.path] })],
)

/**
 * A number that moves whenever a session may have stopped signing its user in: a session deleted
 * (sign-out, sessions ended by a password change, reset or deactivation, account deleted) or an
 * account's role, name or active flag changed. Moved by triggers (migration 0005), one row. Each
 * server process keeps session lookups for a while (server/auth/tokens.ts) and drops them all when
 * it reads a new number here, so a sign-out in one process is seen by every other at their next
 * request.
 */
export const authGeneration = sqliteTable('auth_generation', {
  id: integer('id').primaryKey(),
  n: integer('n').notNull().default(0),
})

/**
 * A number that moves whenever what the catalog shows anyone may have changed: a movie added,
 * changed or deleted, a series renamed or deleted, an account renamed or deleted (owner names are
 * in the movie JSON). Moved by triggers (migration 0007), one row. Each server process keeps the
 * catalog answers it gave anonymous callers (server/services/catalog-cache.ts) and reuses one only
 * while this number is the one read before it was made, so a publish in any process is seen by
 * every other at their next request.
 */
export const catalogGeneration = sqliteTable('catalog_generation', {
  id: integer('id').primaryKey(),
  n: integer('n').notNull().default(0),
})

/**
 * Rate-limit counters shared by every server process (and Workers isolate): failed sign-ins per
 * username and address, per address, and overall; sign-ups per address; password changes per
 * user. A fixed window per key: `count` attempts until `reset_at`.
 */
export const authLimits = sqliteTable(
  'auth_limits',
  {
    key: text('key').primaryKey(),
    count: integer('count').notNull(),
    resetAt: integer('reset_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (t) => [index('auth_limits_reset_idx').on(t.resetAt)],
)

export type User = typeof users.$inferSelect
export type Movie = typeof movies.$inferSelect
export type MovieFile = typeof movieFiles.$inferSelect
export type ApiToken = typeof apiTokens.$inferSelect
export type Series = typeof series.$inferSelect
export type Progress = typeof progress.$inferSelect
export type Invite = typeof invites.$inferSelect
