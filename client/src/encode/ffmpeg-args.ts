/**
 * @module Command lines for ffmpeg and ffprobe. Pure functions shared by the wasm workers and the
 * native benchmark, so both encode exactly the same thing.
 */
import { INIT_TEMPLATE, MANIFEST_NAME, MEDIA_TEMPLATE } from '../../../server/lib/dash/names.ts'
import { avcLevel, levelName } from './avc-level.ts'
import { colourTagArgs, publishedColour, scaleMatrix } from './color-space.ts'
import type { EncodeJob } from './jobs.ts'
import { format, type Rational, toNumber } from './rational.ts'
import type { LadderPlan, SubtitleFormat } from './types.ts'

/** Raw frames the page hands ffmpeg through a pipe (frame-pipe.ts), in place of the source file. */
export interface RawInput {
  /** ffmpeg's name of their pixel format: "yuv420p", "nv12", "rgba"… */
  pixelFormat: string
  width: number
  height: number
  /** Frames per second: the top rung's, every frame one frame of the ladder's timeline. */
  rate: Rational
}

export interface ArgsTarget {
  input: string
  /** Directory the outputs go to, without a trailing slash. */
  outDir: string
  /**
   * Thread count for the multi-threaded wasm core. Left to itself ffmpeg asks for more threads than
   * the core's fixed pool of 32 has and deadlocks, so it is set everywhere: filters, decoder, encoders.
   * Undefined for the single-thread core and native ffmpeg.
   */
  threads?: number
  /**
   * `input` is a stream of raw frames, already decoded, upright, deinterlaced and at the ladder's
   * frame rate (the browser's decoder made them), starting at the job's first frame.
   */
  raw?: RawInput
}

/** ffprobe arguments that print everything `probe()` needs as JSON on stdout. */
export function probeArgs(input: string): string[] {
  return ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', input]
}

/**
 * ffmpeg arguments for the poster: one frame from `plan.poster.time`, square pixels, as raw RGBA.
 * ffmpeg.wasm 0.12.10's MJPEG encoder traps (memory access out of bounds) above roughly 960x540, so
 * the JPEG is made by the browser's own encoder from these pixels (see `posterFile` in pipeline.ts).
 */
export function posterArgs(plan: LadderPlan, target: ArgsTarget): string[] {
  const { time, width, height } = plan.poster
  return [
    '-hide_banner',
    ...threadArgs(target, 'input'),
    // Seeking before -i jumps to the keyframe before `time` instead of decoding from the start.
    '-ss',
    time.toFixed(3),
    '-i',
    target.input,
    '-map',
    '0:v:0',
    '-an',
    '-frames:v',
    '1',
    '-vf',
    `scale=${width}:${height}:flags=bicubic,setsar=1`,
    '-pix_fmt',
    'rgba',
    ...threadArgs(target, 'output'),
    '-f',
    'rawvideo',
    `${target.outDir}/${POSTER_RAW}`,
  ]
}

/** The poster frame as ffmpeg writes it: width x height x 4 bytes of RGBA. */
export const POSTER_RAW = 'poster.rgba'

/** How ffmpeg copies each subtitle format out of the source: the muxer's extension and the codec. */
const SUBTITLE_OUTPUT: Record<SubtitleFormat, { ext: string; codec: string }> = {
  // Copied as they are: the ASS script keeps its styles and positions for our converter to read.
  ass: { ext: 'ass', codec: 'copy' },
  // SubRip copies; mov_text (MP4's timed text) becomes SubRip on the way out.
  srt: { ext: 'srt', codec: 'srt' },
  webvtt: { ext: 'vtt', codec: 'copy' },
}

/** The file a plan's subtitle `k` is copied out to. */
export function subtitleSourceName(k: number, format: SubtitleFormat): string {
  return `subtitle-${k}.${SUBTITLE_OUTPUT[format].ext}`
}

/** The plan's subtitle number of a file {@link subtitleSourceName} made, or null. */
export function parseSubtitleSourceName(name: string): number | null {
  const m = /^subtitle-(\d{1,4})\.(ass|srt|vtt)$/.exec(name)
  return m ? Number(m[1]) : null
}

/** Seek-bar preview tile `i` (of the whole movie) as ffmpeg writes it: width x height x 4 bytes of RGBA. */
export const TILE_PATTERN = 'tile-%06d.rgba'

/** The tile number of a file ffmpeg wrote with {@link TILE_PATTERN}, or null. */
export function parseTileName(name: string): number | null {
  const m = /^tile-(\d{6,})\.rgba$/.exec(name)
  return m ? Number(m[1]) : null
}

/** Decoded frame `n` of the hybrid path as ffmpeg writes it: the top rung's size, raw 8-bit I420. */
export const FRAME_PATTERN = 'frame-%07d.yuv'

/** The frame number of a file ffmpeg wrote with {@link FRAME_PATTERN}, or null. */
export function parseFrameName(name: string): number | null {
  const m = /^frame-(\d{7,})\.yuv$/.exec(name)
  return m ? Number(m[1]) : null
}

/**
 * ffmpeg arguments that only decode, for the browser's encoders (the hybrid path: a source the
 * browser cannot decode, HEVC 10-bit above all, still gets the browser's fast encoders): frames
 * `span.start` to `span.end` of the source's video at the top rung's constant frame rate from t = 0
 * (as the encode's own graph makes them), upright (ffmpeg applies the rotation), deinterlaced when
 * needed, at the top rung's size, as 8-bit 4:2:0 limited range (10-bit dithered down, the matrix
 * kept: the frames are tagged with the movie's colour, color-space.ts), each frame its own raw file numbered with {@link FRAME_PATTERN}
 * by its frame number in the whole movie.
 */
export function decodeArgs(
  plan: LadderPlan,
  span: { start: number; end: number },
  target: ArgsTarget,
): string[] {
  const top = plan.renditions[0]!
  const chain = [
    plan.source.interlaced ? 'yadif=deint=interlaced' : null,
    `fps=fps=${format(top.frameRate)}:start_time=0`,
    // Bilinear, as in the encode's graph: in wasm bicubic costs as much as decoding. The matrix is
    // kept, and the frames are tagged with it (color-space.ts): converting an untagged HD release
    // (which swscale takes for BT.601) shifted every colour (SSIM 0.966 against the source).
    `scale=${top.width}:${top.height}:flags=bilinear:out_range=tv`,
    'format=yuv420p',
  ].filter((f): f is string => f !== null)
  return [
    '-hide_banner',
    '-loglevel',
    'info',
    // Every progress line is a chance for the worker to hand the frames written so far over.
    '-stats_period',
    '0.1',
    ...threadArgs(target, 'input'),
    // A resumed encode seeks as a slice does: to the keyframe before, dropping the frames before
    // its start, so its first frame is the movie's frame `start` at time zero.
    ...(span.start > 0 ? ['-ss', (span.start / toNumber(top.frameRate)).toFixed(6)] : []),
    ...videoOnly(target.input, chain.join(','), Math.max(0, span.end - span.start)),
    '-c:v',
    'rawvideo',
    ...threadArgs(target, 'output'),
    '-f',
    'image2',
    '-start_number',
    String(span.start),
    `${target.outDir}/${FRAME_PATTERN}`,
  ]
}

/** The input's first video stream alone, through `filter`, `frames` frames of it. */
function videoOnly(input: string, filter: string, frames: number): string[] {
  return ['-i', input, '-map', '0:v:0', '-an', '-sn', '-dn', '-vf', filter, '-frames:v', String(frames)]
}

/**
 * ffmpeg arguments for the preview tiles of a resumed hybrid encode's first `frames` frames, which it
 * does not decode again: keyframes only (cheap even for HEVC), each tile showing the keyframe nearest
 * its time, as raw RGBA files numbered like the encode's own tiles ({@link TILE_PATTERN}).
 */
export function keyframeTileArgs(plan: LadderPlan, frames: number, target: ArgsTarget): string[] {
  const tiles = plan.thumbnails!
  const { num, den } = plan.renditions[0]!.frameRate
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    ...threadArgs(target, 'input'),
    '-skip_frame',
    'nokey',
    ...videoOnly(
      target.input,
      `fps=fps=${num}/${den * tiles.step}:start_time=0,` +
        `scale=${tiles.width}:${tiles.height}:flags=bilinear,setsar=1,format=rgba`,
      Math.ceil(frames / tiles.step),
    ),
    ...threadArgs(target, 'output'),
    '-f',
    'image2',
    '-start_number',
    '0',
    `${target.outDir}/${TILE_PATTERN}`,
  ]
}

/** Output arguments that copy each of the plan's embedded subtitle tracks to its own file. */
function subtitleOutputs(plan: LadderPlan, target: ArgsTarget): string[] {
  return plan.subtitles.flatMap((sub, k) => {
    if (sub.source.kind !== 'embedded') return []
    const { codec } = SUBTITLE_OUTPUT[sub.source.format]
    return [
      '-map',
      `0:s:${sub.source.index}`,
      '-c:s',
      codec,
      `${target.outDir}/${subtitleSourceName(k, sub.source.format)}`,
    ]
  })
}

/**
 * ffmpeg arguments that only copy the plan's embedded subtitle tracks out of the source, each to its
 * own file (see {@link SUBTITLE_OUTPUT}): nothing is decoded, the file is only demuxed. For an
 * instance that encodes nothing; one that encodes copies them in the same pass (`encodeArgs`).
 * Null when the plan has none.
 */
export function subtitleArgs(plan: LadderPlan, target: ArgsTarget): string[] | null {
  const outputs = subtitleOutputs(plan, target)
  if (outputs.length === 0) return null
  return ['-hide_banner', '-loglevel', 'info', ...threadArgs(target, 'input'), '-i', target.input, ...outputs]
}

function threadArgs(target: ArgsTarget, where: 'input' | 'output'): string[] {
  if (target.threads === undefined) return []
  const n = String(target.threads)
  return where === 'input' ? ['-filter_complex_threads', '1', '-threads', n] : ['-threads', n]
}

/**
 * ffmpeg arguments for one job: the job's renditions scaled from one decode of the source, each an
 * H.264 stream with a fixed GOP of exactly one segment (forced keyframes, no scene-cut keyframes),
 * plus the audio renditions the job has, muxed by ffmpeg's DASH muxer into fMP4 segments; and, as
 * more outputs of the same run, the preview tiles and the subtitle tracks when the job has them.
 */
export function encodeArgs(plan: LadderPlan, job: EncodeJob, target: ArgsTarget): string[] {
  const args = ['-hide_banner', '-loglevel', 'info', '-stats_period', '0.5', ...threadArgs(target, 'input')]
  // A slice seeks before opening the input: ffmpeg jumps to the keyframe before the start, decodes
  // from there and drops every frame before it, so the slice starts exactly on its first frame.
  const { raw } = target
  if (job.range && job.range.start > 0 && !raw) args.push('-ss', job.range.start.toFixed(6))
  if (raw) {
    args.push('-f', 'rawvideo', '-pix_fmt', raw.pixelFormat, '-video_size', `${raw.width}x${raw.height}`)
    args.push('-framerate', format(raw.rate))
  }
  args.push('-i', target.input)
  // Phones put the recording location in metadata; the catalog must not publish it.
  args.push('-map_metadata', '-1', '-map_chapters', '-1')

  const n = job.renditions.length
  // The preview tiles branch off the same decoded, constant-rate frames as the renditions.
  const tiles = job.thumbnails && n > 0 ? plan.thumbnails : null
  const branches = n + (tiles ? 1 : 0)
  let firstTile = 0
  if (n > 0) {
    const fullRate = plan.renditions[0]!.frameRate
    const dar = format(plan.displayAspect)
    const colour = publishedColour(plan.source)
    // Constant frame rate before the split: every rendition, in every instance, then sees the same
    // frames at the same timestamps, which is what keeps their keyframes aligned.
    const head = [
      plan.source.interlaced && !raw ? 'yadif=deint=interlaced' : null,
      // Frames the browser could only give as RGB become Y'CbCr in the movie's matrix, TV range.
      raw && /^(rgb|bgr)/.test(raw.pixelFormat)
        ? `scale=out_color_matrix=${scaleMatrix(colour)}:out_range=tv`
        : null,
      // start_time=0: a slice whose first source frame lands a little after its start still gets
      // its first output frame at zero, so it joins the previous slice without a gap.
      `fps=fps=${format(fullRate)}:start_time=0`,
      'format=yuv420p',
    ].filter((f): f is string => f !== null)
    const graph = [
      branches > 1
        ? `[0:v:0]${head.join(',')},split=${branches}${Array.from({ length: branches }, (_, i) => `[s${i}]`).join('')}`
        : `[0:v:0]${head.join(',')}[s0]`,
    ]
    if (tiles) {
      // Tile i shows frame i × step of the whole movie; a slice's frame n is the movie's frame
      // first + n, so it keeps the frames where (first + n) is a multiple of step.
      const first = Math.round((job.range?.start ?? 0) * toNumber(fullRate))
      firstTile = Math.ceil(first / tiles.step)
      graph.push(
        `[s${n}]select='not(mod(n+${first}\\,${tiles.step}))',` +
          `scale=${tiles.width}:${tiles.height}:flags=bilinear,setsar=1,format=rgba[tiles]`,
      )
    }
    job.renditions.forEach((r, i) => {
      const chain = [
        r.frameRate.num !== fullRate.num || r.frameRate.den !== fullRate.den
          ? `fps=${format(r.frameRate)}`
          : null,
        // Bilinear: in wasm bicubic costs as much as decoding, and downscaling hides the difference.
        // TV range whatever the source's (phones record full range), as every source is published.
        `scale=${r.width}:${r.height}:flags=bilinear:out_range=tv`,
        // Identical display aspect on every rendition, or the DASH muxer refuses to group them.
        `setdar=dar=${dar}:max=1000`,
      ].filter((f): f is string => f !== null)
      graph.push(`[s${i}]${chain.join(',')}[v${i}]`)
    })
    args.push('-filter_complex', graph.join(';'))
    for (let i = 0; i < n; i++) args.push('-map', `[v${i}]`)
    args.push('-c:v', 'libx264', '-preset', plan.preset, '-profile:v', 'high', '-sc_threshold', '0')
    // Tagged as every rendition of the movie is, whoever encodes it (color-space.ts): the scaler
    // keeps the source's Y'CbCr numbers, so the tags say which matrix they are in.
    args.push(...colourTagArgs(colour))
    job.renditions.forEach((r, i) => {
      const s = `:v:${i}`
      args.push(
        `-b${s}`,
        String(r.bitrate),
        `-maxrate${s}`,
        String(r.maxrate),
        `-bufsize${s}`,
        String(r.bufsize),
        // A level players parse unambiguously (avc-level.ts), the one the WebCodecs path declares.
        `-level${s}`,
        levelName(avcLevel(r)),
        `-g${s}`,
        String(r.gop),
        `-keyint_min${s}`,
        String(r.gop),
        // Frame-number based, so no floating-point time comparison can move a keyframe by one frame.
        `-force_key_frames${s}`,
        `expr:eq(mod(n,${r.gop}),0)`,
      )
    })
  }
  if (job.audio.length > 0) {
    for (const a of job.audio) args.push('-map', `0:a:${a.source}`)
    args.push('-c:a', 'aac')
    job.audio.forEach((a, k) => {
      // Five channels and more are 5.1 (a 7.1 source is mixed down to it), two are the stereo mix.
      args.push(
        `-b:a:${k}`,
        String(a.bitrate),
        `-ac:a:${k}`,
        String(a.channels),
        `-ar:a:${k}`,
        String(a.sampleRate),
      )
    })
  }
  const length = job.range?.end != null ? ['-t', (job.range.end - job.range.start).toFixed(6)] : []
  args.push(...threadArgs(target, 'output'), ...length)

  const sets = [n > 0 ? 'streams=v' : null, job.audio.length > 0 ? 'streams=a' : null]
    .filter((s): s is string => s !== null)
    .map((s, i) => `id=${i},${s}`)
    .join(' ')
  args.push(
    '-f',
    'dash',
    '-dash_segment_type',
    'mp4',
    '-format_options',
    `video_track_timescale=${plan.videoTimescale}`,
    // A hair under the exact GOP length: the muxer cuts at the first keyframe at or after this, and
    // microsecond rounding of an exact value could otherwise push a cut to the next keyframe.
    '-seg_duration',
    (Math.floor(plan.segmentDuration * 1e6 - 100) / 1e6).toFixed(6),
    '-use_template',
    '1',
    '-use_timeline',
    '1',
    // The final names' templates: inside one instance $RepresentationID$ is the output stream index,
    // and renameOutput turns it into the ladder's id.
    '-init_seg_name',
    INIT_TEMPLATE,
    '-media_seg_name',
    MEDIA_TEMPLATE,
    '-adaptation_sets',
    sets,
    `${target.outDir}/${MANIFEST_NAME}`,
  )
  if (tiles) {
    // A second output: every tile a raw RGBA file of its own, numbered for the whole movie, as it
    // is made (the browser packs them into JPEG sprite sheets). passthrough: the image muxer would
    // otherwise repeat frames to fill the gaps between the selected ones.
    args.push(
      '-map',
      '[tiles]',
      '-c:v',
      'rawvideo',
      '-fps_mode',
      'passthrough',
      ...threadArgs(target, 'output'),
      ...length,
      '-f',
      'image2',
      '-start_number',
      String(firstTile),
      `${target.outDir}/${TILE_PATTERN}`,
    )
  }
  // The subtitles come out of the same demuxing pass: reading the file again would cost a pass.
  if (job.subtitles && !job.range) args.push(...subtitleOutputs(plan, target))
  return args
}
