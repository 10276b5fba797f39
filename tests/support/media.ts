/**
 * Test media made on the spot with native ffmpeg, for every suite: source clips of the kinds people
 * pick, and ready-made MPEG-DASH ladders; and native ffprobe reads of what came out. Nothing here
 * is committed media: everything is generated into temp dirs.
 * @module
 */
import { execFile } from 'node:child_process'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { sha256Of } from './bytes.ts'
import { fileTempDir } from './temp-dir.ts'

const run = promisify(execFile)
const QUIET = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y']

/** Runs native ffmpeg with the given arguments in `cwd`. */
export async function nativeFfmpeg(args: string[], cwd?: string): Promise<void> {
  await run('ffmpeg', ['-nostdin', '-y', ...args], { cwd, maxBuffer: 64 * 1024 * 1024 })
}

// ───────────────────────────── sources ─────────────────────────────

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
  /** 10-bit 4:2:0 (HEVC Main 10, as anime releases are), instead of 8-bit. */
  tenBit?: boolean
}

/** Generates a test-pattern clip (H.264 + AAC in MP4) in `dir` and returns its path. */
export async function makeClip(dir: string, name: string, spec: ClipSpec): Promise<string> {
  const path = join(dir, name)
  const fps = spec.fps ?? 30
  const args = ['-v', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${spec.width}x${spec.height}:rate=${fps}`]
  if (spec.audio) args.push('-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000')
  const video =
    spec.codec === 'hevc'
      ? ['-c:v', 'libx265', '-preset', 'ultrafast', '-tag:v', 'hvc1', '-x265-params', 'log-level=error']
      : ['-c:v', 'libx264', '-preset', 'ultrafast']
  args.push('-t', String(spec.seconds), ...video, '-pix_fmt', spec.tenBit ? 'yuv420p10le' : 'yuv420p')
  if (spec.audio) args.push('-c:a', 'aac', '-b:a', '96k', '-shortest')
  if (!spec.rotate) {
    await nativeFfmpeg([...args, path])
    return path
  }
  // The rotation only sticks when remuxing: ffmpeg 5.1 drops the tag on a stream it encodes.
  const upright = join(dir, `unrotated-${name}`)
  await nativeFfmpeg([...args, upright])
  await nativeFfmpeg([
    '-v',
    'error',
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

/** The ASS track of {@link makeAnimeClip}: styles, italics, a line break, a sign on top, overlapping lines. */
export const ANIME_ASS = `[Script Info]
ScriptType: v4.00+
PlayResX: 640
PlayResY: 360

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
Style: Default,Arial,24,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,2,1,2,10,10,10,1
Style: Sign,Arial,20,&H0000FFFF,&H000000FF,&H00000000,&H00000000,-1,0,0,0,100,100,0,0,1,2,1,8,10,10,10,1

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Dialogue: 0,0:00:00.50,0:00:02.40,Default,,0,0,0,,{\\i1}Welcome{\\i0} home,\\Nbrother
Dialogue: 0,0:00:01.00,0:00:03.00,Sign,,0,0,0,,Station
Dialogue: 0,0:00:02.60,0:00:03.90,Default,,0,0,0,,{\\fad(100,100)\\c&H00FF00&}The {\\b1}last{\\b0} train
`

/** The SubRip track of {@link makeAnimeClip}. */
export const ANIME_SRT =
  '1\r\n00:00:00,500 --> 00:00:02,400\r\n<i>Bienvenido</i> a casa,\r\nhermano\r\n\r\n' +
  '2\r\n00:00:02,600 --> 00:00:03,900\r\nEl último tren\r\n'

/**
 * An anime-style release in Matroska, as people drop them: H.264, two AAC tracks (Japanese, the
 * default, then an English dub, each its own tone so they can be told apart), an ASS subtitle track
 * (English, {@link ANIME_ASS}) and a SubRip one (Spanish, {@link ANIME_SRT}). No picture-based
 * subtitles: native ffmpeg cannot make PGS.
 */
export async function makeAnimeClip(
  dir: string,
  name: string,
  spec: { width?: number; height?: number; seconds?: number; subtitles?: boolean } = {},
): Promise<string> {
  const path = join(dir, name)
  const { width = 640, height = 360, seconds = 4, subtitles = true } = spec
  const ass = join(dir, `${name}.ass`)
  const srt = join(dir, `${name}.srt`)
  await writeFile(ass, ANIME_ASS)
  await writeFile(srt, ANIME_SRT)
  await nativeFfmpeg([
    ...QUIET,
    ...['-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=30:duration=${seconds}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=660:sample_rate=48000:duration=${seconds}`],
    ...(subtitles ? ['-i', ass, '-i', srt] : []),
    ...['-map', '0:v', '-map', '1:a', '-map', '2:a', ...(subtitles ? ['-map', '3', '-map', '4'] : [])],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '30'],
    ...['-c:a', 'aac', '-b:a', '96k', '-ac', '2', '-c:s', 'copy'],
    ...[
      '-metadata:s:a:0',
      'language=jpn',
      '-metadata:s:a:0',
      'title=Japanese',
      '-disposition:a:0',
      'default',
    ],
    ...['-metadata:s:a:1', 'language=eng', '-metadata:s:a:1', 'title=English dub', '-disposition:a:1', '0'],
    ...(subtitles
      ? [
          ...['-metadata:s:s:0', 'language=eng', '-metadata:s:s:0', 'title=English', '-disposition:s:0', '0'],
          ...['-metadata:s:s:1', 'language=spa', '-c:s:1', 'srt'],
        ]
      : []),
    path,
  ])
  return path
}

/** A clip with 5.1 sound (a tone on every channel) in MP4. */
export async function makeSurroundClip(dir: string, name: string, seconds = 3): Promise<string> {
  const path = join(dir, name)
  await nativeFfmpeg([
    ...QUIET,
    ...['-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=30:duration=${seconds}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`],
    ...['-filter_complex', '[1:a]pan=5.1|FL=c0|FR=c0|FC=c0|LFE=c0|BL=c0|BR=c0[a]'],
    ...['-map', '0:v', '-map', '[a]', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'],
    ...['-c:a', 'aac', '-b:a', '256k', '-metadata:s:a:0', 'language=jpn'],
    path,
  ])
  return path
}

/**
 * A clip with one audio track per speaker layout (`mono`, `5.0`, `7.1`…), each a tone on every
 * channel, in Matroska.
 */
export async function makeChannelsClip(
  dir: string,
  name: string,
  layouts: string[],
  seconds = 2,
): Promise<string> {
  const path = join(dir, name)
  await nativeFfmpeg([
    ...QUIET,
    ...['-f', 'lavfi', '-i', `testsrc2=size=320x180:rate=30:duration=${seconds}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`],
    ...[
      '-filter_complex',
      `[1:a]asplit=${layouts.length}${layouts.map((_, i) => `[s${i}]`).join('')};` +
        // aformat alone would put a mono tone on the centre channel only.
        layouts
          .map(
            (layout, i) =>
              `[s${i}]aformat=channel_layouts=${layout},aeval=exprs=0.5*sin(440*2*PI*t):c=same[a${i}]`,
          )
          .join(';'),
    ],
    ...['-map', '0:v', ...layouts.flatMap((_, i) => ['-map', `[a${i}]`])],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '192k'],
    path,
  ])
  return path
}

/**
 * A phone-style clip in full ("JPEG") range: the left half black and the right half white at the
 * extremes of that range (Y 0 and 255), H.264 flagged full range (yuvj420p, color_range pc) and
 * BT.709 (as iPhones tag theirs), with a tone, in MP4.
 */
export async function makeFullRangeClip(dir: string, name: string, seconds = 3): Promise<string> {
  const path = join(dir, name)
  await nativeFfmpeg([
    ...QUIET,
    ...['-f', 'lavfi', '-i', `color=c=black:size=640x360:rate=30:duration=${seconds}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`],
    ...['-vf', 'drawbox=x=320:y=0:w=320:h=360:color=white:t=fill,scale=out_range=pc,format=yuvj420p'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-color_range', 'pc'],
    ...['-colorspace', 'bt709', '-color_primaries', 'bt709', '-color_trc', 'bt709'],
    ...['-c:a', 'aac', '-b:a', '96k', '-shortest'],
    path,
  ])
  return path
}

/** The RGB colours of {@link makeColourBarsClip}'s bars, left to right: red, green, blue, orange, skin, magenta. */
export const COLOUR_BARS: readonly (readonly [number, number, number])[] = [
  [200, 40, 40],
  [40, 180, 60],
  [40, 60, 200],
  [230, 140, 30],
  [220, 170, 140],
  [190, 50, 170],
]

export interface ColourBarsSpec {
  width: number
  height: number
  seconds: number
  /** The BT.601 tags written into the stream (`smpte170m`: NTSC DVDs; `bt470bg`: PAL ones), or none. */
  tags: 'smpte170m' | 'bt470bg' | null
  codec?: 'h264' | 'hevc'
}

/**
 * SD material as DVD rips and old cameras make it: {@link COLOUR_BARS} side by side, still, turned
 * into Y'CbCr with the BT.601 matrix in TV range, tagged so (or not at all, as many SD files are:
 * players take those for BT.601 too), with a tone, in MP4 or (HEVC) Matroska.
 */
export async function makeColourBarsClip(dir: string, name: string, spec: ColourBarsSpec): Promise<string> {
  const { width, height } = spec
  const row = Buffer.alloc(width * 3)
  for (let x = 0; x < width; x++) row.set(COLOUR_BARS[Math.floor((x * COLOUR_BARS.length) / width)]!, x * 3)
  const picture = join(dir, `${name}.ppm`)
  await writeFile(
    picture,
    Buffer.concat([Buffer.from(`P6\n${width} ${height}\n255\n`), ...Array(height).fill(row)]),
  )
  const path = join(dir, name)
  const tags = spec.tags
    ? ['-colorspace', spec.tags, '-color_primaries', spec.tags, '-color_trc', 'smpte170m']
    : []
  await nativeFfmpeg([
    ...QUIET,
    ...['-loop', '1', '-framerate', '30', '-i', picture],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${spec.seconds}`],
    // Grain on the luma, as film has: zero on average, and bits enough for the ladder's full bitrates
    // (a still picture alone would be planned at a few kbit/s, with the chroma starved).
    ...['-t', String(spec.seconds)],
    ...['-vf', 'scale=out_color_matrix=bt601:out_range=tv,format=yuv420p,noise=c0s=12:c0f=t+u'],
    ...(spec.codec === 'hevc'
      ? ['-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error']
      : ['-c:v', 'libx264', '-preset', 'ultrafast']),
    ...tags,
    ...['-c:a', 'aac', '-b:a', '96k', '-shortest'],
    path,
  ])
  return path
}

/**
 * A clip cut off partway, as an interrupted copy or download leaves it: written by native ffmpeg with
 * its index first (`-movflags +faststart`, as phones and editors do), then only the first `keep`
 * (a fraction) of its bytes kept. Its header still declares the whole length.
 */
export async function makeTruncatedClip(
  dir: string,
  name: string,
  spec: { seconds: number; keep: number },
): Promise<string> {
  const whole = join(dir, `whole-${name}`)
  await nativeFfmpeg([
    ...QUIET,
    ...['-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=30:duration=${spec.seconds}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${spec.seconds}`],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '30'],
    ...['-c:a', 'aac', '-b:a', '96k', '-movflags', '+faststart'],
    whole,
  ])
  const bytes = await readFile(whole)
  const path = join(dir, name)
  await writeFile(path, bytes.subarray(0, Math.floor(bytes.length * spec.keep)))
  return path
}

/** A French SubRip sidecar, `<video name>.fr.srt` beside the video, in Windows-1252 as old ones are. */
export async function makeSidecar(dir: string, videoName: string): Promise<string> {
  const path = join(dir, `${videoName.replace(/\.[^.]+$/, '')}.fr.srt`)
  const text =
    '1\r\n00:00:00,500 --> 00:00:02,400\r\nBienvenue à la maison\r\n\r\n2\r\n00:00:02,600 --> 00:00:03,900\r\nLe dernier train\r\n'
  await writeFile(path, Buffer.from(text, 'latin1'))
  return path
}

/** Writes a text file under a video's name, for the "not a video" path. */
export async function makeTextFile(dir: string, name: string): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, 'This is a shopping list, not a movie.\nmilk\neggs\n'.repeat(50))
  return path
}

// ───────────────────────────── DASH ladders ─────────────────────────────

export interface Rung {
  width: number
  height: number
  kbps: number
}

/** Two small renditions: quick to make, enough for storage, publishing and streaming tests. */
export const SMALL_LADDER: Rung[] = [
  { width: 640, height: 360, kbps: 800 },
  { width: 320, height: 180, kbps: 300 },
]

/** Three renditions far apart in bitrate, for adaptive-bitrate tests and the playback benchmark. */
export const ABR_LADDER: Rung[] = [
  { width: 1280, height: 720, kbps: 2500 },
  { width: 640, height: 360, kbps: 600 },
  { width: 256, height: 144, kbps: 150 },
]

export interface DashOptions {
  /** Length in seconds (default 3). */
  seconds?: number
  /** Video renditions, largest first, all of one aspect ratio as the DASH muxer needs (default SMALL_LADDER). */
  ladder?: Rung[]
  /** Segment length in seconds (default 1); every segment starts on a keyframe. */
  segmentSeconds?: number
  /** SegmentTemplate with a SegmentTimeline (default) or with a fixed @duration. */
  timeline?: boolean
  /** AAC bitrate (default 64 kbit/s). */
  audioKbps?: number
  /** One audio track (and AdaptationSet) per language, each its own tone (default: one, untagged). */
  audioLanguages?: string[]
  /** H.264 (the default), or HEVC as another tool might publish it: what most browsers cannot decode. */
  codec?: 'h264' | 'hevc'
}

/** What the player tests and the playback benchmark play: ABR_LADDER in 2-second segments. */
export const PLAYER_CONTENT = {
  ladder: ABR_LADDER,
  segmentSeconds: 2,
  timeline: false,
  audioKbps: 96,
} satisfies DashOptions

export interface DashMovie {
  dir: string
  /** Every file ffmpeg wrote plus poster.jpg, sorted: manifest.mpd, init-streamN.m4s, chunk-streamN-0000K.m4s. */
  files: string[]
  bytes(path: string): Promise<Uint8Array<ArrayBuffer>>
  sha256(path: string): Promise<string>
  cleanup(): Promise<void>
}

/**
 * Encodes a test pattern with a 440 Hz tone into an H.264 ladder (streams 0..n-1) and AAC audio
 * (stream n) as a static MPEG-DASH presentation, plus a poster.jpg. CBR-ish rate control
 * (maxrate = bitrate) keeps each segment close to its nominal size, so ABR decisions in tests are
 * about the ladder, not about x264's moods.
 */
export async function makeDash(opts: DashOptions = {}): Promise<DashMovie> {
  const seconds = opts.seconds ?? 3
  const ladder = opts.ladder ?? SMALL_LADDER
  const segment = opts.segmentSeconds ?? 1
  const top = ladder[0]!
  // Removed by cleanup(), or when the test file ends for a test that does not call it.
  const { dir, remove } = await fileTempDir('adh-dash-')
  const split = ladder.map((_, i) => `[v${i}]`).join('')
  const scales = ladder.map((r, i) => `[v${i}]scale=${r.width}:${r.height}[o${i}]`).join(';')
  const gop = String(30 * segment)
  const languages = opts.audioLanguages ?? [null]
  await nativeFfmpeg([
    ...QUIET,
    ...['-f', 'lavfi', '-i', `testsrc2=size=${top.width}x${top.height}:rate=30:duration=${seconds}`],
    ...languages.flatMap((_, i) => [
      ...['-f', 'lavfi', '-i', `sine=frequency=${440 + 220 * i}:sample_rate=48000:duration=${seconds}`],
    ]),
    ...['-filter_complex', `[0:v]split=${ladder.length}${split};${scales}`],
    ...ladder.flatMap((_, i) => ['-map', `[o${i}]`]),
    ...languages.flatMap((_, i) => ['-map', `${i + 1}:a`]),
    ...(opts.codec === 'hevc'
      ? ['-c:v', 'libx265', '-preset', 'ultrafast', '-tag:v', 'hvc1', '-x265-params', 'log-level=error']
      : ['-c:v', 'libx264', '-preset', 'ultrafast', '-profile:v', 'main']),
    ...['-pix_fmt', 'yuv420p', '-g', gop, '-keyint_min', gop, '-sc_threshold', '0'],
    ...ladder.flatMap((r, i) => [
      ...[`-b:v:${i}`, `${r.kbps}k`, `-maxrate:v:${i}`, `${r.kbps}k`, `-bufsize:v:${i}`, `${r.kbps * 2}k`],
    ]),
    ...['-c:a', 'aac', '-b:a', `${opts.audioKbps ?? 64}k`, '-ac', '2', '-threads', '2'],
    ...languages.flatMap((lang, i) => (lang ? [`-metadata:s:a:${i}`, `language=${lang}`] : [])),
    ...['-seg_duration', String(segment), '-use_template', '1'],
    ...['-use_timeline', opts.timeline === false ? '0' : '1'],
    ...[
      '-adaptation_sets',
      ['id=0,streams=v', ...languages.map((_, i) => `id=${i + 1},streams=${ladder.length + i}`)].join(' '),
    ],
    ...['-f', 'dash', join(dir, 'manifest.mpd')],
  ])
  await nativeFfmpeg([
    ...QUIET,
    ...['-f', 'lavfi', '-i', `testsrc2=size=${top.width}x${top.height}:rate=1`],
    ...['-frames:v', '1', '-q:v', '4'],
    join(dir, 'poster.jpg'),
  ])
  const bytes = async (path: string) => new Uint8Array(await readFile(join(dir, path)))
  return {
    dir,
    files: (await readdir(dir)).sort(),
    bytes,
    sha256: async (path) => sha256Of(await bytes(path)),
    cleanup: remove,
  }
}

// ───────────────────────────── reading media back ─────────────────────────────

export interface ProbedStream {
  index: number
  codec_type: string
  codec_name: string
  width?: number
  height?: number
  sample_aspect_ratio?: string
  display_aspect_ratio?: string
  avg_frame_rate?: string
  channels?: number
  side_data_list?: { rotation?: number }[]
  tags?: Record<string, string>
}

/** What native ffprobe prints on stdout for `args`, also when it fails (its JSON then says why). */
export async function ffprobeOutput(args: string[]): Promise<string> {
  const probing = run('ffprobe', args, { maxBuffer: 64 * 1024 * 1024 })
  return (await probing.catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }))).stdout
}

/** Streams and format of a file or URL (a manifest over HTTP reads like a player reads it). */
export async function ffprobe(
  path: string,
  extra: string[] = [],
): Promise<{ streams: ProbedStream[]; format?: Record<string, string> }> {
  const { stdout } = await run(
    'ffprobe',
    ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', ...extra, path],
    { maxBuffer: 64 * 1024 * 1024 },
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
    { maxBuffer: 64 * 1024 * 1024 },
  )
  const packets = (JSON.parse(stdout) as { packets: { pts_time: string; flags: string }[] }).packets
  return packets.map((p) => ({ key: p.flags.includes('K'), pts: Number(p.pts_time) }))
}
