/**
 * The domain errors more than one place raises, built in one place so the same failure always
 * has the same code, status and wording.
 * @module
 */
import { ApiError, type FieldError } from './problem.ts'

/** A movie that does not exist, or that the caller may not see (the two are not told apart). */
export const movieNotFound = (id: string) => new ApiError(404, 'movie-not-found', `No movie with id "${id}".`)

export const fileNotFound = (movieId: string, path: string) =>
  new ApiError(404, 'file-not-found', `Movie ${movieId} has no file "${path}".`)

/** A file path inside a movie that lib/paths.ts refused, with its reason. */
export const invalidPath = (reason: string) =>
  new ApiError(400, 'invalid-path', `Invalid file path: ${reason}.`, {
    errors: [{ field: 'path', message: reason }],
  })

export const forbidden = (detail: string) => new ApiError(403, 'forbidden', detail)

/**
 * A 422 naming each invalid field. Without `detail` it is worded as the routers word zod's
 * failures (`Invalid body: name (Too small …)`), so a check made by hand reads like one made by a schema.
 * @example throw validationFailed('param', [{ field: 'id', message: 'Expected a 16-character id' }])
 */
export function validationFailed(where: string, errors: FieldError[], detail?: string): ApiError {
  const said = detail ?? `Invalid ${where}: ${errors.map((e) => `${e.field} (${e.message})`).join('; ')}`
  return new ApiError(422, 'validation', said, { errors })
}
