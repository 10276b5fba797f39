/**
 * Media test fixtures: a real DASH movie made by native ffmpeg into a temp dir (never committed),
 * and helpers to upload it through the API.
 * @module
 */
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface DashFixture {
  dir: string
  /** Every file ffmpeg wrote plus the poster, sorted. */
  files: string[]
  bytes: (path: string) => Promise<Uint8Array<ArrayBuffer>>
  sha256: (path: string) => Promise<string>
  cleanup: () => Promise<void>
}

/**
 * Encodes a short test pattern with a tone into two H.264 sizes and AAC audio, as a static
 * MPEG-DASH presentation with SegmentTemplate + SegmentTimeline, plus a poster.jpg.
 */
export async function makeDashMovie(
  opts: { seconds?: number; segmentSeconds?: number } = {},
): Promise<DashFixture> {
  const seconds = opts.seconds ?? 3
  const dir = await mkdtemp(join(tmpdir(), 'adh-dash-'))
  const quiet = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y']
  await run('ffmpeg', [
    ...quiet,
    ...['-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=30:duration=${seconds}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`],
    ...['-map', '0:v', '-map', '0:v', '-map', '1:a'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30', '-keyint_min', '30', '-sc_threshold', '0'],
    ...['-s:v:0', '640x360', '-b:v:0', '800k', '-s:v:1', '320x180', '-b:v:1', '300k'],
    ...['-c:a', 'aac', '-b:a', '64k', '-threads', '2'],
    ...['-seg_duration', String(opts.segmentSeconds ?? 1), '-use_template', '1', '-use_timeline', '1'],
    ...['-adaptation_sets', 'id=0,streams=v id=1,streams=a', '-f', 'dash', join(dir, 'manifest.mpd')],
  ])
  await run('ffmpeg', [
    ...quiet,
    ...['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=1', '-frames:v', '1', join(dir, 'poster.jpg')],
  ])
  const files = (await readdir(dir)).sort()
  const bytes = async (path: string) => new Uint8Array(await readFile(join(dir, path)))
  return {
    dir,
    files,
    bytes,
    sha256: async (path) =>
      createHash('sha256')
        .update(await bytes(path))
        .digest('hex'),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  }
}

export const sha256Of = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex')
