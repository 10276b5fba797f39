/**
 * Real DASH content for browser tests and benchmarks: a test pattern with a tone, encoded by
 * native ffmpeg into a three-rung H.264 ladder (exact 16:9 sizes) plus AAC, 2-second segments,
 * and uploaded through the HTTP API like the browser's upload page does.
 * @module
 */
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { MovieJson } from '../../server/routes/movies/movies.schemas.ts'

const run = promisify(execFile)

export interface Rung {
  width: number
  height: number
  kbps: number
}

/** The ladder the tests and the benchmark use; sizes share one aspect ratio, as the DASH muxer needs. */
export const LADDER: Rung[] = [
  { width: 1280, height: 720, kbps: 2500 },
  { width: 640, height: 360, kbps: 600 },
  { width: 256, height: 144, kbps: 150 },
]

export interface DashContent {
  dir: string
  files: string[]
  cleanup(): Promise<void>
}

/**
 * Encodes `seconds` of content. CBR-ish rate control (maxrate = bitrate) keeps each segment close
 * to its nominal size, so ABR decisions in the tests are about the ladder, not about x264's moods.
 */
export async function makeDashContent(seconds: number, ladder: Rung[] = LADDER): Promise<DashContent> {
  const dir = await mkdtemp(join(tmpdir(), 'adh-e2e-dash-'))
  const top = ladder[0]!
  const split = ladder.map((_, i) => `[v${i}]`).join('')
  const scales = ladder.map((r, i) => `[v${i}]scale=${r.width}:${r.height}[o${i}]`).join(';')
  const perRung = ladder.flatMap((r, i) => [
    ...[`-b:v:${i}`, `${r.kbps}k`, `-maxrate:v:${i}`, `${r.kbps}k`, `-bufsize:v:${i}`, `${r.kbps * 2}k`],
  ])
  await run(
    'ffmpeg',
    [
      ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'],
      ...['-f', 'lavfi', '-i', `testsrc2=size=${top.width}x${top.height}:rate=30:duration=${seconds}`],
      ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`],
      ...['-filter_complex', `[0:v]split=${ladder.length}${split};${scales}`],
      ...ladder.flatMap((_, i) => ['-map', `[o${i}]`]),
      ...['-map', '1:a'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-profile:v', 'main', '-pix_fmt', 'yuv420p'],
      ...['-g', '60', '-keyint_min', '60', '-sc_threshold', '0'],
      ...perRung,
      ...['-c:a', 'aac', '-b:a', '96k', '-ac', '2', '-threads', '2'],
      ...['-seg_duration', '2', '-use_template', '1', '-use_timeline', '0'],
      ...['-adaptation_sets', 'id=0,streams=v id=1,streams=a', '-f', 'dash', join(dir, 'manifest.mpd')],
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  )
  await run('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'],
    ...['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=1', '-frames:v', '1', '-q:v', '4'],
    join(dir, 'poster.jpg'),
  ])
  return {
    dir,
    files: (await readdir(dir)).sort(),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  }
}

async function call<T>(baseUrl: string, token: string, method: string, path: string, init: RequestInit = {}) {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    ...init,
    headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) },
  })
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
  return (res.status === 204 ? undefined : await res.json()) as T
}

/**
 * Creates a movie, PUTs every file with its SHA-256 (four at a time, like the upload queue), and
 * publishes it unless `publish` is false. Returns the movie as the API then shows it.
 */
export async function uploadMovie(
  baseUrl: string,
  token: string,
  content: DashContent,
  meta: {
    name: string
    description?: string
    publish?: boolean
    poster?: boolean
    /** Upload only these files (a draft that is still arriving). */
    only?: string[]
  },
): Promise<MovieJson> {
  const json = { 'content-type': 'application/json' }
  const movie = await call<MovieJson>(baseUrl, token, 'POST', '/api/movies', {
    headers: json,
    body: JSON.stringify({ name: meta.name, description: meta.description ?? '' }),
  })
  const files = content.files.filter(
    (f) => (meta.poster !== false || f !== 'poster.jpg') && (!meta.only || meta.only.includes(f)),
  )
  const queue = [...files]
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let file = queue.shift(); file; file = queue.shift()) {
        const body = await readFile(join(content.dir, file))
        await call(baseUrl, token, 'PUT', `/api/movies/${movie.id}/files/${file}`, {
          headers: { 'x-content-sha256': createHash('sha256').update(body).digest('hex') },
          body,
        })
      }
    }),
  )
  if (meta.publish === false) return movie
  await call(baseUrl, token, 'POST', `/api/movies/${movie.id}/publish`, {
    headers: json,
    body: JSON.stringify({ manifest: 'manifest.mpd' }),
  })
  return call<MovieJson>(baseUrl, token, 'GET', `/api/movies/${movie.id}`)
}
