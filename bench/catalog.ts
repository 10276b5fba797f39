/**
 * Catalog benchmark (issues 2 and 17): seeds 100,000 movies, then loads the running Node server
 * (WEB_CONCURRENCY processes, one per core by default) and the seed's own stack (Django + DRF +
 * gunicorn with 2 workers, bench/seed-stack, on a copy of the same movies) with wrk at 32
 * connections: list, a deep cursor page (ours only), search for a word in half the catalog, search
 * for a rare word, get by id. Every row runs BENCH_RUNS times, ours and theirs alternating; the
 * table has the medians and ours/seed.
 *
 *   npm run bench:catalog     # BENCH_SECONDS=10 BENCH_RUNS=3 BENCH_MOVIES=100000 by default
 * Needs wrk, and python3-django, python3-djangorestframework and gunicorn (Debian packages).
 * @module
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { and, desc, eq } from 'drizzle-orm'
import { openLibsqlDb } from '../db/client.libsql.ts'
import { movies, users } from '../db/schema.ts'
import { newId } from '../server/lib/crypto.ts'
import { encodeCursor } from '../server/services/movies.ts'
import { fmt, freePort, type LoadResult, startNodeServer, table, wrk } from './lib.ts'

const COUNT = Number(process.env.BENCH_MOVIES ?? 100_000)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
const RUNS = Number(process.env.BENCH_RUNS ?? 3)
const PROCESSES = process.env.WEB_CONCURRENCY ?? String(availableParallelism())
const CONNECTIONS = 32

const WORDS =
  `shield hero sword dragon night city ghost spirit ocean mountain summer winter blade moon sun star
  academy school detective mystery island festival train castle forest river storm fire ice wind thunder
  knight witch prince princess robot pilot galaxy station garden kitchen journey return legend chronicle`
    .split(/\s+/)
    .filter(Boolean)

function words(n: number, seed: number): string {
  const out: string[] = []
  for (let i = 0; i < n; i++) out.push(WORDS[(seed * 31 + i * 17 + ((seed >> 3) % 7)) % WORDS.length]!)
  return out.join(' ')
}

/** Starts gunicorn on the seed stack's database and waits until it answers. */
async function startSeedStack(seedDb: string): Promise<{ url: string; proc: ChildProcess }> {
  const port = await freePort()
  const proc = spawn(
    'gunicorn',
    ['--workers', '2', '--bind', `127.0.0.1:${port}`, '--chdir', resolve('bench/seed-stack'), 'wsgi'],
    { env: { ...process.env, SEED_DB: seedDb }, stdio: ['ignore', 'ignore', 'ignore'] },
  )
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; i < 300; i++) {
    if (proc.exitCode !== null) throw new Error(`gunicorn exited with ${proc.exitCode}`)
    try {
      if ((await fetch(`${url}/movies`)).ok) return { url, proc }
    } catch {}
    await new Promise((r) => setTimeout(r, 100))
  }
  proc.kill()
  throw new Error('the seed stack did not answer')
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}
const loads = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ')

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'adh-bench-catalog-'))
  const dbFile = join(dir, 'app.db')
  const { db, close } = await openLibsqlDb({ url: `file:${dbFile}` })

  const t0 = performance.now()
  const ownerId = newId()
  await db.insert(users).values({ id: ownerId, username: 'bench', passwordHash: 'x', role: 'uploader' })
  const base = Date.now() - COUNT * 1000
  const BATCH = 500
  for (let start = 0; start < COUNT; start += BATCH) {
    const rows = []
    for (let i = start; i < Math.min(COUNT, start + BATCH); i++) {
      rows.push({
        id: newId(),
        name: `${words(3, i)} ${i}`,
        description: words(24, i * 7 + 3),
        active: i % 10 !== 0,
        status: (i % 20 === 0 ? 'draft' : 'ready') as 'draft' | 'ready',
        ownerId,
        createdAt: new Date(base + i * 1000),
        updatedAt: new Date(base + i * 1000),
      })
    }
    await db.insert(movies).values(rows)
  }
  const seedSeconds = (performance.now() - t0) / 1000

  // A cursor 80% of the way down the newest-first list of what anonymous callers see.
  const published = and(eq(movies.status, 'ready'), eq(movies.active, true))
  const [deepRow] = await db
    .select()
    .from(movies)
    .where(published)
    .orderBy(desc(movies.seq))
    .limit(1)
    .offset(Math.floor(COUNT * 0.8))
  const deepCursor = encodeCursor('newest', deepRow!)
  // Movies both stacks show (the seed's ids are our seq: it got the rows in that order).
  const someIds = await db.select({ id: movies.id, seq: movies.seq }).from(movies).where(published).limit(200)
  close()

  const seedDb = join(dir, 'seed.db')
  // Debian's python3, which has the python3-django packages (a pyenv python3 first in PATH has not).
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3'
  await promisify(execFile)(python, ['seed.py', dbFile], {
    cwd: resolve('bench/seed-stack'),
    env: { ...process.env, SEED_DB: seedDb },
  })

  const rare = Array.from({ length: 50 }, (_, i) => String((i * 1997) % COUNT))
  const scenarios: { name: string; ours: string[]; seed?: string[] }[] = [
    { name: 'list, first page', ours: ['/api/movies?limit=20'], seed: ['/movies'] },
    { name: 'list, deep cursor page (80% down)', ours: [`/api/movies?limit=20&cursor=${deepCursor}`] },
    {
      name: 'search, a word in half the catalog (dragon)',
      ours: ['/api/movies?limit=20&q=dragon'],
      seed: ['/movies?search=dragon'],
    },
    {
      name: 'search, a rare word (a name number)',
      ours: rare.map((q) => `/api/movies?limit=20&q=${q}`),
      seed: rare.map((q) => `/movies?search=${q}`),
    },
    {
      name: 'get by id',
      ours: someIds.map((r) => `/api/movies/${r.id}`),
      seed: someIds.map((r) => `/movies/${r.seq}`),
    },
  ]

  console.log(`load average at start: ${loads()}`)
  const ours = await startNodeServer({
    DATABASE_URL: `file:${dbFile}`,
    MEDIA_DIR: join(dir, 'media'),
    WEB_CONCURRENCY: PROCESSES,
  })
  const seed = await startSeedStack(seedDb)
  const results = new Map<string, { ours: LoadResult[]; seed: LoadResult[] }>()
  try {
    for (let run = 1; run <= RUNS; run++) {
      for (const s of scenarios) {
        const r = results.get(s.name) ?? { ours: [], seed: [] }
        results.set(s.name, r)
        for (const [who, url, paths] of [
          ['ours', ours.url, s.ours],
          ['seed', seed.url, s.seed],
        ] as const) {
          if (!paths) continue
          await wrk({ url, paths, connections: CONNECTIONS, seconds: 2 }) // warm-up
          const res = await wrk({ url, paths, connections: CONNECTIONS, seconds: SECONDS })
          r[who].push(res)
          console.log(
            `run ${run} ${who} ${s.name}: ${fmt(res.rps, 0)} req/s, p50 ${fmt(res.p50)} ms, p99 ${fmt(res.p99)} ms, errors ${res.errors + res.non2xx}; load ${loads()}`,
          )
        }
      }
    }
  } finally {
    // Both write to the folder until they have exited (the WAL, gunicorn's workers).
    const stopped = [ours.proc, seed.proc].map(async (p) => {
      if (p.exitCode !== null) return
      const exited = once(p, 'exit')
      p.kill()
      await exited
    })
    await Promise.all(stopped)
    rmSync(dir, { recursive: true, force: true, maxRetries: 5 })
  }

  const rows = scenarios.map((s) => {
    const r = results.get(s.name)!
    const o = { rps: median(r.ours.map((x) => x.rps)), p99: median(r.ours.map((x) => x.p99)) }
    const errors = [...r.ours, ...r.seed].reduce((n, x) => n + x.errors + x.non2xx, 0)
    if (!r.seed.length) return [s.name, fmt(o.rps, 0), fmt(o.p99), '—', '—', '—', errors]
    const t = { rps: median(r.seed.map((x) => x.rps)), p99: median(r.seed.map((x) => x.p99)) }
    return [s.name, fmt(o.rps, 0), fmt(o.p99), fmt(t.rps, 0), fmt(t.p99), `${fmt(o.rps / t.rps)}×`, errors]
  })
  console.log(
    `\n${COUNT.toLocaleString('en')} movies seeded in ${fmt(seedSeconds)} s; wrk, ${CONNECTIONS} connections, ${SECONDS} s per row after 2 s of warm-up, medians of ${RUNS} runs; ours: ${PROCESSES} processes, Node ${process.version}; load average at the end: ${loads()}\n`,
  )
  console.log(
    table(
      ['request', 'ours req/s', 'ours p99 ms', 'seed req/s', 'seed p99 ms', 'ours / seed', 'errors'],
      rows,
    ),
  )
}

await main()
