/**
 * @module Raw frames from the page into an ffmpeg.wasm worker while ffmpeg runs: the reverse of the
 * hybrid path's frames (hybrid.ts). The page copies each decoded `VideoFrame` into one of a few slots
 * of shared memory; inside the worker, ffmpeg reads a device file whose read call takes the bytes
 * out of the oldest slot, blocking (`Atomics.wait`) until the page has written one. So ffmpeg sees an
 * endless raw video file, and at most `slots` frames wait between the two: the page pauses when
 * x264 falls behind, and x264 when the page does.
 *
 * @example
 * const pipe = new FramePipe(frameBytes, 3)                 // page
 * runInWorker({ ..., pipe: pipe.spec })                      // ffmpeg reads `-f rawvideo -i /pipe/frames`
 * for (const frame of frames) await pipe.write(frame, copy, signal)
 * pipe.close()                                               // ffmpeg sees the end of the file
 */

/** What a worker needs to read a pipe: its shared memory and shape. */
export interface PipeSpec {
  /** Int32 counters: frames written, frames read, closed (1). */
  header: SharedArrayBuffer
  /** `slots` frames of `frameBytes` each. */
  data: SharedArrayBuffer
  frameBytes: number
  slots: number
}

const WRITTEN = 0
const READ = 1
const CLOSED = 2

type WaitAsync = (
  array: Int32Array,
  index: number,
  value: number,
  timeout: number,
) => { async: false; value: string } | { async: true; value: Promise<string> }

/** Resolves when `array[index]` may have moved from `value`, or after `ms` at most. */
function changed(array: Int32Array, index: number, value: number, ms: number): Promise<unknown> {
  const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync
  if (!waitAsync) return new Promise((resolve) => setTimeout(resolve, 5))
  const result = waitAsync(array, index, value, ms)
  return result.async ? result.value : Promise.resolve()
}

/** The page's end of a pipe. */
export class FramePipe {
  readonly spec: PipeSpec
  private readonly header: Int32Array
  private written = 0

  constructor(frameBytes: number, slots: number) {
    this.spec = {
      header: new SharedArrayBuffer(16),
      data: new SharedArrayBuffer(frameBytes * slots),
      frameBytes,
      slots,
    }
    this.header = new Int32Array(this.spec.header)
  }

  /**
   * Copies `frame` into the next free slot, waiting while every slot is full (resolves at once,
   * having written nothing, when `signal` aborts).
   */
  async write(frame: VideoFrame, copy: VideoFrameCopyToOptions, signal: AbortSignal): Promise<void> {
    const { frameBytes, slots, data } = this.spec
    while (!signal.aborted) {
      const read = Atomics.load(this.header, READ)
      if (this.written - read < slots) break
      // Woken by the worker's read, or every so often to look at the signal.
      await changed(this.header, READ, read, 250)
    }
    if (signal.aborted) return
    const slot = this.written % slots
    await frame.copyTo(new Uint8Array(data, slot * frameBytes, frameBytes), copy)
    this.written++
    Atomics.store(this.header, WRITTEN, this.written)
    Atomics.notify(this.header, WRITTEN)
  }

  /** No more frames: the reader gets the end of the file once it has read every one. */
  close(): void {
    Atomics.store(this.header, CLOSED, 1)
    Atomics.notify(this.header, WRITTEN)
  }
}

/**
 * The worker's end: a read function that fills `target` with the next bytes of the frame stream,
 * blocking until the page has written them, and returns how many it filled (0 at the end).
 */
export function pipeReader(spec: PipeSpec): (target: Uint8Array) => number {
  const header = new Int32Array(spec.header)
  const data = new Uint8Array(spec.data)
  /** Bytes of the oldest unread frame already read. */
  let offset = 0
  return (target) => {
    for (;;) {
      const read = Atomics.load(header, READ)
      // Closed is looked at before written: the page counts its last frame before it closes.
      const closed = Atomics.load(header, CLOSED) === 1
      const written = Atomics.load(header, WRITTEN)
      if (written > read) {
        const start = (read % spec.slots) * spec.frameBytes + offset
        const n = Math.min(target.length, spec.frameBytes - offset)
        target.set(data.subarray(start, start + n))
        offset += n
        if (offset === spec.frameBytes) {
          offset = 0
          Atomics.store(header, READ, read + 1)
          Atomics.notify(header, READ)
        }
        return n
      }
      if (closed) return 0
      Atomics.wait(header, WRITTEN, written, 1000)
    }
  }
}
