/**
 * Publishing: a movie becomes visible only when its manifest parses, every AdaptationSet is of a
 * kind and type we serve (video and audio segments, WebVTT subtitles, image thumbnails), every
 * language is a language tag, and every file the manifest names is stored. Records what the catalog
 * shows: duration, renditions, poster, audio languages and subtitle tracks.
 *
 * A published movie's subtitles may change later (services/subtitles.ts): each change is a new
 * manifest version checked by the same {@link checkManifest} and recorded by {@link recordManifest},
 * so whatever publishing derives from a manifest follows every version: the catalog's fields and
 * the HLS playlists beside it (services/hls.ts).
 * @module
 */
import { and, eq } from 'drizzle-orm'
import { type MovieStatus, movieFiles, movies } from '../../db/schema.ts'
import { currentDate, type Deps } from '../env.ts'
import {
  MAX_MPD_BYTES,
  type Mpd,
  MpdError,
  type MpdRepresentation,
  mpdFiles,
  parseMpd,
  SUBTITLE_ROLES,
  type SubtitleRole,
} from '../lib/dash/index.ts'
import { movieNotFound, validationFailed } from '../lib/errors.ts'
import { canonicalLanguage, languageName } from '../lib/languages.ts'
import { checkMoviePath, extensionOf, POSTER_NAMES } from '../lib/paths.ts'
import { ApiError } from '../lib/problem.ts'
import type { Rendition, StoredSubtitle } from '../routes/movies/movies.schemas.ts'
import type { Runtime } from '../runtime.ts'
import { collectBody } from '../storage/body.ts'
import { movieKey } from '../storage/keys.ts'
import { storeHls } from './hls.ts'
import { holdingMovie } from './leases.ts'
import { findMovie, type MovieRow } from './movies.ts'

/** How many missing paths a 422 lists; `missingCount` always has the full number. */
export const MISSING_LIST_LIMIT = 1000

/**
 * Checks the manifest against the stored files and, if nothing is missing, publishes the movie.
 * Publishing a published movie again with its current manifest changes nothing. Returns the movie's row.
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
  try {
    const { movie, changed } = await publishLeased(deps, runtime, movieId, manifestPath)
    deps.metrics?.published(changed ? 'published' : 'unchanged')
    return movie
  } catch (err) {
    deps.metrics?.published(err instanceof ApiError ? err.code : 'error')
    throw err
  }
}

/**
 * Holding the movie's lease (server/services/leases.ts): no upload or delete of its files runs,
 * in any process, while its completeness is judged.
 */
async function publishLeased(
  deps: Deps,
  runtime: Runtime,
  movieId: string,
  manifestPath: string,
): Promise<{ movie: MovieRow; changed: boolean }> {
  if (!(await findMovie(deps, movieId))) throw movieNotFound(movieId)
  return holdingMovie(deps, movieId, async () => {
    const movie = await findMovie(deps, movieId)
    if (!movie) throw movieNotFound(movieId)
    if (movie.status === 'ready') {
      if (movie.manifest === manifestPath) return { movie, changed: false }
      throw new ApiError(409, 'already-published', `The movie is already published with "${movie.manifest}".`)
    }
    const stored = await storedSizes(deps, movieId)
    const mpd = await checkManifest(deps, movieId, manifestPath, stored)
    const hls = await storeHls(deps, runtime, movieId, manifestPath, mpd, stored)
    const now = currentDate(deps)
    // A state transition: only from the status judged above (the lease makes this the only publish).
    const moved = await recordManifest(
      deps,
      movieId,
      manifestPath,
      mpd,
      {
        hls,
        status: 'ready',
        poster: POSTER_NAMES.find((name) => stored.has(name)) ?? null,
        publishedAt: now,
      },
      movie.status,
    )
    if (!moved) throw movieNotFound(movieId)
    return { movie: (await findMovie(deps, movieId))!, changed: true }
  })
}

/** Size of every stored file of a movie, by path. */
export async function storedSizes(deps: Deps, movieId: string): Promise<Map<string, number>> {
  const rows = await deps.db
    .select({ path: movieFiles.path, size: movieFiles.size })
    .from(movieFiles)
    .where(eq(movieFiles.movieId, movieId))
  return new Map(rows.map((r) => [r.path, r.size]))
}

/**
 * Reads a stored manifest and checks it and its tracks against the stored files.
 * @throws ApiError 422 `invalid-manifest` or `incomplete-movie` (with `missing`)
 */
export async function checkManifest(
  deps: Deps,
  movieId: string,
  manifestPath: string,
  stored: ReadonlyMap<string, number>,
): Promise<Mpd> {
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
  for (const rep of mpd.representations) checkRepresentation(rep)

  const missing = mpdFiles(mpd).filter((p) => !stored.has(p))
  if (missing.length > 0) throw incomplete(missing)
  if (renditionsOf(mpd).length === 0)
    throw invalidManifest('The manifest has no audio or video Representation.')
  return mpd
}

/**
 * Points the movie at `manifestPath` and records what the catalog shows of it, with `extra` columns
 * (status, poster, dates) set in the same update; with `from`, only while the movie's status is
 * still that one (a state transition). Returns whether the movie was changed.
 */
export async function recordManifest(
  deps: Deps,
  movieId: string,
  manifestPath: string,
  mpd: Mpd,
  extra: Partial<typeof movies.$inferInsert> = {},
  from?: MovieStatus,
): Promise<boolean> {
  const changed = await deps.db
    .update(movies)
    .set({
      manifest: manifestPath,
      duration: mpd.duration,
      renditions: renditionsOf(mpd),
      audioLanguages: audioLanguagesOf(mpd),
      subtitles: subtitlesOf(mpd),
      updatedAt: currentDate(deps),
      ...extra,
    })
    .where(from ? and(eq(movies.id, movieId), eq(movies.status, from)) : eq(movies.id, movieId))
    .returning({ id: movies.id })
  return changed.length > 0
}

/** File types each kind of AdaptationSet may name. */
const ALLOWED: Record<MpdRepresentation['kind'], { mimeTypes: RegExp; extensions: string[]; what: string }> =
  {
    video: { mimeTypes: /^video\/(mp4|webm)$/, extensions: ['m4s', 'mp4', 'webm'], what: 'video segments' },
    audio: { mimeTypes: /^audio\/(mp4|webm)$/, extensions: ['m4s', 'mp4', 'webm'], what: 'audio segments' },
    text: { mimeTypes: /^text\/vtt$/, extensions: ['vtt'], what: 'WebVTT files (text/vtt)' },
    image: {
      mimeTypes: /^image\/(jpeg|png|webp)$/,
      extensions: ['jpg', 'jpeg', 'png', 'webp'],
      what: 'images',
    },
    other: { mimeTypes: /^$/, extensions: [], what: '' },
  }

/** A Representation of a kind we serve, naming only files of its kind, in a language that is one. */
function checkRepresentation(rep: MpdRepresentation): void {
  const where = `Representation "${rep.id}"`
  if (rep.kind === 'other') {
    throw invalidManifest(
      `${where} is neither video, audio, text nor image (mimeType "${rep.mimeType ?? 'none'}").`,
    )
  }
  const allowed = ALLOWED[rep.kind]
  // Video and audio may leave the type to their codecs; subtitles and thumbnails must say it.
  if ((rep.kind === 'text' || rep.kind === 'image') && !allowed.mimeTypes.test(rep.mimeType ?? '')) {
    throw invalidManifest(
      `${where}: ${rep.kind} tracks must be ${allowed.what}, not "${rep.mimeType ?? 'none'}".`,
    )
  }
  for (const file of [...(rep.initialization ? [rep.initialization] : []), ...rep.segments]) {
    if (!allowed.extensions.includes(extensionOf(file) ?? '')) {
      throw invalidManifest(
        `${where} names "${file}": ${rep.kind} tracks may only name ${allowed.extensions.map((e) => `.${e}`).join(' ')} files.`,
      )
    }
  }
  if (rep.lang !== undefined && !/^(und|zxx|mul|mis)$/i.test(rep.lang) && !canonicalLanguage(rep.lang)) {
    throw invalidManifest(
      `${where} has lang "${rep.lang}", which is not a language tag (e.g. "ja", "en-US").`,
    )
  }
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

/** The languages of the audio tracks, the main one first, without repeats. */
export function audioLanguagesOf(mpd: Mpd): string[] {
  const audio = mpd.representations.filter((r) => r.kind === 'audio')
  const main = audio.filter((r) => r.roles.includes('main'))
  const languages = [...main, ...audio].map((r) => canonicalLanguage(r.lang)).filter((l) => l !== null)
  return [...new Set(languages)]
}

/** The subtitle tracks: one per text Representation, with its file. */
export function subtitlesOf(mpd: Mpd): StoredSubtitle[] {
  return mpd.representations
    .filter((r) => r.kind === 'text' && r.segments.length > 0)
    .map((r) => {
      const language = canonicalLanguage(r.lang)
      const role = SUBTITLE_ROLES.find((role) => r.roles.includes(role)) ?? ('subtitle' as SubtitleRole)
      return {
        id: r.id,
        language,
        label: r.labels[0] ?? (language ? languageName(language) : 'Subtitles'),
        role,
        path: r.segments[0]!,
      }
    })
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

export const invalidManifest = (detail: string) => new ApiError(422, 'invalid-manifest', detail)
