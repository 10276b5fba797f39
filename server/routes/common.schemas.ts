/** Schemas shared by several routers. @module */
import { z } from '@hono/zod-openapi'

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

const problem = (description: string) => ({
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

/** Opaque ids: 16 characters of [A-Za-z0-9]. */
export const IdParam = z.object({
  id: z
    .string()
    .regex(/^[A-Za-z0-9]{16}$/, 'Expected a 16-character id of letters and digits')
    .openapi({ param: { name: 'id', in: 'path' }, example: 'x3KfQ9aLw0PzR7bT' }),
})

export const booleanQuery = z
  .enum(['true', 'false'])
  .transform((v) => v === 'true')
  .openapi({ type: 'string', enum: ['true', 'false'] })

export const security: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }]

/** An OpenAPI response (or request body) whose content is JSON of `schema`. */
export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
})
