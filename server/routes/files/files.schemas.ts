/** What the upload protocol sends and takes, as zod schemas (see movies.schemas.ts). @module */
import { z } from '@hono/zod-openapi'
import { MAX_FILE_PAGE } from '../../lib/paths.ts'

export const FileSchema = z
  .object({
    path: z.string().openapi({ example: 'chunk-stream0-00001.m4s' }),
    size: z.number().int().openapi({ example: 123030 }),
    sha256: z
      .string()
      .openapi({ example: 'b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9' }),
    contentType: z.string().openapi({ example: 'video/iso.segment' }),
    createdAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('MovieFile')

export type FileJson = z.infer<typeof FileSchema>

export const FileListSchema = z
  .object({
    items: z.array(FileSchema),
    /** The whole movie's, whatever the page. */
    totalBytes: z.number().int().openapi({ description: "Sum of the sizes of all the movie's files" }),
    fileCount: z.number().int().openapi({ description: "Number of the movie's files" }),
    nextCursor: z
      .string()
      .nullable()
      .openapi({ description: 'Pass as `cursor` for the next page; null on the last page' }),
  })
  .openapi('MovieFileList')

export const FileListQuerySchema = z.strictObject({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_FILE_PAGE)
    .default(1000)
    .openapi({ type: 'integer', example: 1000 }),
  cursor: z.string().max(1000).optional().openapi({ description: 'nextCursor from the previous page' }),
})

export type FileListQuery = z.infer<typeof FileListQuerySchema>

export type FileList = z.infer<typeof FileListSchema>

export const PublishSchema = z
  .strictObject({
    manifest: z.string().min(1).max(300).default('manifest.mpd').openapi({
      description: 'Path of the DASH manifest among the uploaded files',
      example: 'manifest.mpd',
    }),
  })
  .openapi('PublishMovie')
