/** @module Messages between the encoder (main thread) and an ffmpeg.wasm worker. */
import type { PipeSpec } from './frame-pipe.ts'
import type { CoreVariant } from './types.ts'

export interface CoreLocation {
  variant: CoreVariant
  scriptUrl: string
  wasmUrl: string
  workerUrl: string
  /** Compiled once on the main thread and shared, so each worker skips compiling 32 MB of wasm. */
  module: WebAssembly.Module | null
}

export interface WorkerStep {
  tool: 'ffmpeg' | 'ffprobe'
  args: string[]
}

export interface RunRequest {
  type: 'run'
  core: CoreLocation
  file: Blob
  /** Name the input gets under /in; the extension helps ffmpeg guess raw formats. */
  inputName: string
  steps: WorkerStep[]
  /**
   * Shared counter of bytes posted but not yet taken by the consumer. The worker adds to it and,
   * above `limit`, blocks ffmpeg (Atomics.wait) until the main thread subtracts and notifies.
   */
  backpressure: { counter: SharedArrayBuffer; limit: number } | null
  /** Raw frames the page writes while ffmpeg runs, readable at {@link PIPE_PATH} (frame-pipe.ts). */
  pipe?: PipeSpec
}

export type WorkerEvent =
  | { type: 'loaded'; ms: number }
  | { type: 'stats'; step: number; time: number; frame: number | null }
  | { type: 'file'; step: number; name: string; bytes: ArrayBuffer }
  | { type: 'waiting'; waiting: boolean }
  | { type: 'step-done'; step: number; code: number; stdout: string; log: string[]; heapBytes: number }
  | { type: 'failed'; message: string; log: string[]; trap: boolean }

/** Mount points inside the wasm file system. */
export const IN_DIR = '/in'
export const OUT_DIR = '/out'
/** The device file a run's {@link RunRequest.pipe} is read from. */
export const PIPE_PATH = '/pipe/frames'
