/**
 * @module The encoding engine: probe a file, plan its DASH ladder, encode it into files that can be
 * uploaded one by one as they come out. The video is encoded by the browser's own H.264 encoder
 * (WebCodecs, webcodecs-backend.ts) where it can decode the source, by ffmpeg.wasm
 * (ffmpeg-backend.ts) otherwise; both run inside one pipeline (pipeline.ts) that hands out the files,
 * paces the encoders to the consumer, reports progress and writes the manifest.
 *
 * @example
 * const info = await probe(file)
 * const plan = planLadder(info)
 * for await (const out of encode(file, plan, { onProgress: show })) await upload(out.path, out.bytes)
 */
import { ffmpegWasmBackend } from './ffmpeg-backend.ts'
import type { EncodedFile, EncodeOptions, EncoderBackend, LadderPlan, ProbeResult } from './types.ts'
import { webCodecsBackend } from './webcodecs-backend.ts'

export { canShareMemory } from './core-loader.ts'
export { EncodeError, MediaProbeError } from './errors.ts'
export { defaultWorkers, ffmpegWasmBackend } from './ffmpeg-backend.ts'
export { planJobs } from './jobs.ts'
export { describeRendition, displaySize, planLadder } from './ladder.ts'
export type * from './types.ts'
export { avcCodecs, hasWebCodecs, webCodecsBackend } from './webcodecs-backend.ts'

declare global {
  interface Window {
    /** Set by end-to-end tests and benchmarks (before the page loads) to run the page on ffmpeg.wasm alone. */
    __adhEncoder?: 'ffmpeg.wasm'
  }
}

// The browser's own encoder where it can do the job, ffmpeg.wasm for everything else.
let backend: EncoderBackend =
  globalThis.window?.__adhEncoder === 'ffmpeg.wasm'
    ? ffmpegWasmBackend()
    : webCodecsBackend({ fallback: ffmpegWasmBackend() })

/** Swaps the encoder implementation (WebCodecs with an ffmpeg.wasm fallback by default) for everything below. */
export function useBackend(next: EncoderBackend): void {
  backend = next
}

/**
 * Reads duration, size, rotation, frame rate and codecs of a file without decoding it.
 * @throws MediaProbeError with a code and a message meant for people when the file is not a usable video.
 */
export function probe(
  file: Blob & { name?: string },
  options?: { signal?: AbortSignal },
): Promise<ProbeResult> {
  return backend.probe(file, options)
}

/**
 * Encodes the planned ladder, yielding each output file (poster, init and media segments, and the
 * manifest last) as soon as it is complete. Take the next file only when ready to hold it: on a
 * cross-origin isolated page the encoders pause while too many bytes wait to be taken.
 * @throws EncodeError when an encoder fails; the signal's reason when aborted.
 */
export function encode(
  file: Blob & { name?: string },
  plan: LadderPlan,
  options?: EncodeOptions,
): AsyncIterable<EncodedFile> {
  return backend.encode(file, plan, options)
}
