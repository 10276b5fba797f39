/// <reference lib="webworker" />
/**
 * @module One ffmpeg.wasm instance in a dedicated worker. It runs a list of ffmpeg/ffprobe steps on a
 * file mounted read-only with WORKERFS (read in slices on demand, never copied into the wasm heap),
 * and moves every output file out of the in-memory file system the moment the DASH muxer finishes it,
 * so memory stays bounded however long the video is. One worker serves one run, then is terminated:
 * wasm memory never shrinks, and terminating is the only way to give it back.
 *
 * It drives `@ffmpeg/core` directly rather than through the `@ffmpeg/ffmpeg` wrapper, which cannot do
 * any of the three things this needs: mount the input with WORKERFS (the wrapper copies the whole
 * file into the wasm heap), take files out while `exec` is still running (the wrapper's file calls
 * wait for the command to end, so a long movie's segments would all pile up in memory), and block
 * ffmpeg while the uploader catches up (`Atomics.wait` inside the core's log callback, which runs
 * on this thread in the middle of the encode).
 */
import { parseSegmentName } from '../../../server/lib/dash/names.ts'
import { parseFrameName, parseTileName } from './ffmpeg-args.ts'
import { pipeReader } from './frame-pipe.ts'
import { IN_DIR, OUT_DIR, PIPE_PATH, type RunRequest, type WorkerEvent } from './worker-protocol.ts'

/** A device's read: fills `buffer` (the wasm heap) from `offset`, at most `length` bytes. */
interface DeviceOps {
  open(stream: { seekable: boolean }): void
  read(stream: unknown, buffer: Int8Array, offset: number, length: number, position: number): number
}

interface CoreFS {
  mkdir(path: string): void
  makedev(major: number, minor: number): number
  registerDevice(dev: number, ops: DeviceOps): void
  mkdev(path: string, mode: number, dev: number): void
  mount(type: unknown, opts: unknown, path: string): void
  readdir(path: string): string[]
  readFile(path: string): Uint8Array
  unlink(path: string): void
  filesystems: Record<string, unknown>
}

interface Core {
  FS: CoreFS
  HEAPU8: Uint8Array
  exec(...args: string[]): number
  ffprobe(...args: string[]): number
  reset(): void
  setTimeout(ms: number): void
  setLogger(logger: (log: { type: string; message: string }) => void): void
}

type CoreFactory = (overrides: Record<string, unknown>) => Promise<Core>

const scope = self as unknown as DedicatedWorkerGlobalScope
const LOG_LINES = 80

function post(event: WorkerEvent, transfer: Transferable[] = []): void {
  scope.postMessage(event, transfer)
}

/** Seconds from ffmpeg's "time=00:01:02.50"; negative before the first output timestamp. */
function parseTime(line: string): number | null {
  const m = /time=\s*(-?)(\d+):(\d+):(\d+(?:\.\d+)?)/.exec(line)
  if (!m) return null
  const t = Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4])
  return m[1] ? -t : t
}

async function loadCore(req: RunRequest): Promise<Core> {
  const { core } = req
  const factory = ((await import(/* @vite-ignore */ core.scriptUrl)) as { default: CoreFactory }).default
  const overrides: Record<string, unknown> = {
    // The core locates its .wasm (and the threaded core its pthread worker) through this hash.
    mainScriptUrlOrBlob: `${core.scriptUrl}#${btoa(JSON.stringify({ wasmURL: core.wasmUrl, workerURL: core.workerUrl }))}`,
  }
  const module = core.module
  if (module) {
    overrides.instantiateWasm = (
      imports: WebAssembly.Imports,
      receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
    ) => {
      WebAssembly.instantiate(module, imports).then((instance) => receive(instance, module))
      return {}
    }
  }
  return factory(overrides)
}

async function run(req: RunRequest): Promise<void> {
  const started = performance.now()
  const core = await loadCore(req)
  post({ type: 'loaded', ms: performance.now() - started })

  core.FS.mkdir(IN_DIR)
  core.FS.mount(core.FS.filesystems.WORKERFS, { blobs: [{ name: req.inputName, data: req.file }] }, IN_DIR)
  core.FS.mkdir(OUT_DIR)
  if (req.pipe) {
    // The page's frames, as a file ffmpeg reads from start to end and never seeks in.
    const read = pipeReader(req.pipe)
    // Above the majors the core gives its own devices (64 upwards, a few of them).
    const dev = core.FS.makedev(200, 0)
    core.FS.registerDevice(dev, {
      open: (stream) => {
        stream.seekable = false
      },
      read: (_stream, buffer, offset, length) =>
        read(new Uint8Array(buffer.buffer, buffer.byteOffset + offset, length)),
    })
    core.FS.mkdir(PIPE_PATH.slice(0, PIPE_PATH.lastIndexOf('/')))
    core.FS.mkdev(PIPE_PATH, 0o444, dev)
  }

  const counter = req.backpressure ? new Int32Array(req.backpressure.counter) : null
  const log: string[] = []
  let stdout: string[] = []
  let step = 0
  /** Representations whose first media segment has been opened: their init segment is complete. */
  const started_ = new Set<string>()

  const waitForConsumer = () => {
    if (!counter || !req.backpressure) return
    if (Atomics.load(counter, 0) <= req.backpressure.limit) return
    post({ type: 'waiting', waiting: true })
    for (;;) {
      const value = Atomics.load(counter, 0)
      if (value <= req.backpressure.limit) break
      // ffmpeg is paused right here, inside its own log call, until the uploader catches up.
      Atomics.wait(counter, 0, value, 1000)
    }
    post({ type: 'waiting', waiting: false })
  }

  /**
   * Moves finished files out. The DASH muxer writes each segment as "<name>.tmp" and renames it when
   * it is complete; an init segment is complete once its representation's first segment exists; the
   * manifest is rewritten after every segment and only taken at the end. A preview tile or a decoded
   * frame is written whole between two log lines (the image muxer opens, writes and closes each file
   * within one packet), so it is complete as soon as it is there.
   */
  const harvest = (final: boolean) => {
    const names = core.FS.readdir(OUT_DIR).filter((n) => n !== '.' && n !== '..')
    for (const name of names) {
      const segment = parseSegmentName(name.replace(/\.tmp$/, ''))
      if (segment?.kind === 'media') started_.add(segment.id)
    }
    for (const name of names) {
      if (name.endsWith('.tmp')) continue
      if (!final && parseTileName(name) === null && parseFrameName(name) === null) {
        const segment = parseSegmentName(name)
        if (!segment || (segment.kind === 'init' && !started_.has(segment.id))) continue
      }
      const path = `${OUT_DIR}/${name}`
      const data = core.FS.readFile(path)
      core.FS.unlink(path)
      // readFile returns a copy that owns its buffer, so the buffer can be transferred as is.
      const bytes =
        data.byteOffset === 0 && data.byteLength === data.buffer.byteLength
          ? data.buffer
          : data.slice().buffer
      if (counter) Atomics.add(counter, 0, data.byteLength)
      post({ type: 'file', step, name, bytes: bytes as ArrayBuffer }, [bytes as ArrayBuffer])
      waitForConsumer()
    }
  }

  core.setLogger(({ type, message }) => {
    if (type === 'stdout') {
      stdout.push(message)
      return
    }
    const time = message.includes('time=') ? parseTime(message) : null
    if (time !== null) {
      const frame = /frame=\s*(\d+)/.exec(message)
      post({ type: 'stats', step, time, frame: frame ? Number(frame[1]) : null })
    } else {
      log.push(message)
      if (log.length > LOG_LINES) log.shift()
    }
    harvest(false)
  })
  core.setTimeout(-1)

  for (step = 0; step < req.steps.length; step++) {
    const { tool, args } = req.steps[step]!
    stdout = []
    let code: number
    try {
      code = tool === 'ffmpeg' ? core.exec(...args) : core.ffprobe(...args)
    } catch (err) {
      // The core rethrows anything that is not an ffmpeg exit; a wasm trap (RuntimeError) surfaces
      // here, sometimes disguised as "TypeError ... reading 'startsWith'" when the thrown value has
      // no message.
      const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
      post({ type: 'failed', message, log: [...log], trap: true })
      return
    }
    core.reset()
    harvest(true)
    post({
      type: 'step-done',
      step,
      code,
      stdout: stdout.join('\n'),
      log: [...log],
      heapBytes: core.HEAPU8.length,
    })
    if (code !== 0) return
  }
}

scope.onmessage = (e: MessageEvent<RunRequest>) => {
  if (e.data?.type !== 'run') return
  run(e.data).catch((err: unknown) => {
    post({ type: 'failed', message: err instanceof Error ? err.message : String(err), log: [], trap: false })
  })
}
