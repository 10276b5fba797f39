/** What the series routes send and take, as zod schemas (see movies.schemas.ts). @module */
import { z } from '@hono/zod-openapi'
import { booleanQuery, lineText, proseText } from '../common.schemas.ts'
import { EpisodeRefSchema, MovieSchema, ProgressSchema } from '../movies/movies.schemas.ts'

export const SeasonSchema = z
  .object({
    season: z.number().int(),
    episodeCount: z.number().int().openapi({ description: 'Episodes of this season the caller may see' }),
    nextFreeEpisode: z
      .number()
      .int()
      .nullable()
      .openapi({
        description:
          'The episode number an upload into this season would get (one past the highest taken, drafts ' +
          'included); only for callers who may add episodes (the owner, admins), null for everyone else',
      }),
  })
  .openapi('Season')

export const NextEpisodeSchema = EpisodeRefSchema.extend({
  posterUrl: z.string().nullable(),
  progress: ProgressSchema.nullable().openapi({ description: "The caller's progress on it, if any" }),
}).openapi('NextEpisode')

export type NextEpisodeJson = z.infer<typeof NextEpisodeSchema>

export const SeriesSchema = z
  .object({
    id: z.string().openapi({ example: 'Qm7Lx2vR9sKdP0aZ' }),
    name: z.string().openapi({ example: 'The Rising of the Shield Hero' }),
    description: z.string(),
    posterUrl: z.string().nullable().openapi({
      description: "The series' own poster if one was uploaded, else the first episode's poster",
    }),
    owner: z.object({ id: z.string(), username: z.string() }).nullable(),
    episodeCount: z.number().int().openapi({ description: 'Episodes the caller may see' }),
    seasons: z
      .array(SeasonSchema)
      .openapi({ description: 'Seasons with episodes the caller may see, in order' }),
    activityAt: z.string().openapi({
      format: 'date-time',
      description: 'When its newest episode the caller may see was published (or the series created)',
    }),
    createdAt: z.string().openapi({ format: 'date-time' }),
    updatedAt: z.string().openapi({ format: 'date-time' }),
    inWatchlist: z.boolean().nullable().openapi({
      description: "Whether the series is on the caller's watch list; null for anonymous callers",
    }),
    next: NextEpisodeSchema.nullable().openapi({
      description:
        'The episode to watch next: the one in progress if the latest thing the caller did in this series was ' +
        'to stop in the middle of an episode, otherwise the first unwatched episode after the last watched one ' +
        '(in season, episode order, across seasons). The first episode when nothing is watched (and always for ' +
        'anonymous callers); null when every episode after the last watched one is watched.',
    }),
  })
  .openapi('Series')

export type SeriesJson = z.infer<typeof SeriesSchema>

export const SeriesDetailSchema = SeriesSchema.extend({
  episodes: z.array(MovieSchema).openapi({
    description:
      "Every episode the caller may see, in (season, episode) order, each with the caller's progress",
  }),
}).openapi('SeriesDetail')

export type SeriesDetailJson = z.infer<typeof SeriesDetailSchema>

export const SeriesPageSchema = z
  .object({ items: z.array(SeriesSchema), nextCursor: z.string().nullable() })
  .openapi('SeriesPage')

export type SeriesPage = z.infer<typeof SeriesPageSchema>

const name = lineText(200)
const description = proseText(5000)

export const CreateSeriesSchema = z
  .strictObject({ name, description: description.optional() })
  .openapi('CreateSeries')

export type CreateSeriesInput = z.infer<typeof CreateSeriesSchema>

export const UpdateSeriesSchema = z
  .strictObject({ name: name.optional(), description: description.optional() })
  .openapi('UpdateSeries')

export type UpdateSeriesInput = z.infer<typeof UpdateSeriesSchema>

export const SeriesListQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ type: 'integer', example: 20 }),
  cursor: z.string().max(1000).optional().openapi({ description: 'nextCursor from the previous page' }),
  q: z.string().max(200).optional().openapi({ description: 'Words the name must contain (any case)' }),
  mine: booleanQuery.optional().openapi({ description: "Only the caller's own series" }),
})

export type SeriesListQuery = z.output<typeof SeriesListQuerySchema>

/** The image types a series poster may have, and the file name each is stored under. */
export const SERIES_POSTER_TYPES: Readonly<Record<string, string>> = {
  'image/jpeg': 'poster.jpg',
  'image/png': 'poster.png',
  'image/webp': 'poster.webp',
}
export const SERIES_POSTER_MAX_BYTES = 10 * 1024 * 1024
