/**
 * Catalog benchmark (issue 2): seeds 100,000 movies, then measures list (first page, a deep
 * cursor page), search and get-by-id against the running Node server at 32 connections.
 * The floor it is compared with: the same service call made in-process, without HTTP.
 *
 *   npm run bench:catalog            # BENCH_SECONDS=10 BENCH_MOVIES=100000 by default
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { and, desc, eq } from 'drizzle-orm'
import { openLibsqlDb } from '../db/client.libsql.ts'
import { movies, users } from '../db/schema.ts'
import { createPasswordHasher } from '../server/auth/password.ts'
import { nodeScrypt } from '../server/auth/scrypt.node.ts'
import { DEFAULT_CONFIG, type Deps } from '../server/env.ts'
import { newId } from '../server/lib/crypto.ts'
import type { ListQuery } from '../server/routes/movies/movies.schemas.ts'
import { encodeCursor, listMovies } from '../server/services/movies.ts'
import { memoryBlobStore } from '../server/storage/memory.ts'
import { fmt, load, percentile, startNodeServer, table } from './lib.ts'

const COUNT = Number(process.env.BENCH_MOVIES ?? 100_000)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
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

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'adh-bench-catalog-'))
  const dbUrl = `file:${join(dir, 'app.db')}`
  const { db, close } = await openLibsqlDb({ url: dbUrl })
  const deps: Deps = {
    db,
    blobs: memoryBlobStore(),
    passwords: createPasswordHasher(nodeScrypt),
    config: DEFAULT_CONFIG,
  }

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

  // A cursor 90% of the way down the newest-first list of what anonymous callers see.
  const deepQuery: ListQuery = { limit: 20, sort: 'newest' }
  const published = and(eq(movies.status, 'ready'), eq(movies.active, true))
  const [deepRow] = await db
    .select()
    .from(movies)
    .where(published)
    .orderBy(desc(movies.seq))
    .limit(1)
    .offset(Math.floor(COUNT * 0.8))
  const deepCursor = encodeCursor('newest', deepRow!)
  const someIds = await db.select({ id: movies.id }).from(movies).where(published).limit(200)

  const scenarios: { name: string; paths: string[]; direct?: ListQuery }[] = [
    { name: 'list, first page (20)', paths: ['/api/movies?limit=20'], direct: { limit: 20, sort: 'newest' } },
    {
      name: 'list, deep cursor page (80% down)',
      paths: [`/api/movies?limit=20&cursor=${deepCursor}`],
      direct: { ...deepQuery, cursor: deepCursor },
    },
    {
      name: 'search, common word (q=dragon)',
      paths: ['/api/movies?limit=20&q=dragon'],
      direct: { limit: 20, sort: 'newest', q: 'dragon' },
    },
    {
      name: 'search, rare (q=<name number>)',
      paths: Array.from({ length: 50 }, (_, i) => `/api/movies?limit=20&q=${(i * 1997) % COUNT}`),
      direct: { limit: 20, sort: 'newest', q: '77777' },
    },
    { name: 'get by id', paths: someIds.map((r) => `/api/movies/${r.id}`) },
  ]

  // The floor: the same service call in-process, one at a time.
  const directP50: Record<string, number> = {}
  for (const s of scenarios) {
    if (!s.direct) continue
    const times: number[] = []
    for (let i = 0; i < 200; i++) {
      const t = performance.now()
      await listMovies(deps, null, s.direct)
      times.push(performance.now() - t)
    }
    directP50[s.name] = percentile(
      times.sort((a, b) => a - b),
      50,
    )
  }
  close()

  const { url, proc } = await startNodeServer({ DATABASE_URL: dbUrl, MEDIA_DIR: join(dir, 'media') })
  const rows: (string | number)[][] = []
  try {
    for (const s of scenarios) {
      await load({ url, paths: s.paths, connections: CONNECTIONS, seconds: 2 }) // warm-up
      const r = await load({ url, paths: s.paths, connections: CONNECTIONS, seconds: SECONDS })
      const direct = directP50[s.name]
      rows.push([
        s.name,
        fmt(r.rps, 0),
        fmt(r.p50),
        fmt(r.p99),
        direct === undefined ? '—' : fmt(direct, 2),
        r.errors + r.non2xx,
      ])
    }
  } finally {
    proc.kill()
    rmSync(dir, { recursive: true, force: true })
  }

  console.log(
    `\n${COUNT.toLocaleString('en')} movies seeded in ${fmt(seedSeconds)} s; ${CONNECTIONS} connections, ${SECONDS} s per row, Node ${process.version}\n`,
  )
  console.log(
    table(['request', 'req/s', 'p50 ms', 'p99 ms', 'in-process call p50 ms (floor)', 'errors'], rows),
  )
}

await main()
