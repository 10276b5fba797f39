/** What the caller's own routes (/api/me) send and take, as zod schemas (see movies.schemas.ts). @module */
import { z } from '@hono/zod-openapi'
import { ID_PATTERN } from '../../lib/crypto.ts'
import { ID_MESSAGE } from '../common.schemas.ts'
import { MovieSchema, ProgressSchema } from '../movies/movies.schemas.ts'
import { SeriesSchema } from '../series/series.schemas.ts'

// ─────────────────────────── preferences ───────────────────────────

export const PreferencesSchema = z
  .object({
    autoplayNext: z.boolean().openapi({
      description: 'When an episode ends, count down and play the next one. Default true',
    }),
  })
  .openapi('Preferences')

export type Preferences = z.infer<typeof PreferencesSchema>

/** What is stored: only what the user set; the defaults fill in the rest when it is read. */
export type StoredPreferences = Partial<Preferences>

export const DEFAULT_PREFERENCES: Preferences = { autoplayNext: true }

export const UpdatePreferencesSchema = z
  .strictObject({ autoplayNext: z.boolean().optional() })
  .openapi('UpdatePreferences')

export type UpdatePreferencesInput = z.infer<typeof UpdatePreferencesSchema>

// ─────────────────────────── progress ───────────────────────────

/** Longest movie a position may describe: a day, far beyond anything real, short of nonsense. */
const MAX_SECONDS = 24 * 3600

export const SaveProgressSchema = z
  .strictObject({
    position: z
      .number()
      .min(0)
      .max(MAX_SECONDS)
      .openapi({ description: 'Seconds from the start', example: 754.2 }),
    duration: z.number().positive().max(MAX_SECONDS).openapi({
      description: "Seconds: the movie's duration as the player read it from the manifest",
      example: 1420,
    }),
  })
  .openapi('SaveProgress')

export type SaveProgressInput = z.infer<typeof SaveProgressSchema>

export const ProgressItemSchema = ProgressSchema.extend({ movie: MovieSchema }).openapi('ProgressItem')

export type ProgressItemJson = z.infer<typeof ProgressItemSchema>

export const ProgressPageSchema = z
  .object({ items: z.array(ProgressItemSchema), nextCursor: z.string().nullable() })
  .openapi('ProgressPage')

export type ProgressPage = z.infer<typeof ProgressPageSchema>

const limit = z.coerce.number().int().min(1).max(100).default(20).openapi({ type: 'integer', example: 20 })
const cursor = z.string().max(1000).optional().openapi({ description: 'nextCursor from the previous page' })

export const ProgressQuerySchema = z.strictObject({
  state: z.enum(['watching', 'watched']).optional().openapi({
    description: 'watching: something to resume (`inProgress`); watched: `watched`. Left out: both',
  }),
  limit,
  cursor,
})

export type ProgressQuery = z.output<typeof ProgressQuerySchema>

export const ContinueItemSchema = z
  .object({
    kind: z.enum(['resume', 'next']).openapi({
      description:
        'resume: pick up `movie` where it stopped (`movie.progress`); next: the next episode of a series',
    }),
    movie: MovieSchema,
    at: z
      .string()
      .openapi({ format: 'date-time', description: 'When the caller last watched this (or its series)' }),
  })
  .openapi('ContinueItem')

export type ContinueItemJson = z.infer<typeof ContinueItemSchema>

export const ContinueQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(50).default(20).openapi({ type: 'integer', example: 20 }),
})

// ─────────────────────────── watch list ───────────────────────────

export const WatchlistItemSchema = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('movie'),
      addedAt: z.string().openapi({ format: 'date-time' }),
      movie: MovieSchema,
    }),
    z.object({
      kind: z.literal('series'),
      addedAt: z.string().openapi({ format: 'date-time' }),
      series: SeriesSchema,
    }),
  ])
  .openapi('WatchlistItem')

export type WatchlistItemJson = z.infer<typeof WatchlistItemSchema>

export const WatchlistPageSchema = z
  .object({ items: z.array(WatchlistItemSchema), nextCursor: z.string().nullable() })
  .openapi('WatchlistPage')

export type WatchlistPage = z.infer<typeof WatchlistPageSchema>

export const WatchlistEntrySchema = z
  .object({
    id: z.string(),
    kind: z.enum(['movie', 'series']),
    addedAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('WatchlistEntry')

export type WatchlistEntryJson = z.infer<typeof WatchlistEntrySchema>

export const PageQuerySchema = z.strictObject({ limit, cursor })

export type PageQuery = z.output<typeof PageQuerySchema>

/** A movie id or a series id: both are random 16-character ids, so one never names both. */
export const ItemParam = z.object({
  id: z
    .string()
    .regex(ID_PATTERN, ID_MESSAGE)
    .openapi({
      param: { name: 'id', in: 'path' },
      description: 'A movie id or a series id: both are 16-character ids, random, so one never names both',
      example: 'x3KfQ9aLw0PzR7bT',
    }),
})
