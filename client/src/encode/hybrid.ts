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
import { loadCore } from './core-loader.ts'
import { EncodeError } from './errors.ts'
import { decodeArgs, parseFrameName } from './ffmpeg-args.ts'
import { inputName } from './ffmpeg-backend.ts'
import { type Pipeline, posterFile, type WorkUnit } from './pipeline.ts'
import { toNumber } from './rational.ts'
import { errorFromLog, runInWorker } from './runner.ts'
import { IN_DIR, OUT_DIR } from './worker-protocol.ts'

/**
 * The first `count` frames of the source at the top rung's rate, size and orientation, each a
 * `VideoFrame` the caller closes; the poster goes out from its frame on the way. The last frame is
 * repeated if the source ends early (as ffmpeg's fps filter would).
 *
 * @param units the encoders' progress units, kept alive while the decoder loads and works
 */
export async function* ffmpegFrames(
  pipeline: Pipeline,
  file: Blob & { name?: string },
  count: number,
  units: readonly WorkUnit[],
): AsyncGenerator<VideoFrame> {
  const { plan } = pipeline
  const top = plan.renditions[0]!
  const { width, height } = top
  const frameBytes = (width * height * 3) / 2
  const rate = toNumber(top.frameRate)
  const posterIndex = Math.min(count - 1, Math.round(plan.poster.time * rate))

  const ready = new Map<number, ArrayBuffer>()
  let ended = false
  let failure: unknown = null
  let wake: (() => void) | null = null
  const nudge = () => {
    wake?.()
    wake = null
  }
  const name = inputName(file)
  const core = await loadCore('core')
  const finished = runInWorker({
    core,
    file,
    inputName: name,
    steps: [
      { tool: 'ffmpeg', args: decodeArgs(plan, count, { input: `${IN_DIR}/${name}`, outDir: OUT_DIR }) },
    ],
    backpressure: pipeline.backpressure,
    signal: pipeline.signal,
    name: 'ffmpeg decoder',
    onEvent(event) {
      for (const unit of units) unit.alive()
      if (event.type !== 'file') return
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

  let last: ArrayBuffer | null = null
  for (let n = 0; n < count; n++) {
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
      colorSpace: { matrix: 'bt709', primaries: 'bt709', transfer: 'bt709', fullRange: false },
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
  if (failure !== null) throw failure
}
