/**
 * @module Running steps in one ffmpeg.wasm worker (ffmpeg-worker.ts, which drives `@ffmpeg/core`
 * directly), with cancellation and, for runs outside the pipeline (the probe), a watchdog.
 */
import { EncodeError } from './errors.ts'
import workerUrl from './ffmpeg-worker.ts?worker&url'
import type { CoreLocation, RunRequest, WorkerEvent, WorkerStep } from './worker-protocol.ts'

export interface StepResult {
  code: number
  stdout: string
  log: string[]
  heapBytes: number
}

export interface RunOptions {
  core: CoreLocation
  file: Blob
  inputName: string
  steps: WorkerStep[]
  backpressure: RunRequest['backpressure']
  signal?: AbortSignal
  /**
   * Silence longer than this counts as a hang. Only for runs that never pause for a consumer: the
   * pipeline's own watchdog watches encodes.
   */
  stallTimeoutMs?: number
  onEvent?: (event: WorkerEvent) => void
  name?: string
  /** Raw frames the page writes while ffmpeg runs (frame-pipe.ts). */
  pipe?: RunRequest['pipe']
}

/** Human wording for the ways ffmpeg.wasm dies, by what its log says. */
export function errorFromLog(log: readonly string[], fallback: string): EncodeError {
  const text = log.join('\n')
  if (/Cannot allocate memory|OOM|out of memory|Memory\.grow/i.test(text)) {
    return new EncodeError(
      'out-of-memory',
      'The browser ran out of memory while encoding. Close other tabs or try a shorter or smaller video.',
      log,
    )
  }
  const decoder =
    /Decoder \(codec (\w+)\) not found|Unsupported codec with id \d+ for input stream|codec (\w+) is not supported/i.exec(
      text,
    )
  if (decoder) {
    return new EncodeError(
      'ffmpeg-failed',
      `This video uses a format the in-browser encoder cannot decode (${decoder[1] ?? decoder[2] ?? 'unknown codec'}).`,
      log,
    )
  }
  if (/Invalid data found when processing input|moov atom not found|Error while decoding/i.test(text)) {
    return new EncodeError('ffmpeg-failed', 'The video could not be decoded; the file may be damaged.', log)
  }
  return new EncodeError('ffmpeg-failed', fallback, log)
}

/**
 * Starts the encoder worker through a one-line blob: module. A blob worker inherits the page's
 * cross-origin isolation, while a worker loaded from a URL only has it if that response carries
 * COEP itself; a server that sends COEP on the page alone would otherwise get a worker that fails
 * to load. The real script is then an ordinary same-origin import.
 */
function startWorker(name: string): Worker {
  const script = `import ${JSON.stringify(new URL(workerUrl, location.href).href)}`
  const bootstrap = URL.createObjectURL(new Blob([script], { type: 'text/javascript' }))
  try {
    return new Worker(bootstrap, { type: 'module', name })
  } finally {
    // The worker has its own reference once constructed; the URL is not needed again.
    setTimeout(() => URL.revokeObjectURL(bootstrap), 60_000)
  }
}

/**
 * Starts a worker, runs the steps and resolves with each step's result (stopping after the first
 * non-zero exit). Rejects with EncodeError when the worker crashes, traps or stalls, and with the
 * signal's reason when aborted; the worker is terminated in every case.
 */
export function runInWorker(options: RunOptions): Promise<StepResult[]> {
  return new Promise<StepResult[]>((resolve, reject) => {
    let worker: Worker
    try {
      worker = startWorker(options.name ?? 'ffmpeg')
    } catch (error) {
      reject(new EncodeError('worker-crashed', `The encoder could not start: ${(error as Error).message}`))
      return
    }
    const results: StepResult[] = []
    let timer: ReturnType<typeof setTimeout> | undefined
    let lastLog: string[] = []

    const finish = (error: unknown) => {
      clearTimeout(timer)
      worker.terminate()
      options.signal?.removeEventListener('abort', onAbort)
      if (error) reject(error)
      else resolve(results)
    }
    const arm = () => {
      clearTimeout(timer)
      if (options.stallTimeoutMs === undefined) return
      timer = setTimeout(() => {
        finish(new EncodeError('stalled', 'The encoder stopped making progress.', lastLog))
      }, options.stallTimeoutMs)
    }
    const onAbort = () => finish(options.signal?.reason ?? new DOMException('Aborted', 'AbortError'))

    if (options.signal?.aborted) {
      onAbort()
      return
    }
    options.signal?.addEventListener('abort', onAbort, { once: true })

    worker.onmessage = (e: MessageEvent<WorkerEvent>) => {
      const event = e.data
      arm()
      switch (event.type) {
        case 'step-done':
          lastLog = event.log
          results.push({ code: event.code, stdout: event.stdout, log: event.log, heapBytes: event.heapBytes })
          break
        case 'failed': {
          const text = `${event.message}\n${event.log.join('\n')}`
          const oom = /Cannot enlarge memory|OOM|Out of memory|Memory\.grow/i.test(text)
          finish(
            oom
              ? new EncodeError(
                  'out-of-memory',
                  'The browser ran out of memory while encoding. Close other tabs or try a shorter or smaller video.',
                  event.log,
                )
              : new EncodeError(
                  event.trap ? 'wasm-trap' : 'worker-crashed',
                  `The encoder crashed: ${event.message}`,
                  event.log,
                ),
          )
          return
        }
      }
      options.onEvent?.(event)
      if (event.type === 'step-done' && (event.code !== 0 || results.length === options.steps.length))
        finish(null)
    }
    worker.onerror = (e) => {
      e.preventDefault()
      finish(
        new EncodeError(
          'worker-crashed',
          `The encoder could not start: ${e.message || 'worker error'}`,
          lastLog,
        ),
      )
    }
    worker.onmessageerror = () =>
      finish(new EncodeError('worker-crashed', 'The encoder sent an unreadable message.'))

    const request: RunRequest = {
      type: 'run',
      core: options.core,
      file: options.file,
      inputName: options.inputName,
      steps: options.steps,
      backpressure: options.backpressure,
      ...(options.pipe ? { pipe: options.pipe } : {}),
    }
    worker.postMessage(request)
    arm()
  })
}
