/**
 * @module What native ffmpeg sees in encoded pictures and in awkward sources: the colour tags and
 * the luma levels a rendition's first frame is stored with, and how much of a cut-off file's media
 * data is really there.
 */
import { execFile } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { initName, mediaName } from '../../../server/lib/dash/names.ts'
import { ffprobeOutput } from '../../support/media.ts'

const run = promisify(execFile)

export interface StoredColour {
  /** ffprobe's stream fields: color_range, color_space, color_transfer, color_primaries, pix_fmt. */
  tags: Record<string, string | undefined>
  /** Mean stored luma (0–255 code values) of the left and right halves of the first frame, edges left out. */
  left: number
  right: number
}

/** ffprobe's stream fields storedColour reads: the size, then the pixel format and the colour tags. */
const COLOUR_FIELDS = [
  'width',
  'height',
  'pix_fmt',
  'color_range',
  'color_space',
  'color_transfer',
  'color_primaries',
]

/**
 * Reads rendition `id`'s first segment as a player appends it (init + media segment): its colour
 * tags, and the luma code values of its first frame exactly as stored (no range conversion on the
 * way out: ffmpeg writes the decoder's own pixel format).
 */
export async function storedColour(dir: string, id: string): Promise<StoredColour> {
  const joined = await firstSegment(dir, id)
  const fields = COLOUR_FIELDS
  const json = await ffprobeOutput([
    ...['-v', 'error', '-select_streams', 'v:0', '-show_entries', `stream=${fields.join(',')}`],
    ...['-of', 'json', joined],
  ])
  const stream = (JSON.parse(json) as { streams: Record<string, string | number | undefined>[] }).streams[0]!
  const width = Number(stream.width)
  const height = Number(stream.height)
  const { stdout } = await run(
    'ffmpeg',
    ['-v', 'error', '-nostdin', '-i', joined, '-frames:v', '1', '-c:v', 'rawvideo', '-f', 'rawvideo', '-'],
    { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 },
  )
  // Planar YUV: the luma plane comes first, one byte per pixel.
  const mean = (from: number, to: number) => {
    let sum = 0
    let n = 0
    for (let y = 8; y < height - 8; y++) {
      for (let x = from; x < to; x++) {
        sum += stdout[y * width + x]!
        n++
      }
    }
    return sum / n
  }
  const tags = Object.fromEntries(
    fields.slice(2).map((f) => [f, stream[f] === undefined ? undefined : String(stream[f])]),
  )
  return { tags, left: mean(16, width / 2 - 16), right: mean(width / 2 + 16, width - 16) }
}

/** Rendition `id`'s init segment and first media segment joined into one file, as a player appends them. */
export async function firstSegment(dir: string, id: string): Promise<string> {
  const joined = join(dir, `.first-${id}.mp4`)
  await writeFile(
    joined,
    Buffer.concat([await readFile(join(dir, initName(id))), await readFile(join(dir, mediaName(id, 1)))]),
  )
  return joined
}

/**
 * The mean RGB of `count` vertical bars of equal width (a box around each one's centre, clear of its
 * edges) over the first `frames` frames of `path` (grain averages out), as a player shows them: ffmpeg converts to RGB with the matrix
 * and range the stream is tagged with (BT.601 when it says none).
 */
export async function barColours(
  path: string,
  count: number,
  frames = 30,
): Promise<[number, number, number][]> {
  const json = await ffprobeOutput([
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=width,height',
    '-of',
    'json',
    path,
  ])
  const { width, height } = (JSON.parse(json) as { streams: { width: number; height: number }[] }).streams[0]!
  const { stdout } = await run(
    'ffmpeg',
    [
      '-v',
      'error',
      '-nostdin',
      '-i',
      path,
      '-frames:v',
      String(frames),
      '-vf',
      'format=rgb24',
      '-f',
      'rawvideo',
      '-',
    ],
    { encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 },
  )
  const size = width * height * 3
  const half = Math.max(2, Math.floor(width / count / 4))
  return Array.from({ length: count }, (_, i) => {
    const cx = Math.floor(((i + 0.5) * width) / count)
    const cy = Math.floor(height / 2)
    const sum: [number, number, number] = [0, 0, 0]
    let n = 0
    for (let f = 0; f < stdout.length / size; f++) {
      for (let y = cy - half; y < cy + half; y++) {
        for (let x = cx - half; x < cx + half; x++) {
          for (let c = 0; c < 3; c++) sum[c]! += stdout[f * size + (y * width + x) * 3 + c]!
          n++
        }
      }
    }
    return sum.map((v) => v / n) as [number, number, number]
  })
}

/** Seconds of picture and of sound whose packets native ffprobe reads from a file (to its cut, if cut off). */
export async function readableSeconds(path: string): Promise<{ video: number; audio: number }> {
  const end = async (stream: string) => {
    const csv = await ffprobeOutput([
      ...['-v', 'quiet', '-select_streams', stream, '-show_entries', 'packet=pts_time,duration_time'],
      ...['-of', 'csv=p=0', path],
    ])
    return Math.max(
      0,
      ...csv
        .trim()
        .split('\n')
        .map((line) => line.split(',').map(Number))
        .map(([pts = 0, duration = 0]) => pts + duration),
    )
  }
  return { video: await end('v:0'), audio: await end('a:0') }
}
