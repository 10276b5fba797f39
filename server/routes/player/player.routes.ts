/**
 * What a player needs from the server beside the movie: the admin's player settings, and an
 * oEmbed description of a movie so other sites can embed it (`/embed/:id` in an iframe).
 * @module
 */
import { createRoute, z } from '@hono/zod-openapi'
import { ABR_RULES } from '../../lib/abr.ts'
import { json, problems } from '../common.schemas.ts'

export const PlayerSettingsSchema = z
  .object({
    abrRule: z.enum(ABR_RULES).openapi({
      description:
        "The adaptive-bitrate rule players start with (`ABR_RULE`, default `dynamic`): `dynamic` (dash.js's default), " +
        '`throughput`, `bola`, or `ours` (dynamic with a harmonic-mean throughput estimate). Viewers may pick another in the stats panel.',
    }),
  })
  .openapi('PlayerSettings')

export const OEmbedQuerySchema = z.object({
  url: z
    .string()
    .min(1)
    .max(2000)
    .openapi({ description: 'A movie page (`/movies/{id}`) or embed (`/embed/{id}`) URL' }),
  format: z.enum(['json']).optional().openapi({ description: 'Only JSON is offered' }),
  maxwidth: z.coerce.number().int().positive().optional(),
  maxheight: z.coerce.number().int().positive().optional(),
})

export const OEmbedSchema = z
  .object({
    type: z.literal('video'),
    version: z.literal('1.0'),
    title: z.string(),
    provider_name: z.string(),
    provider_url: z.string(),
    html: z.string().openapi({ description: 'An iframe of the embed player' }),
    width: z.number().int(),
    height: z.number().int(),
    thumbnail_url: z.string().optional(),
    thumbnail_width: z.number().int().optional(),
    thumbnail_height: z.number().int().optional(),
  })
  .openapi('OEmbed')

export const settings = createRoute({
  method: 'get',
  path: '/player',
  tags: ['Player'],
  summary: 'Player settings',
  description: "The admin's defaults every player starts with. Open to everyone.",
  responses: { 200: json(PlayerSettingsSchema, 'The settings') },
})

export const oembed = createRoute({
  method: 'get',
  path: '/oembed',
  tags: ['Player'],
  summary: 'oEmbed for a movie',
  description:
    'The oEmbed 1.0 `video` description of a movie page, for sites that turn links into players: an iframe of ' +
    "`/embed/{id}` sized to fit `maxwidth`/`maxheight` at the movie's aspect ratio. Only movies the caller may " +
    'see (published and active, for anonymous callers) are described.',
  request: { query: OEmbedQuerySchema },
  responses: {
    200: json(OEmbedSchema, 'The oEmbed response'),
    404: problems[404],
    422: problems[422],
  },
})
