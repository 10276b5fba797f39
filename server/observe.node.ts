/**
 * Logs and metrics for the Node server: pino writing one JSON line per event to stdout, and
 * prom-client metrics. With several processes (WEB_CONCURRENCY), each keeps its own counters
 * and /metrics, answered by any of them, asks the primary to add them all up (prom-client's
 * AggregatorRegistry), so a scrape sees the whole server whichever process it lands on.
 * @module
 */
import cluster from 'node:cluster'
import type { ServerResponse } from 'node:http'
import pino from 'pino'
import {
  AggregatorRegistry,
  Counter,
  collectDefaultMetrics,
  Gauge,
  Histogram,
  type Registry,
  register,
} from 'prom-client'
import type { Logger, LogLevel } from './lib/log.ts'
import type { AppMetrics, SentCallback } from './lib/observe.ts'

/** pino on stdout at `level`, with the process id on each line (several processes share stdout). */
export function nodeLogger(level: LogLevel): Logger & { flush(): void } {
  const destination = pino.destination({ fd: 1, sync: true })
  const logger = pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  )
  return Object.assign(logger, { flush: () => destination.flushSync() })
}

/**
 * Runs `done` when Node has handed the whole response to the socket (or the client left first),
 * with the bytes written for it, status line and headers included.
 */
export function whenSent(c: { env: unknown }, done: SentCallback): void {
  const out = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing
  const socket = out?.socket
  if (!out || !socket) {
    done(undefined, false)
    return
  }
  const before = socket.bytesWritten
  out.once('close', () => done(socket.bytesWritten - before, !out.writableFinished))
}

const SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

export interface NodeMetrics extends AppMetrics {
  /** Times one database statement (db/client.libsql.ts calls it). */
  query(kind: string, seconds: number): void
}

/** The server's metrics, in prom-client's default registry with Node's own (event-loop lag among them). */
export function nodeMetrics(registry: Registry = register): NodeMetrics {
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 })
  const requests = new Counter({
    name: 'adh_http_requests_total',
    help: 'Responses sent, by route pattern, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
  })
  const latency = new Histogram({
    name: 'adh_http_request_duration_seconds',
    help: 'Time from the request to the last byte of the response, by route pattern, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: SECONDS,
    registers: [registry],
  })
  const bytes = new Counter({
    name: 'adh_http_response_bytes_total',
    help: 'Bytes written to clients (headers included), by route pattern.',
    labelNames: ['route'] as const,
    registers: [registry],
  })
  const uploads = new Gauge({
    name: 'adh_uploads_in_flight',
    help: 'File uploads being received now.',
    registers: [registry],
  })
  const uploadBytes = new Gauge({
    name: 'adh_upload_bytes_in_flight',
    help: 'Bytes the uploads being received may still take (their declared length, or their allowance).',
    registers: [registry],
  })
  const publishes = new Counter({
    name: 'adh_publish_total',
    help: 'Publish requests, by outcome: published, unchanged, or the problem that refused them.',
    labelNames: ['outcome'] as const,
    registers: [registry],
  })
  const loginFailures = new Counter({
    name: 'adh_login_failures_total',
    help: 'Sign-ins and sign-ups refused for wrong credentials or a bad invite.',
    registers: [registry],
  })
  const queries = new Histogram({
    name: 'adh_db_query_duration_seconds',
    help: 'Time of each database statement, by kind (select, insert, update, delete, other).',
    labelNames: ['kind'] as const,
    buckets: SECONDS,
    registers: [registry],
  })

  // label lookups hash their label object each time: keep the children of the hot combinations.
  const children = new Map<string, { count: Counter; time: Histogram; bytes: Counter }>()
  const child = (route: string, method: string, status: number) => {
    const key = `${route} ${method} ${status}`
    let hit = children.get(key)
    if (!hit) {
      const labels = { route, method, status: String(status) }
      hit = {
        count: requests.labels(labels) as unknown as Counter,
        time: latency.labels(labels) as unknown as Histogram,
        bytes: bytes.labels({ route }) as unknown as Counter,
      }
      if (children.size < 5000) children.set(key, hit)
    }
    return hit
  }
  const queryKinds = new Map<string, Histogram>()

  const aggregator = cluster.isWorker ? new AggregatorRegistry() : null
  return {
    request(route, method, status, seconds, sent) {
      const c = child(route, method, status)
      c.count.inc()
      c.time.observe(seconds)
      if (sent) c.bytes.inc(sent)
    },
    uploadStarted(reserved) {
      uploads.inc()
      uploadBytes.inc(reserved)
      return () => {
        uploads.dec()
        uploadBytes.dec(reserved)
      }
    },
    published: (outcome) => publishes.inc({ outcome }),
    loginFailed: () => loginFailures.inc(),
    query(kind, seconds) {
      let h = queryKinds.get(kind)
      if (!h) {
        h = queries.labels({ kind }) as unknown as Histogram
        queryKinds.set(kind, h)
      }
      h.observe(seconds)
    },
    async render() {
      if (aggregator) return { contentType: registry.contentType, body: await clusterMetrics() }
      return { contentType: registry.contentType, body: await registry.metrics() }
    },
  }
}

// ───────────────────── several processes: the primary adds them up ─────────────────────

const ASK = 'adh:metrics?'
const ANSWER = 'adh:metrics!'
let asked = 0
const waiting = new Map<number, (text: string) => void>()

/** In a worker: every process's metrics, summed by the primary. */
function clusterMetrics(): Promise<string> {
  const id = ++asked
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      waiting.delete(id)
      reject(new Error('the primary process did not answer for metrics'))
    }, 5000)
    waiting.set(id, (text) => {
      clearTimeout(timer)
      resolve(text)
    })
    if (waiting.size === 1) process.on('message', onAnswer)
    process.send?.({ type: ASK, id })
  })
}

function onAnswer(message: unknown): void {
  const m = message as { type?: string; id?: number; text?: string }
  if (m?.type !== ANSWER || m.id === undefined) return
  waiting.get(m.id)?.(m.text ?? '')
  waiting.delete(m.id)
  if (waiting.size === 0) process.off('message', onAnswer)
}

/** In the primary: answers the workers' requests for the sum of everyone's metrics. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry()
  cluster.on('message', (worker, message: { type?: string; id?: number }) => {
    if (message?.type !== ASK) return
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: ANSWER, id: message.id, text }),
      (err: Error) => worker.send({ type: ANSWER, id: message.id, text: `# error: ${err.message}\n` }),
    )
  })
}
