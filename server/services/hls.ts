/**
 * HLS beside DASH: when a manifest version is recorded (publish, a subtitle change), the server
 * derives HLS playlists from it (server/lib/dash/hls.ts) and stores them among the movie's files,
 * so they are served, cached, hidden and deleted exactly like the manifest. Whatever made the
 * manifest (our encoder, the README's ffmpeg recipe, another tool), HLS needs nothing more from
 * the uploader.
 *
 * HLS is an extra: a manifest that cannot have it (WebM, several Periods, one self-indexed file)
 * publishes as before with `hls` null, and neither does a failure to store the playlists stop a
 * publish.
 * @module
 */
import type { Deps } from '../env.ts'
import { hlsPlaylists, hlsUnsupported, type Mpd } from '../lib/dash/index.ts'
import { consoleLogger } from '../lib/log.ts'
import type { Runtime } from '../runtime.ts'
import { writeMovieFile } from './files.ts'

/**
 * Stores the playlists of `mpd` (standing at `manifestPath`) and returns the multivariant
 * playlist's path, or null when the manifest gets no HLS. `stored` learns the new files' sizes.
 * The caller holds the movie's exclusive lock.
 */
export async function storeHls(
  deps: Deps,
  runtime: Runtime,
  movieId: string,
  manifestPath: string,
  mpd: Mpd,
  stored: Map<string, number>,
): Promise<string | null> {
  const hls = hlsPlaylists(mpd, { manifestPath, sizes: stored })
  if (!hls) {
    deps.log?.info({ movieId, reason: hlsUnsupported(mpd) }, '[hls] the manifest gets no HLS')
    return null
  }
  try {
    for (const file of hls.files) {
      const bytes = new TextEncoder().encode(file.text)
      await writeMovieFile(deps, runtime, movieId, file.path, bytes)
      stored.set(file.path, bytes.byteLength)
    }
    return hls.master
  } catch (err) {
    ;(deps.log ?? consoleLogger('warn')).error({ err, movieId }, '[hls] playlists not stored')
    return null
  }
}

/** The playlists a manifest version has beside it (what a clean-up must keep). */
export function hlsFilesOf(manifestPath: string, mpd: Mpd): string[] {
  return hlsPlaylists(mpd, { manifestPath })?.files.map((f) => f.path) ?? []
}
