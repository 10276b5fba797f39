/**
 * What the catalog sends and takes, as zod schemas: the OpenAPI document, the request validation,
 * the services' return types (`z.infer`) and, through the routes, the typed client all come from these.
 * @module
 */
import { z } from '@hono/zod-openapi'
import { MOVIE_STATUSES } from '../../../db/schema.ts'
import { ID_PATTERN } from '../../lib/crypto.ts'
import { SUBTITLE_ROLES } from '../../lib/dash/tracks.ts'
import { canonicalLanguage } from '../../lib/languages.ts'
import { booleanQuery, ID_MESSAGE, lineText, proseText } from '../common.schemas.ts'

export const RenditionSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['video', 'audio']),
    codecs: z.string(),
    bandwidth: z.number().int(),
    width: z.number().int().optional(),
    height: z.number().int().optional(),
  })
  .openapi('Rendition')

/** One rendition of a published movie, as read from its manifest (stored as JSON on the movie's row). */
export type Rendition = z.infer<typeof RenditionSchema>

/** A language tag in a request: any spelling (`jpn`, `ja`, `JA`, `pt_br`), canonical RFC 5646 after validation. */
export const LanguageTag = z
  .string()
  .max(35)
  .transform((tag, ctx) => {
    const canonical = canonicalLanguage(tag)
    if (!canonical) {
      ctx.addIssue({ code: 'custom', message: 'Expected a language tag such as "ja", "jpn" or "pt-BR"' })
      return z.NEVER
    }
    return canonical
  })
  .openapi({ type: 'string', example: 'jpn' })

export const SubtitleSchema = z
  .object({
    id: z.string().openapi({ description: 'The Representation id in the manifest', example: 's0' }),
    language: z.string().nullable().openapi({ description: 'RFC 5646, e.g. "en"', example: 'en' }),
    label: z.string().openapi({ example: 'English (signs & songs)' }),
    role: z.enum(SUBTITLE_ROLES).openapi({
      description:
        'subtitle: the dialogue; forced-subtitle: only what the audio does not translate (signs), shown even with subtitles off; caption: dialogue and sounds for the deaf and hard of hearing',
    }),
    url: z
      .string()
      .openapi({ description: 'The WebVTT file', example: '/media/x3KfQ9aLw0PzR7bT/subs-en-0a1b2c3d.vtt' }),
  })
  .openapi('Subtitle')

export type SubtitleJson = z.infer<typeof SubtitleSchema>
/** A subtitle track as stored on the movie's row: its file's path inside the movie instead of a URL. */
export type StoredSubtitle = Omit<SubtitleJson, 'url'> & { path: string }

/** A position in a series: enough for a "Next episode" button or an "S1 E3" label. */
export const EpisodeRefSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    season: z.number().int(),
    episode: z.number().int(),
  })
  .openapi('EpisodeRef')

export type EpisodeRef = z.infer<typeof EpisodeRefSchema>

export const ProgressSchema = z
  .object({
    movieId: z.string(),
    position: z.number().openapi({ description: 'Seconds from the start, as last saved', example: 754.2 }),
    duration: z.number().openapi({ description: 'Seconds, as the player last reported it' }),
    watched: z.boolean().openapi({
      description:
        'Watched to the end at some point (past 90% of the duration, or within its last 120 s once past the ' +
        'half-way point), or marked watched. Stays true when the movie is watched again; only marking it ' +
        'unwatched or deleting the progress clears it.',
    }),
    inProgress: z.boolean().openapi({
      description:
        'There is something to resume: the saved position is past the start and not yet past the end threshold. ' +
        'A page offers "Resume from `position`" exactly when this is true.',
    }),
    watchedAt: z.string().nullable().openapi({ format: 'date-time' }),
    updatedAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Progress')

export type ProgressJson = z.infer<typeof ProgressSchema>

export const MovieSchema = z
  .object({
    id: z.string().openapi({ example: 'x3KfQ9aLw0PzR7bT' }),
    name: z.string().openapi({ example: 'The Rising of the Shield Hero, episode 1' }),
    description: z.string(),
    active: z.boolean(),
    status: z.enum(MOVIE_STATUSES),
    duration: z.number().nullable().openapi({ description: 'Seconds, known once published' }),
    posterUrl: z.string().nullable(),
    manifestUrl: z.string().nullable().openapi({ description: 'The DASH manifest, once published' }),
    hlsUrl: z.string().nullable().openapi({
      description:
        "The HLS multivariant playlist over the same segments, once published; null when the manifest's segments are not fragmented MP4 (CMAF)",
      example: '/media/x3KfQ9aLw0PzR7bT/master.m3u8',
    }),
    renditions: z.array(RenditionSchema).openapi({ description: 'Single movies only; lists leave it out' }),
    maxHeight: z.number().int().nullable().openapi({
      description: 'Height of the tallest video rendition (a 1080p badge); null before publishing',
    }),
    owner: z.object({ id: z.string(), username: z.string() }).nullable(),
    createdAt: z.string().openapi({ format: 'date-time' }),
    updatedAt: z.string().openapi({ format: 'date-time' }),
    publishedAt: z.string().nullable().openapi({ format: 'date-time' }),
    audioLanguages: z.array(z.string()).openapi({
      description: 'Languages (RFC 5646) of the audio tracks, main first',
      example: ['ja', 'en'],
    }),
    subtitleLanguages: z
      .array(z.string())
      .openapi({ description: 'Languages of the subtitle tracks, without repeats', example: ['en', 'es'] }),
    subtitles: z.array(SubtitleSchema),
    series: z
      .object({ id: z.string(), name: z.string() })
      .nullable()
      .openapi({ description: 'The series this movie is an episode of' }),
    season: z.number().int().nullable(),
    episode: z.number().int().nullable(),
    previousEpisode: EpisodeRefSchema.nullable().openapi({
      description: 'The episode before this one in (season, episode) order, among those the caller may see',
    }),
    nextEpisode: EpisodeRefSchema.nullable().openapi({
      description: 'The episode after this one in (season, episode) order, among those the caller may see',
    }),
    inWatchlist: z
      .boolean()
      .nullable()
      .openapi({ description: "Whether it is on the caller's watch list; null for anonymous callers" }),
    progress: ProgressSchema.nullable().openapi({
      description: "The caller's own progress; null when there is none or the caller is anonymous",
    }),
  })
  .openapi('Movie')

export type MovieJson = z.infer<typeof MovieSchema>

/**
 * A movie as lists show it: without its renditions, which a hostile or unusual manifest can make
 * long, and which only the player needs.
 */
export const MovieSummarySchema = MovieSchema.omit({ renditions: true }).openapi('MovieSummary')

export type MovieSummaryJson = z.infer<typeof MovieSummarySchema>

export const MoviePageSchema = z
  .object({ items: z.array(MovieSummarySchema), nextCursor: z.string().nullable() })
  .openapi('MoviePage')

export type MoviePage = z.infer<typeof MoviePageSchema>

const name = lineText(200)
const description = proseText(5000)
export const SEASON_MAX = 9999
export const EPISODE_MAX = 99999
const season = z.number().int().min(0).max(SEASON_MAX).openapi({ description: '0 for specials' })
const episode = z.number().int().min(0).max(EPISODE_MAX)
const seriesId = z.string().regex(ID_PATTERN, ID_MESSAGE)

/** Where a movie sits in a series; on create and update alike. */
const episodeFields = {
  seriesId: seriesId.nullable().optional().openapi({
    description:
      'Make the movie an episode of this series (one you own, or any as an admin); null takes it out of its series',
  }),
  season: season.optional().openapi({ description: 'Defaults to 1 (or the current season) in a series' }),
  episode: episode.optional().openapi({
    description:
      'Unique within the series and season (409 when taken). Left out, the next free number of the season is used',
  }),
}

export const CreateMovieSchema = z
  .strictObject({
    name,
    description: description.optional(),
    active: z.boolean().optional(),
    ...episodeFields,
  })
  .openapi('CreateMovie')

export type CreateMovieInput = z.infer<typeof CreateMovieSchema>

export const UpdateMovieSchema = z
  .strictObject({
    name: name.optional(),
    description: description.optional(),
    active: z.boolean().optional(),
    ...episodeFields,
  })
  .openapi('UpdateMovie')

export type UpdateMovieInput = z.infer<typeof UpdateMovieSchema>

export const ListQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ type: 'integer', example: 20 }),
  cursor: z.string().max(1000).optional().openapi({ description: 'nextCursor from the previous page' }),
  active: booleanQuery.optional(),
  status: z.enum(MOVIE_STATUSES).optional(),
  q: z.string().max(200).optional().openapi({ description: 'Full-text search over name and description' }),
  sort: z.enum(['newest', 'oldest', 'name']).default('newest'),
  mine: booleanQuery.optional().openapi({ description: "Only the caller's own movies" }),
  audio: LanguageTag.optional().openapi({
    description: 'Only movies with an audio track in this language (ISO 639 or RFC 5646: jpn, ja)',
  }),
  subtitles: LanguageTag.optional().openapi({
    description: 'Only movies with a subtitle track in this language (ISO 639 or RFC 5646: eng, en)',
  }),
  standalone: booleanQuery
    .optional()
    .openapi({ description: 'true: only movies that are not episodes of a series (the catalog grid)' }),
  series: seriesId.optional().openapi({ description: 'Only the episodes of this series' }),
})

/** A list request after validation: defaults filled in, booleans parsed. */
export type ListQuery = z.output<typeof ListQuerySchema>
export type MovieSort = ListQuery['sort']
