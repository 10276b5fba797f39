/** Where a movie's files live in the blob store. @module */

export const moviePrefix = (movieId: string) => `movies/${movieId}/`
export const movieKey = (movieId: string, path: string) => `${moviePrefix(movieId)}${path}`
