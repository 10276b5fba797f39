/**
 * Subtitles of a published movie: added, replaced or deleted after publishing, by the uploader or
 * an admin. Published files never change, so a change writes new files beside them:
 *
 * 1. the WebVTT file (checked by the shared reader) under its content's name, `subs-<lang>-<hash8>.vtt`;
 * 2. a new manifest version, `manifest-v<n>.mpd`: the current one with its WebVTT sets swapped
 *    (server/lib/dash/edit.ts), every video, audio and image set exactly as it was;
 * 3. the new manifest is checked like a publish (services/publish.ts), its HLS playlists are
 *    written beside it (`master-v<n>.m3u8`, services/hls.ts), and the movie's pointers and
 *    catalog fields move to them in one update. Its short max-age lets players see it within a minute.
 *
 * The previous manifest and the files it names are kept, so a player that loaded it a moment ago
 * still finds everything; older manifest versions, playlists and subtitle files that neither the
 * current nor the previous version names are deleted.
 * @module
 */

import type { Deps } from '../env.ts'
import { sha256Hex } from '../lib/crypto.ts'
import {
  isHlsName,
  isSubtitleName,
  MAX_MPD_BYTES,
  type Mpd,
  manifestName,
  manifestVersion,
  mpdFiles,
  parseMpd,
  replaceTextSets,
  type SubtitleRole,
  subtitleName,
  textAdaptationSet,
} from '../lib/dash/index.ts'
import { movieNotFound } from '../lib/errors.ts'
import { languageName } from '../lib/languages.ts'
import { ApiError } from '../lib/problem.ts'
import { parseWebVtt, WebVttError } from '../lib/webvtt.ts'
import type { StoredSubtitle } from '../routes/movies/movies.schemas.ts'
import type { Runtime } from '../runtime.ts'
import { collectBody } from '../storage/body.ts'
import { movieKey } from '../storage/keys.ts'
import { dropMovieFiles, writeMovieFile } from './files.ts'
import { hlsFilesOf, storeHls } from './hls.ts'
import { holdingMovie } from './leases.ts'
import { findMovie, type MovieRow } from './movies.ts'
import { checkManifest, invalidManifest, recordManifest, storedSizes, subtitlesOf } from './publish.ts'

/** A subtitle file may be this big: hours of dialogue are a few hundred kilobytes. */
export const MAX_SUBTITLE_BYTES = 2 * 1024 * 1024

export interface SubtitleInput {
  /** Canonical RFC 5646, or null. */
  language: string | null
  label?: string | undefined
  role?: SubtitleRole | undefined
  /** The WebVTT text. */
  vtt: string
}

export type SubtitleChange =
  | { kind: 'add'; subtitle: SubtitleInput }
  | { kind: 'replace'; id: string; subtitle: Partial<SubtitleInput> }
  | { kind: 'delete'; id: string }

/** A track of the manifest being built: what the catalog stores, and what its set declares. */
type Track = StoredSubtitle & { bandwidth: number }

/**
 * Applies one change to a published movie's subtitles. Returns the movie's row.
 * @throws ApiError 404 (no such track), 409 (not published), 422 (not WebVTT, too large, or a
 *   manifest the editor cannot change)
 */
export async function changeSubtitles(
  deps: Deps,
  runtime: Runtime,
  movieId: string,
  change: SubtitleChange,
): Promise<MovieRow> {
  // Holding the whole movie (services/leases.ts): no upload, publish or other change of its files
  // runs in any process meanwhile.
  return holdingMovie(deps, movieId, async () => {
    const movie = await findMovie(deps, movieId)
    if (!movie) throw movieNotFound(movieId)
    if (movie.status !== 'ready' || !movie.manifest) {
      throw new ApiError(
        409,
        'movie-not-published',
        'Subtitles are changed this way once the movie is published; until then they are uploaded with it.',
      )
    }
    const current = movie.manifest
    const xml = await readManifest(deps, movieId, current)
    const mpd = parseMpd(xml, { manifestPath: current })
    const duration = Math.max(1, mpd.duration ?? movie.duration ?? 1)
    const bandwidths = new Map(mpd.representations.map((r) => [r.id, r.bandwidth]))
    let tracks: Track[] = subtitlesOf(mpd).map((s) => ({ ...s, bandwidth: bandwidths.get(s.id) ?? 1 }))

    const store = async (input: SubtitleInput): Promise<{ path: string; bandwidth: number }> => {
      const bytes = checkedVtt(input.vtt)
      const path = subtitleName(input.language, await sha256Hex(bytes))
      await writeMovieFile(deps, runtime, movieId, path, bytes)
      return { path, bandwidth: (bytes.byteLength * 8) / duration }
    }
    if (change.kind === 'add') {
      const { subtitle } = change
      const used = new Set(mpd.representations.map((r) => r.id))
      let n = 0
      while (used.has(`s${n}`)) n++
      tracks.push({
        id: `s${n}`,
        language: subtitle.language,
        label: labelOf(subtitle),
        role: subtitle.role ?? 'subtitle',
        ...(await store(subtitle)),
      })
    } else {
      const existing = tracks.find((t) => t.id === change.id)
      if (!existing) {
        throw new ApiError(
          404,
          'subtitle-not-found',
          `Movie ${movieId} has no subtitle track "${change.id}".`,
        )
      }
      if (change.kind === 'delete') tracks = tracks.filter((t) => t !== existing)
      else {
        const s = change.subtitle
        const language = s.language === undefined ? existing.language : s.language
        const file =
          s.vtt !== undefined
            ? await store({ language, vtt: s.vtt })
            : { path: existing.path, bandwidth: existing.bandwidth }
        tracks = tracks.map((t) =>
          t === existing
            ? {
                ...t,
                language,
                label: s.label?.trim() || (s.language !== undefined ? labelOf({ language }) : t.label),
                role: s.role ?? t.role,
                ...file,
              }
            : t,
        )
      }
    }

    let next: string
    try {
      next = replaceTextSets(
        xml,
        tracks.map((t) => textAdaptationSet('0', t)),
      )
    } catch (error) {
      throw invalidManifest((error as Error).message)
    }
    const stored = await storedSizes(deps, movieId)
    let version = (manifestVersion(current) ?? 1) + 1
    while (stored.has(manifestName(version))) version++
    const nextPath = manifestName(version)
    const nextBytes = new TextEncoder().encode(next)
    await writeMovieFile(deps, runtime, movieId, nextPath, nextBytes)
    stored.set(nextPath, nextBytes.byteLength)
    const nextMpd = await checkManifest(deps, movieId, nextPath, stored)
    const hls = await storeHls(deps, runtime, movieId, nextPath, nextMpd, stored)
    await recordManifest(deps, movieId, nextPath, nextMpd, { hls })
    await collectGarbage(deps, runtime, movieId, stored, [
      { path: nextPath, mpd: nextMpd },
      { path: current, mpd },
    ])
    return (await findMovie(deps, movieId))!
  })
}

/** "English", or what the uploader called it. */
function labelOf(input: Pick<SubtitleInput, 'language' | 'label'>): string {
  return input.label?.trim().slice(0, 100) || (input.language ? languageName(input.language) : 'Subtitles')
}

async function readManifest(deps: Deps, movieId: string, path: string): Promise<string> {
  const blob = await deps.blobs.get(movieKey(movieId, path))
  if (!blob) throw invalidManifest(`The movie's manifest "${path}" is not stored.`)
  return new TextDecoder().decode(await collectBody(blob.body, MAX_MPD_BYTES))
}

/** The WebVTT text as bytes, once the shared reader has read it. */
function checkedVtt(vtt: string): Uint8Array<ArrayBuffer> {
  const bytes = new TextEncoder().encode(vtt.replace(/^\uFEFF/, ''))
  if (bytes.byteLength > MAX_SUBTITLE_BYTES) {
    throw new ApiError(
      422,
      'invalid-subtitles',
      `The subtitle file is ${bytes.byteLength} bytes; the limit is ${MAX_SUBTITLE_BYTES}.`,
    )
  }
  try {
    if (parseWebVtt(vtt).cues.length === 0) throw new WebVttError('The WebVTT file has no cue.')
  } catch (error) {
    if (error instanceof WebVttError) throw new ApiError(422, 'invalid-subtitles', error.message)
    throw error
  }
  return bytes
}

/**
 * Deletes manifest versions and subtitle files that neither of the `kept` manifests names. Only
 * files the server itself versions are ever deleted: segments, posters and previews never are.
 */
async function collectGarbage(
  deps: Deps,
  runtime: Runtime,
  movieId: string,
  stored: ReadonlyMap<string, number>,
  kept: readonly { path: string; mpd: Mpd }[],
): Promise<void> {
  const named = new Set(kept.flatMap(({ path, mpd }) => [path, ...mpdFiles(mpd), ...hlsFilesOf(path, mpd)]))
  const stale = [...stored.keys()].filter(
    (path) => !named.has(path) && (manifestVersion(path) !== null || isSubtitleName(path) || isHlsName(path)),
  )
  await dropMovieFiles(deps, runtime, movieId, stale)
}
