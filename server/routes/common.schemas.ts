/** Schemas shared by several routers. @module */
import { z } from '@hono/zod-openapi'
import { ID_LENGTH, ID_PATTERN } from '../lib/crypto.ts'

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: '/problems/validation' }),
    title: z.string().openapi({ example: 'Unprocessable Content' }),
    status: z.number().int().openapi({ example: 422 }),
    detail: z
      .string()
      .openapi({ example: 'Invalid body: name (Too small: expected string to have >=1 characters)' }),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem')

/** An OpenAPI error response: problem+json, described. */
export const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ProblemSchema } },
})

/** Error responses most routes can give, for the OpenAPI document. */
export const problems = {
  400: problem('Malformed request (e.g. invalid JSON)'),
  401: problem('Not signed in, or the token is invalid'),
  403: problem('Signed in, but not allowed'),
  404: problem('Not found, or not visible to the caller'),
  422: problem('Validation failed; `errors` names each invalid field'),
}

/** The 401 of a read anyone may make, unless the server runs with PRIVATE_CATALOG=true. */
export const privateCatalog = problem(
  'The catalog is private (PRIVATE_CATALOG=true) and the caller is not signed in',
)

export const ID_MESSAGE = `Expected a ${ID_LENGTH}-character id of letters and digits`

/** A path parameter holding one of our opaque ids ({@link ID_PATTERN}). */
export const idParam = <const K extends string>(name: K) =>
  z.object({
    [name]: z
      .string()
      .regex(ID_PATTERN, ID_MESSAGE)
      .openapi({ param: { name, in: 'path' }, example: 'x3KfQ9aLw0PzR7bT' }),
  } as Record<K, z.ZodString>)

export const IdParam = idParam('id')

export const booleanQuery = z
  .enum(['true', 'false'])
  .transform((v) => v === 'true')
  .openapi({ type: 'string', enum: ['true', 'false'] })

export const security: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }]

/** A required JSON request body of `schema`. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  content: { 'application/json': { schema } },
  required: true,
})

/** An OpenAPI response whose content is JSON of `schema`. */
export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
})

// Control characters have no business in a title: NUL cut names short in storage, and the others
// hide or rearrange text. Descriptions keep their line breaks and tabs.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/

/** A one-line name (movie, series, token): trimmed, not empty, no control characters. */
export const lineText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((v) => !CONTROL.test(v), 'Control characters are not allowed')

/** Free text (a description): line breaks and tabs, but no other control characters. */
export const proseText = (max: number) =>
  z
    .string()
    .max(max)
    .refine(
      (v) => !CONTROL_BUT_LINES.test(v),
      'Control characters other than line breaks and tabs are not allowed',
    )
