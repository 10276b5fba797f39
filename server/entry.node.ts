/**
 * The Node server: environment → dependencies (libSQL file, local disk or S3, pino, prom-client)
 * → createApp → HTTP, in WEB_CONCURRENCY processes on one port (node:cluster; one process, no
 * cluster, when it is 1). SIGTERM and SIGINT stop it gracefully: no new connections, requests in
 * flight (uploads, streams) get SHUTDOWN_GRACE_SECONDS to finish, then the database is closed.
 * @module
 */
import cluster from 'node:cluster'
import type { Server } from 'node:http'
import { availableParallelism } from 'node:os'
import { resolve } from 'node:path'
import { getConnInfo } from '@hono/node-server/conninfo'
import { openLibsqlDb } from '../db/client.libsql.ts'
import { createApp } from './app.ts'
import { createPasswordHasher } from './auth/password.ts'
import { nodeScrypt } from './auth/scrypt.node.ts'
import {
  appConfig,
  httpLimits,
  type MediaStorage,
  mediaStorage,
  type NodeConfig,
  parseConfig,
} from './config.ts'
import { connectionDeps, untrustedProxyWarning } from './connection.node.ts'
import type { Deps } from './env.ts'
import { serveNode } from './http-server.node.ts'
import { nodeLogger, nodeMetrics, serveClusterMetrics, whenSent } from './observe.node.ts'
import { mountClient } from './static.node.ts'
import type { BlobStore } from './storage/blob-store.ts'
import { fsBlobStore } from './storage/fs.ts'

type NodeLog = ReturnType<typeof nodeLogger>

async function main() {
  let config: NodeConfig
  try {
    config = parseConfig(process.env)
  } catch (err) {
    // Before a logger exists: the message names each bad variable, for a person to read.
    process.stderr.write(`${(err as Error).message}\n`)
    process.exit(2)
  }
  const log = nodeLogger(config.LOG_LEVEL)
  const processes = config.WEB_CONCURRENCY ?? availableParallelism()
  if (processes > 1 && cluster.isPrimary) await runPrimary(config, log, processes)
  else await runServer(config, log)
}

/**
 * The cluster's primary: migrates the database once (before any server process opens it), starts
 * the server processes, replaces one that dies, adds up their metrics, and on SIGTERM/SIGINT
 * passes the signal on and exits when they all have.
 */
async function runPrimary(config: NodeConfig, log: NodeLog, processes: number) {
  const { close } = await openLibsqlDb({ url: config.DATABASE_URL, authToken: config.DATABASE_AUTH_TOKEN })
  close()
  serveClusterMetrics()
  let stopping = false
  let failed = false
  const listened = new Set<number>()
  const alive = () => Object.values(cluster.workers ?? {}).filter((w) => w !== undefined)
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    log.info({ signal, processes: alive().length }, 'shutting down')
    for (const w of alive()) w.process.kill('SIGTERM')
    // Each process ends itself within the grace period; this is for one that hangs.
    setTimeout(
      () => {
        for (const w of alive()) w.process.kill('SIGKILL')
      },
      (config.SHUTDOWN_GRACE_SECONDS + 10) * 1000,
    ).unref()
  }
  cluster.on('listening', (w) => listened.add(w.id))
  cluster.on('exit', (w, code, signal) => {
    if (!stopping && !listened.has(w.id)) {
      // It died before serving anything (port taken, database unreadable): another would too.
      log.error({ pid: w.process.pid, code, signal }, 'a server process could not start; stopping')
      failed = true
      stop('startup-failure')
    } else if (!stopping) {
      log.error({ pid: w.process.pid, code, signal }, 'a server process died; starting another')
      cluster.fork()
    }
    if (stopping && alive().length === 0) {
      log.flush()
      process.exit(failed ? 1 : 0)
    }
  })
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
  log.info({ processes, port: config.PORT }, 'starting server processes')
  for (let i = 0; i < processes; i++) cluster.fork()
}

/** One server process (the only one, or one of the cluster's). */
async function runServer(config: NodeConfig, log: NodeLog) {
  const metrics = nodeMetrics()
  const { db, close } = await openLibsqlDb({
    url: config.DATABASE_URL,
    authToken: config.DATABASE_AUTH_TOKEN,
    onQuery: metrics.query,
  })
  const deps: Deps = {
    db,
    blobs: await openMediaStore(mediaStorage(config), log),
    passwords: createPasswordHasher(nodeScrypt),
    config: appConfig(config),
    ...connectionDeps(config.TRUST_PROXY),
    peerAddress: (c) => getConnInfo(c).remote.address,
    log,
    metrics,
    ...(config.METRICS_TOKEN ? { metricsToken: config.METRICS_TOKEN } : {}),
    whenSent,
  }
  const app = createApp(deps)
  mountClient(app, resolve(config.CLIENT_DIR), log)

  // Every server process, the only one or one of the cluster's, has the HTTP_* limits of its own.
  const proxyCheck = untrustedProxyWarning(config.TRUST_PROXY, (msg) => log.warn({}, msg))
  const fetch: typeof app.fetch = (req, ...rest) => {
    proxyCheck(req.headers)
    return app.fetch(req, ...rest)
  }
  const at = { port: config.PORT, hostname: config.HOST }
  const server = serveNode(fetch, at, httpLimits(config), (info) => {
    log.info(
      {
        address: info.address,
        port: info.port,
        trustProxy: config.TRUST_PROXY,
      },
      config.TRUST_PROXY > 0
        ? `listening; client addresses and HTTPS from the last ${config.TRUST_PROXY} proxy hop(s) (TRUST_PROXY)`
        : 'listening; client addresses from the connection, X-Forwarded-* headers ignored (TRUST_PROXY=false)',
    )
  })
  const stop = gracefulStop(server, config.SHUTDOWN_GRACE_SECONDS, log, () => {
    close()
    log.info({}, 'stopped')
    log.flush()
    process.exit(0)
  })
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
  // A server process whose primary is gone has nobody to stop it.
  if (cluster.isWorker) cluster.worker?.on('disconnect', () => stop('primary-gone'))
}

/**
 * Stops accepting connections at once, closes idle keep-alive connections (and each busy one as
 * soon as its response is sent), lets requests in flight run for up to `graceSeconds`, cuts what
 * is left after that, then calls `done`.
 */
function gracefulStop(server: Server, graceSeconds: number, log: NodeLog, done: () => void) {
  let stopping = false
  return (signal: string) => {
    if (stopping) return
    stopping = true
    log.info({ signal, graceSeconds }, 'shutting down: no new connections, waiting for requests in flight')
    // Requests that still arrive on open connections are answered, and their connection closed.
    server.on('request', (_req, res) => res.setHeader('connection', 'close'))
    const sweep = setInterval(() => server.closeIdleConnections(), 50)
    const grace = setTimeout(() => {
      log.warn({ graceSeconds }, 'grace period over: closing the connections still open')
      server.closeAllConnections()
    }, graceSeconds * 1000)
    server.close(() => {
      clearInterval(sweep)
      clearTimeout(grace)
      done()
    })
  }
}

/** MEDIA_DIR on local disk (the default), or the bucket of MEDIA_URL=s3://… */
async function openMediaStore(media: MediaStorage, log: NodeLog): Promise<BlobStore> {
  if (media.kind === 'fs') return fsBlobStore(resolve(media.dir))
  // The AWS SDK is loaded only by servers that use it.
  const { s3BlobStoreFrom } = await import('./storage/s3.ts')
  return s3BlobStoreFrom(media, log)
}

await main()
