/** Where movies' and series' files live in the blob store. @module */

export const moviePrefix = (movieId: string) => `movies/${movieId}/`
export const movieKey = (movieId: string, path: string) => `${moviePrefix(movieId)}${path}`

/** Where a series' own files (its poster) live, apart from any movie's. */
export const seriesPrefix = (seriesId: string) => `series/${seriesId}/`
export const seriesKey = (seriesId: string, file: string) => `${seriesPrefix(seriesId)}${file}`
