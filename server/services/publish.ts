/**
 * Publishing: a movie becomes visible only when its manifest parses and every initialization and
 * media segment it names is stored. Records what the catalog shows (duration, renditions, poster).
 * @module
 */
import { eq } from 'drizzle-orm'
import { movieFiles, movies } from '../../db/schema.ts'
import { currentDate, type Deps } from '../env.ts'
import { MAX_MPD_BYTES, type Mpd, MpdError, mpdFiles, parseMpd } from '../lib/dash/index.ts'
import { movieNotFound, validationFailed } from '../lib/errors.ts'
import { checkMoviePath, extensionOf, POSTER_NAMES } from '../lib/paths.ts'
import { ApiError } from '../lib/problem.ts'
import type { Rendition } from '../routes/movies/movies.schemas.ts'
import type { Runtime } from '../runtime.ts'
import { collectBody } from '../storage/body.ts'
import { movieKey } from '../storage/keys.ts'
import { findMovie, type MovieRow } from './movies.ts'

/** How many missing paths a 422 lists; `missingCount` always has the full number. */
export const MISSING_LIST_LIMIT = 1000

/**
 * Checks the manifest against the stored files and, if nothing is missing, publishes the movie.
 * Publishing a published movie again with the same manifest changes nothing. Returns the movie's row.
 * @throws ApiError 409 (published with another manifest), 422 (bad manifest, or files missing: `missing`)
 */
export async function publishMovie(
  deps: Deps,
  runtime: Runtime,
  movieId: string,
  manifestPath: string,
): Promise<MovieRow> {
  const checked = checkMoviePath(manifestPath)
  if (!checked.ok || extensionOf(manifestPath) !== 'mpd') {
    const reason = checked.ok ? 'the manifest must be an .mpd file' : checked.reason
    throw validationFailed('body', [{ field: 'manifest', message: reason }])
  }
  // Exclusive: no upload or delete of this movie's files runs while its completeness is judged.
  return runtime.movieLocks.exclusive(movieId, async () => {
    const movie = await findMovie(deps, movieId)
    if (!movie) throw movieNotFound(movieId)
    if (movie.status === 'ready') {
      if (movie.manifest === manifestPath) return movie
      throw new ApiError(409, 'already-published', `The movie is already published with "${movie.manifest}".`)
    }

    const rows = await deps.db
      .select({ path: movieFiles.path, size: movieFiles.size })
      .from(movieFiles)
      .where(eq(movieFiles.movieId, movieId))
    const stored = new Map(rows.map((r) => [r.path, r.size]))
    const manifestSize = stored.get(manifestPath)
    if (manifestSize === undefined) throw incomplete([manifestPath])
    if (manifestSize > MAX_MPD_BYTES) {
      throw invalidManifest(`The manifest is ${manifestSize} bytes; the limit is ${MAX_MPD_BYTES}.`)
    }
    const blob = await deps.blobs.get(movieKey(movieId, manifestPath))
    if (!blob) throw incomplete([manifestPath])

    let mpd: Mpd
    try {
      mpd = parseMpd(await collectBody(blob.body, MAX_MPD_BYTES), {
        manifestPath,
        // Each segment the manifest names must be a stored file: counting stops long before a
        // manifest that claims millions of them costs seconds of parsing. The margin still lets a
        // half-uploaded movie's manifest list what is missing.
        maxSegments: stored.size + MISSING_LIST_LIMIT,
      })
    } catch (err) {
      if (err instanceof MpdError) throw invalidManifest(err.message)
      throw err
    }
    if (mpd.type !== 'static')
      throw invalidManifest('Live (dynamic) manifests cannot be published; export a static one.')

    const missing = mpdFiles(mpd).filter((p) => !stored.has(p))
    if (missing.length > 0) throw incomplete(missing)

    const renditions = renditionsOf(mpd)
    if (renditions.length === 0) throw invalidManifest('The manifest has no audio or video Representation.')
    const now = currentDate(deps)
    await deps.db
      .update(movies)
      .set({
        status: 'ready',
        manifest: manifestPath,
        duration: mpd.duration,
        renditions,
        poster: POSTER_NAMES.find((name) => stored.has(name)) ?? null,
        publishedAt: now,
        updatedAt: now,
      })
      .where(eq(movies.id, movieId))
    return (await findMovie(deps, movieId))!
  })
}

/** The catalog's view of a manifest: its audio and video Representations, first occurrence of each id. */
export function renditionsOf(mpd: Mpd): Rendition[] {
  const seen = new Set<string>()
  const out: Rendition[] = []
  for (const r of mpd.representations) {
    if ((r.kind !== 'video' && r.kind !== 'audio') || seen.has(r.id)) continue
    seen.add(r.id)
    out.push({
      id: r.id,
      kind: r.kind,
      codecs: r.codecs ?? '',
      bandwidth: r.bandwidth,
      ...(r.kind === 'video' && r.width !== undefined ? { width: r.width } : {}),
      ...(r.kind === 'video' && r.height !== undefined ? { height: r.height } : {}),
    })
  }
  return out
}

function incomplete(missing: string[]): ApiError {
  const shown = missing.slice(0, MISSING_LIST_LIMIT)
  const more = missing.length > shown.length ? ` (the first ${shown.length} are listed)` : ''
  return new ApiError(
    422,
    'incomplete-movie',
    `${missing.length} file${missing.length === 1 ? '' : 's'} the manifest needs ${missing.length === 1 ? 'is' : 'are'} not uploaded${more}: ${shown.slice(0, 5).join(', ')}${shown.length > 5 ? ', …' : ''}.`,
    { missing: shown, missingCount: missing.length },
  )
}

const invalidManifest = (detail: string) => new ApiError(422, 'invalid-manifest', detail)
