/**
 * Workers benchmark (issue 6): segment GETs at 64 connections against the Node server (libSQL
 * file, local disk) and the Worker under local wrangler (workerd, local D1 and R2), one after the
 * other in the same run, printed side by side. Informational: local workerd is not the edge.
 *
 *   npm run bench:worker            # BENCH_SECONDS=10 by default; needs ffmpeg for the test movie
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sha256Of } from '../tests/support/bytes.ts'
import { type DashMovie, makeDash } from '../tests/support/media.ts'
import { startLocalWorker } from '../tests/worker/local-worker.ts'
import { createSuperuser, fmt, type LoadResult, load, startNodeServer, table } from './lib.ts'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10)
const CONNECTIONS = 64
const ADMIN = { username: 'bench-admin', password: 'bench-admin-password' }

/** Signs in, uploads the movie through the API, publishes it; returns its segment URLs' paths. */
async function publishMovie(url: string, dash: DashMovie): Promise<string[]> {
  const json = { 'content-type': 'application/json' }
  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify(ADMIN),
  })
  const auth = { cookie: login.headers.get('set-cookie')?.split(';')[0] ?? '', origin: url }
  const created = await fetch(`${url}/api/movies`, {
    method: 'POST',
    headers: { ...auth, ...json },
    body: JSON.stringify({ name: 'bench' }),
  })
  const { id } = (await created.json()) as { id: string }
  for (const file of dash.files) {
    const body = await dash.bytes(file)
    const res = await fetch(`${url}/api/movies/${id}/files/${file}`, {
      method: 'PUT',
      headers: { ...auth, 'x-content-sha256': sha256Of(body) },
      body,
    })
    if (!res.ok) throw new Error(`upload of ${file} failed: ${res.status} ${await res.text()}`)
  }
  const published = await fetch(`${url}/api/movies/${id}/publish`, { method: 'POST', headers: auth })
  if (!published.ok) throw new Error(`publish failed: ${published.status} ${await published.text()}`)
  return dash.files.filter((f) => f.startsWith('chunk-stream0-')).map((f) => `/media/${id}/${f}`)
}

async function measure(url: string, paths: string[]): Promise<LoadResult> {
  await load({ url, paths, connections: CONNECTIONS, seconds: 2 }) // warm-up
  return load({ url, paths, connections: CONNECTIONS, seconds: SECONDS })
}

async function main() {
  const dash = await makeDash({ seconds: 4, segmentSeconds: 1 })
  const dir = await mkdtemp(join(tmpdir(), 'adh-bench-worker-'))
  const results: [string, LoadResult][] = []
  let segmentBytes = 0
  try {
    segmentBytes = (await dash.bytes(dash.files.find((f) => f.startsWith('chunk-stream0-')) ?? '')).byteLength

    const env = {
      DATABASE_URL: `file:${join(dir, 'app.db')}`,
      MEDIA_DIR: join(dir, 'media'),
      CLIENT_DIR: dir,
    }
    await createSuperuser(env, ADMIN)
    const node = await startNodeServer(env)
    try {
      results.push([
        'Node server (libSQL file, disk)',
        await measure(node.url, await publishMovie(node.url, dash)),
      ])
    } finally {
      node.proc.kill()
    }

    const worker = await startLocalWorker({ admin: ADMIN })
    try {
      results.push([
        'Worker, local wrangler (D1, R2)',
        await measure(worker.url, await publishMovie(worker.url, dash)),
      ])
    } finally {
      await worker.stop()
    }
  } finally {
    await dash.cleanup()
    await rm(dir, { recursive: true, force: true })
  }

  console.log(
    `\nGET of a published segment (~${fmt(segmentBytes / 1024, 0)} KiB, rotating over its siblings), ` +
      `${CONNECTIONS} connections, ${SECONDS} s per row, Node ${process.version}\n`,
  )
  console.log(
    table(
      ['target', 'req/s', 'p50 ms', 'p99 ms', 'MiB/s', 'errors'],
      results.map(([name, r]) => [
        name,
        fmt(r.rps, 0),
        fmt(r.p50),
        fmt(r.p99),
        fmt(r.mbps),
        r.errors + r.non2xx,
      ]),
    ),
  )
}

await main()
