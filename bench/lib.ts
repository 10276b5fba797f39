/** Shared benchmark plumbing: free ports, starting the real Node server, load with autocannon. @module */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { promisify } from 'node:util'
import autocannon from 'autocannon'

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))))
    })
  })
}

/** Creates an admin the way a person would, with `scripts/createsuperuser.ts`, against `env`'s database. */
export async function createSuperuser(
  env: Record<string, string>,
  admin: { username: string; password: string },
): Promise<void> {
  await promisify(execFile)(
    process.execPath,
    [
      '--import',
      'tsx',
      'scripts/createsuperuser.ts',
      '--username',
      admin.username,
      '--password',
      admin.password,
    ],
    { env: { ...process.env, ...env } },
  )
}

/** Starts `server/entry.node.ts` with the given environment and waits until /api/health answers. */
export async function startNodeServer(
  env: Record<string, string>,
): Promise<{ url: string; proc: ChildProcess }> {
  const port = await freePort()
  // BENCH_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server under load.
  const flags = process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []
  const proc = spawn(process.execPath, [...flags, '--import', 'tsx', 'server/entry.node.ts'], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const url = `http://127.0.0.1:${port}`
  for (let i = 0; i < 300; i++) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}`)
    try {
      if ((await fetch(`${url}/api/health`)).ok) return { url, proc }
    } catch {}
    await new Promise((r) => setTimeout(r, 100))
  }
  proc.kill()
  throw new Error('server did not become healthy')
}

export interface LoadResult {
  rps: number
  p50: number
  p99: number
  mbps: number
  errors: number
  non2xx: number
}

/** Runs autocannon against one URL (or a rotating list of paths) and returns its summary. */
export async function load(opts: {
  url: string
  paths?: string[]
  connections: number
  seconds: number
  method?: string
  headers?: Record<string, string>
}): Promise<LoadResult> {
  const paths = opts.paths
  let i = 0
  const result = await autocannon({
    url: opts.url,
    connections: opts.connections,
    duration: opts.seconds,
    method: (opts.method ?? 'GET') as 'GET',
    headers: opts.headers,
    ...(paths?.length
      ? {
          requests: [
            {
              setupRequest: (req: autocannon.Request) => ({ ...req, path: paths[i++ % paths.length] ?? '/' }),
            },
          ],
        }
      : {}),
  })
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    mbps: result.throughput.average / 1024 / 1024,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  }
}

export function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}

export const fmt = (n: number, digits = 1) => n.toFixed(digits)

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}
