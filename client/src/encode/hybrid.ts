/**
 * @module The hybrid path's frames: a source the browser cannot decode (HEVC, 10-bit, containers
 * mediabunny does not read) is decoded by one ffmpeg.wasm worker, which hands over raw 8-bit I420
 * frames at the top rung's size and frame rate; the browser's own encoders then do the expensive
 * part, as for any other source. Decoding is a small share of the work x264 in wasm would do, so
 * such a source encodes several times faster than on the ffmpeg.wasm backend.
 *
 * The frames travel as files out of the worker's in-memory file system and count against the
 * pipeline's byte budget until they become `VideoFrame`s, so the decoder pauses when the encoders
 * fall behind, and memory stays bounded however long the movie is.
 */
import { frameColorSpace, publishedColour } from './color-space.ts'
import { loadCore } from './core-loader.ts'
import { EncodeError } from './errors.ts'
import {
  decodeArgs,
  keyframeTileArgs,
  POSTER_RAW,
  parseFrameName,
  parseTileName,
  posterArgs,
} from './ffmpeg-args.ts'
import { inputName } from './ffmpeg-backend.ts'
import { type Pipeline, posterFile, type WorkUnit } from './pipeline.ts'
import { toNumber } from './rational.ts'
import { errorFromLog, runInWorker } from './runner.ts'
import { IN_DIR, OUT_DIR } from './worker-protocol.ts'

/**
 * Frames `span.start` to `span.end` of the source at the top rung's rate, size and orientation, each
 * a `VideoFrame` the caller closes; the poster goes out from its frame on the way. The last frame is
 * repeated if the source ends early (as ffmpeg's fps filter would). A resumed encode (start > 0)
 * gets the poster and the preview tiles before its start from quick passes of their own first.
 *
 * @param units the encoders' progress units, kept alive while the decoder loads and works
 */
export async function* ffmpegFrames(
  pipeline: Pipeline,
  file: Blob & { name?: string },
  span: { start: number; end: number },
  units: readonly WorkUnit[],
): AsyncGenerator<VideoFrame> {
  const { plan } = pipeline
  const { start, end } = span
  const top = plan.renditions[0]!
  const { width, height } = top
  const frameBytes = (width * height * 3) / 2
  const rate = toNumber(top.frameRate)
  const posterIndex = Math.min(end - 1, Math.round(plan.poster.time * rate))
  const tiles = plan.thumbnails
  // ffmpeg keeps the source's matrix (decodeArgs): the frames say which one it is.
  const colorSpace = frameColorSpace(publishedColour(plan.source))
  const input = `${IN_DIR}/${inputName(file)}`
  const target = { input, outDir: OUT_DIR }

  const ready = new Map<number, ArrayBuffer>()
  let ended = false
  let failure: unknown = null
  let wake: (() => void) | null = null
  const nudge = () => {
    wake?.()
    wake = null
  }
  const core = await loadCore('core')
  const finished = runInWorker({
    core,
    file,
    inputName: inputName(file),
    steps: [
      ...(start > posterIndex ? [{ tool: 'ffmpeg' as const, args: posterArgs(plan, target) }] : []),
      ...(start > 0 && tiles
        ? [{ tool: 'ffmpeg' as const, args: keyframeTileArgs(plan, start, target) }]
        : []),
      { tool: 'ffmpeg', args: decodeArgs(plan, span, target) },
    ],
    backpressure: pipeline.backpressure,
    signal: pipeline.signal,
    name: 'ffmpeg decoder',
    onEvent(event) {
      for (const unit of units) unit.alive()
      if (event.type !== 'file') return
      if (earlier(event.name, event.bytes)) {
        pipeline.discardWorkerBytes(event.bytes.byteLength)
        return
      }
      const n = parseFrameName(event.name)
      if (n === null || event.bytes.byteLength !== frameBytes) {
        pipeline.discardWorkerBytes(event.bytes.byteLength)
        if (n !== null)
          failure = new EncodeError('ffmpeg-failed', `Decoded frame ${n} came out the wrong size.`)
      } else ready.set(n, event.bytes)
      nudge()
    },
  }).then(
    (results) => {
      const result = results[0]
      if (result?.code !== 0) {
        failure ??= errorFromLog(
          result?.log ?? [],
          `Decoding the video failed (ffmpeg exit code ${result?.code}).`,
        )
      }
    },
    (error: unknown) => {
      failure ??= error
    },
  )
  void finished.finally(() => {
    ended = true
    nudge()
  })

  let poster: Promise<void> = Promise.resolve()
  // The poster and the tiles of a resumed encode's skipped frames, from their own passes.
  function earlier(name: string, bytes: ArrayBuffer): boolean {
    const tile = parseTileName(name)
    if (tile !== null && tiles && bytes.byteLength === tiles.width * tiles.height * 4) {
      const pixels = new ImageData(new Uint8ClampedArray(bytes), tiles.width, tiles.height)
      if (tile * tiles.step < start)
        pipeline.tile(tile, (context, x, y) => context.putImageData(pixels, x, y))
      return true
    }
    if (name === POSTER_RAW && bytes.byteLength === plan.poster.width * plan.poster.height * 4) {
      const { width: w, height: h } = plan.poster
      const pixels = new ImageData(new Uint8ClampedArray(bytes), w, h)
      poster = posterFile(plan, (context) => context.putImageData(pixels, 0, 0)).then((file) =>
        pipeline.emit(file),
      )
      return true
    }
    return false
  }

  let last: ArrayBuffer | null = null
  for (let n = start; n < end; n++) {
    while (!ready.has(n) && !ended && failure === null) await new Promise<void>((resolve) => (wake = resolve))
    if (failure !== null) throw failure
    const data = ready.get(n)
    if (data) {
      ready.delete(n)
      last = data
    }
    if (!last) throw new EncodeError('ffmpeg-failed', 'The video has no frame at its start.')
    const frame = new VideoFrame(last, {
      format: 'I420',
      codedWidth: width,
      codedHeight: height,
      timestamp: Math.round((n / rate) * 1e6),
      colorSpace,
    })
    // The frame holds its own copy: the bytes leave the budget, and the decoder may go on.
    if (data) pipeline.discardWorkerBytes(data.byteLength)
    if (n === posterIndex) {
      const { width: w, height: h } = plan.poster
      pipeline.emit(await posterFile(plan, (context) => context.drawImage(frame, 0, 0, w, h)))
    }
    yield frame
  }
  await finished
  await poster
  if (failure !== null) throw failure
}
