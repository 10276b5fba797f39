/**
 * Progress-saving benchmark (issue 12): does the player's progress saving slow the catalog down?
 *
 * Seeds a catalog (BENCH_MOVIES published movies) and 1,000 signed-in viewers in a libSQL file,
 * starts the real Node server (`server/entry.node.ts`), then measures the catalog's first page
 * (`GET /api/movies?limit=20`, anonymous, wrk at 32 connections) with and without the write load:
 * every viewer saving its position every 10 s (`PUT /api/me/progress/:id` with its session cookie,
 * as the player does), 100 writes/s in all, sent on schedule by a small keep-alive client in this
 * process that times each write. Open loop: a slow answer does not delay the next write, so the
 * write latencies are what a viewer would see.
 *
 * The two scenarios alternate in BENCH_ROUNDS rounds, so other work on a shared machine falls on
 * both alike. Requests/s are means over the rounds; p50 and p99 are medians of the rounds'.
 *
 *   npm run bench:progress       # BENCH_SECONDS=20 per scenario, BENCH_ROUNDS=4, BENCH_MOVIES=20000
 * @module
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openLibsqlDb } from '../db/client.libsql.ts'
import { movies, users } from '../db/schema.ts'
import { createPasswordHasher } from '../server/auth/password.ts'
import { nodeScrypt } from '../server/auth/scrypt.node.ts'
import { createSession, SESSION_COOKIE } from '../server/auth/tokens.ts'
import { DEFAULT_CONFIG, type Deps } from '../server/env.ts'
import { newId } from '../server/lib/crypto.ts'
import { memoryBlobStore } from '../server/storage/memory.ts'
import { fmt, hasWrk, type LoadResult, percentile, splitCpus, startNodeServer, table, wrk } from './lib.ts'

const MOVIES = Number(process.env.BENCH_MOVIES ?? 20_000)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4)
const VIEWERS = 1000
const SAVE_EVERY_MS = 10_000
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32)
const CATALOG = '/api/movies?limit=20'
/** Movies the viewers are watching: the newest ones, as people watch what is new. */
const WATCHED = 200

interface Viewer {
  cookie: string
  movieId: string
  position: number
}

/** Sends 100 writes/s on schedule (one viewer every SAVE_EVERY_MS / VIEWERS ms) until stopped. */
function writeLoad(url: string, viewers: Viewer[]) {
  const { hostname, port } = new URL(url)
  // A playing tab keeps its connection to us busy (segments), so its saves find it open: a few
  // dozen kept-alive connections, used in turn so that none idles into the server's keep-alive
  // timeout (a new connection costs a trip through the server's busy event loop before it is read).
  const agent = new Agent({ keepAlive: true, maxSockets: 32, scheduling: 'fifo' })
  const latencies: number[] = []
  let errors = 0
  let sent = 0
  let stopped = false
  let measuring = false
  const inflight = new Set<Promise<void>>()

  const write = (v: Viewer) =>
    new Promise<void>((resolve) => {
      v.position += SAVE_EVERY_MS / 1000
      const body = JSON.stringify({ position: v.position, duration: 1440 })
      const started = performance.now()
      const req = request(
        {
          agent,
          hostname,
          port,
          method: 'PUT',
          path: `/api/me/progress/${v.movieId}`,
          headers: {
            cookie: v.cookie,
            origin: url,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          res.resume()
          res.on('end', () => {
            if (measuring) latencies.push(performance.now() - started)
            if (res.statusCode !== 200) errors++
            resolve()
          })
        },
      )
      req.on('error', () => {
        errors++
        resolve()
      })
      req.end(body)
    })

  const interval = SAVE_EVERY_MS / viewers.length
  const done = (async () => {
    const start = performance.now()
    for (let i = 0; !stopped; i++) {
      const due = start + i * interval
      const wait = due - performance.now()
      if (wait > 0) await new Promise((r) => setTimeout(r, wait))
      if (stopped) break
      const p = write(viewers[i % viewers.length]!)
      inflight.add(p)
      void p.then(() => inflight.delete(p))
      if (measuring) sent++
    }
    await Promise.all(inflight)
    agent.destroy()
  })()

  return {
    /** Starts counting: writes before this (the warm-up) are not measured. */
    measure() {
      measuring = true
      return performance.now()
    },
    async stop() {
      measuring = false
      stopped = true
      await done
      return { latencies, errors, sent }
    },
  }
}

async function seed(dbUrl: string): Promise<Viewer[]> {
  const { db, close } = await openLibsqlDb({ url: dbUrl })
  const deps: Deps = {
    db,
    blobs: memoryBlobStore(),
    passwords: createPasswordHasher(nodeScrypt),
    config: DEFAULT_CONFIG,
  }
  const ownerId = newId()
  await db.insert(users).values({ id: ownerId, username: 'bench-owner', passwordHash: 'x', role: 'uploader' })
  const base = Date.now() - MOVIES * 1000
  for (let start = 0; start < MOVIES; start += 500) {
    const rows = []
    for (let i = start; i < Math.min(MOVIES, start + 500); i++) {
      const at = new Date(base + i * 1000)
      rows.push({
        id: newId(),
        name: `Bench movie ${i}`,
        description: `Episode ${i} of a long benchmark`,
        status: 'ready' as const,
        duration: 1440,
        ownerId,
        createdAt: at,
        updatedAt: at,
        publishedAt: at,
      })
    }
    await db.insert(movies).values(rows)
  }
  const watched = (await db.select({ id: movies.id }).from(movies).orderBy(movies.seq).limit(MOVIES)).slice(
    -WATCHED,
  )
  // Accounts and sessions made directly: signing 1,000 people in would only measure scrypt.
  const viewers: Viewer[] = []
  for (let i = 0; i < VIEWERS; i++) {
    const id = newId()
    await db.insert(users).values({ id, username: `viewer${i}`, passwordHash: 'x', role: 'viewer' })
    const { secret } = await createSession(deps, id)
    viewers.push({
      cookie: `${SESSION_COOKIE}=${secret}`,
      movieId: watched[i % watched.length]!.id,
      position: (i * 7) % 1200,
    })
  }
  close()
  return viewers
}

/** CPU seconds a process has used so far (Linux /proc; NaN elsewhere). */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return Number.NaN
  }
}

async function main() {
  if (!(await hasWrk())) throw new Error('bench:progress needs wrk (apt-get install wrk)')
  const dir = mkdtempSync(join(tmpdir(), 'adh-bench-progress-'))
  const dbUrl = `file:${join(dir, 'app.db')}`
  const viewers = await seed(dbUrl)
  // The server gets a core to itself; wrk and the progress writers (this process) share the rest.
  const cpus = await splitCpus()
  const { url, proc } = await startNodeServer(
    { DATABASE_URL: dbUrl, MEDIA_DIR: join(dir, 'media') },
    cpus ? { cpus: cpus.server } : {},
  )

  const quiet: (LoadResult & { cpu: number })[] = []
  const loaded: (LoadResult & { cpu: number })[] = []
  /** The catalog under wrk, with the share of a core the server used meanwhile. */
  const measure = async (seconds: number) => {
    const cpu0 = cpuSeconds(proc.pid)
    const t0 = performance.now()
    const result = CONNECTIONS
      ? await wrk({
          url,
          paths: [CATALOG],
          connections: CONNECTIONS,
          seconds,
          ...(cpus ? { cpus: cpus.load } : {}),
        })
      : await new Promise<LoadResult>((r) =>
          setTimeout(() => r({ rps: 0, p50: 0, p99: 0, mbps: 0, errors: 0, non2xx: 0 }), seconds * 1000),
        )
    return { ...result, cpu: (cpuSeconds(proc.pid) - cpu0) / ((performance.now() - t0) / 1000) }
  }
  const writes: { latencies: number[]; errors: number; sent: number; seconds: number }[] = []
  try {
    const slice = SECONDS / ROUNDS
    if (CONNECTIONS) await measure(2) // warm-up
    for (let round = 0; round < ROUNDS; round++) {
      // Alternating which goes first, so neither always follows the other.
      for (const withWrites of round % 2 ? [true, false] : [false, true]) {
        if (!withWrites) {
          quiet.push(await measure(slice))
          continue
        }
        const load = writeLoad(url, viewers)
        await new Promise((r) => setTimeout(r, 1000))
        const from = load.measure()
        loaded.push(await measure(slice))
        const seconds = (performance.now() - from) / 1000
        writes.push({ ...(await load.stop()), seconds })
      }
    }
  } finally {
    proc.kill()
    rmSync(dir, { recursive: true, force: true })
  }

  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  const summary = (rs: (LoadResult & { cpu: number })[]) => ({
    cpu: mean(rs.map((r) => r.cpu)),
    rps: mean(rs.map((r) => r.rps)),
    p50: median(rs.map((r) => r.p50)),
    p99: median(rs.map((r) => r.p99)),
    errors: rs.reduce((n, r) => n + r.errors + r.non2xx, 0),
  })
  const q = summary(quiet)
  const l = summary(loaded)
  const all = writes.flatMap((w) => w.latencies).sort((a, b) => a - b)
  const writeRate = writes.reduce((n, w) => n + w.sent, 0) / writes.reduce((n, w) => n + w.seconds, 0)
  const writeErrors = writes.reduce((n, w) => n + w.errors, 0)
  const change = (a: number, b: number) => `${b >= a ? '+' : ''}${fmt(((b - a) / a) * 100, 0)}%`

  console.log(
    `\n${MOVIES.toLocaleString('en')} published movies, ${VIEWERS} signed-in viewers; catalog: ${CATALOG}, ` +
      `wrk ${CONNECTIONS} connections; ${ROUNDS} rounds of ${fmt(SECONDS / ROUNDS)} s per scenario; ` +
      `${cpus ? `server on CPU ${cpus.server}, wrk and the writers on CPU ${cpus.load}` : 'no CPU pinning'}; Node ${process.version}\n`,
  )
  console.log(
    table(
      [
        'scenario',
        'catalog req/s',
        'catalog p50 ms',
        'catalog p99 ms',
        'progress writes/s',
        'write p50 ms',
        'write p99 ms',
        'server CPU',
        'errors',
      ],
      [
        [
          'catalog alone',
          fmt(q.rps, 0),
          fmt(q.p50),
          fmt(q.p99),
          '—',
          '—',
          '—',
          `${fmt(q.cpu * 100, 0)}%`,
          q.errors,
        ],
        [
          'catalog + progress saving',
          fmt(l.rps, 0),
          fmt(l.p50),
          fmt(l.p99),
          fmt(writeRate, 0),
          fmt(percentile(all, 50)),
          fmt(percentile(all, 99)),
          `${fmt(l.cpu * 100, 0)}%`,
          l.errors + writeErrors,
        ],
        ['change', change(q.rps, l.rps), change(q.p50, l.p50), change(q.p99, l.p99), '', '', '', '', ''],
      ],
    ),
  )
}

await main()
