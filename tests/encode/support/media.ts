/**
 * @module Test media made on the spot with native ffmpeg, and native ffprobe checks of what the
 * encoder produced. Nothing here is committed media: every clip is generated into a temp dir.
 */
import { execFile } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface ClipSpec {
  width: number
  height: number
  seconds: number
  fps?: number
  audio?: boolean
  /**
   * "rotate" tag written into the display matrix, as phones held upright do with a landscape sensor.
   * ffmpeg 5.1 turns rotate=90 into a matrix that shows the picture turned a quarter counter-clockwise.
   */
  rotate?: 90 | 180 | 270
  /** H.264 unless told otherwise; HEVC is what phones record and many browsers cannot decode. */
  codec?: 'h264' | 'hevc'
}

/** Generates a test-pattern clip (H.264 + AAC in MP4) with native ffmpeg and returns its path. */
export async function makeClip(dir: string, name: string, spec: ClipSpec): Promise<string> {
  const path = join(dir, name)
  const fps = spec.fps ?? 30
  const args = [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${spec.width}x${spec.height}:rate=${fps}`,
  ]
  if (spec.audio) args.push('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000')
  const video =
    spec.codec === 'hevc'
      ? ['-c:v', 'libx265', '-preset', 'ultrafast', '-tag:v', 'hvc1', '-x265-params', 'log-level=error']
      : ['-c:v', 'libx264', '-preset', 'ultrafast']
  args.push('-t', String(spec.seconds), ...video, '-pix_fmt', 'yuv420p')
  if (spec.audio) args.push('-c:a', 'aac', '-b:a', '96k', '-shortest')
  if (!spec.rotate) {
    await run('ffmpeg', [...args, path])
    return path
  }
  // The rotation only sticks when remuxing: ffmpeg 5.1 drops the tag on a stream it encodes.
  const upright = join(dir, `unrotated-${name}`)
  await run('ffmpeg', [...args, upright])
  await run('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-i',
    upright,
    '-c',
    'copy',
    '-metadata:s:v:0',
    `rotate=${spec.rotate}`,
    path,
  ])
  return path
}

/** Writes a text file under a video's name, for the "not a video" path. */
export async function makeTextFile(dir: string, name: string): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, 'This is a shopping list, not a movie.\nmilk\neggs\n'.repeat(50))
  return path
}

export interface ProbedStream {
  index: number
  codec_type: string
  codec_name: string
  width?: number
  height?: number
  sample_aspect_ratio?: string
  display_aspect_ratio?: string
  avg_frame_rate?: string
  side_data_list?: { rotation?: number }[]
  tags?: Record<string, string>
}

export async function ffprobe(
  path: string,
  extra: string[] = [],
): Promise<{ streams: ProbedStream[]; format?: Record<string, string> }> {
  const { stdout } = await run(
    'ffprobe',
    ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', ...extra, path],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  )
  return JSON.parse(stdout)
}

/**
 * Packets of one representation's segment, decoded by native ffprobe from init + media segment
 * concatenated (which is exactly what a DASH player appends to its source buffer).
 */
export async function segmentPackets(
  dir: string,
  init: string,
  chunk: string,
): Promise<{ key: boolean; pts: number }[]> {
  const joined = join(dir, `.probe-${chunk}.mp4`)
  await writeFile(joined, Buffer.concat([await readFile(join(dir, init)), await readFile(join(dir, chunk))]))
  const { stdout } = await run(
    'ffprobe',
    ['-v', 'error', '-print_format', 'json', '-show_entries', 'packet=pts_time,flags', joined],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  )
  const packets = (JSON.parse(stdout) as { packets: { pts_time: string; flags: string }[] }).packets
  return packets.map((p) => ({ key: p.flags.includes('K'), pts: Number(p.pts_time) }))
}

/** Runs native ffmpeg with the given arguments in `cwd`. */
export async function nativeFfmpeg(args: string[], cwd?: string): Promise<void> {
  await run('ffmpeg', ['-nostdin', '-y', ...args], { cwd, maxBuffer: 64 * 1024 * 1024 })
}
