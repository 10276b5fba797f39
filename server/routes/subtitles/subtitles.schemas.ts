/** What the subtitle routes take: WebVTT text with its language, label and role. @module */
import { z } from '@hono/zod-openapi'
import { SUBTITLE_ROLES } from '../../lib/dash/tracks.ts'
import { idParam } from '../common.schemas.ts'
import { LanguageTag } from '../movies/movies.schemas.ts'

const vtt = z.string().min(6).openapi({
  description:
    'The subtitles as WebVTT (convert SubRip or ASS first; the upload page does it in the browser). At most 2 MiB.',
  example: 'WEBVTT\n\n00:00:01.000 --> 00:00:02.500\nHello\n',
})
const label = z.string().trim().max(100).openapi({ example: 'English (signs & songs)' })
const role = z.enum(SUBTITLE_ROLES)

export const AddSubtitleSchema = z
  .strictObject({ language: LanguageTag.nullable(), label: label.optional(), role: role.optional(), vtt })
  .openapi('AddSubtitle')

export const ReplaceSubtitleSchema = z
  .strictObject({
    language: LanguageTag.nullable().optional(),
    label: label.optional(),
    role: role.optional(),
    vtt: vtt.optional(),
  })
  .openapi('ReplaceSubtitle')

export const SubtitleParams = idParam('id').extend({
  track: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .openapi({ param: { name: 'track', in: 'path' }, example: 's0' }),
})
