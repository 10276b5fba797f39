/** Shared benchmark plumbing: free ports, starting the real Node server, load with wrk or autocannon. @module */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { availableParallelism, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
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

/** `taskset -c <cpus>` before a command when `cpus` is given (Linux), so it runs on those CPUs only. */
const pinned = (cpus: string | undefined, command: string, args: string[]): [string, string[]] =>
  cpus === undefined ? [command, args] : ['taskset', ['-c', cpus, command, ...args]]

/**
 * Starts `server/entry.node.ts` with the given environment and waits until /api/health answers.
 * @param opts.cpus run it on these CPUs only (`taskset -c`), e.g. '0', away from the load generators.
 */
export async function startNodeServer(
  env: Record<string, string>,
  opts: { cpus?: string } = {},
): Promise<{ url: string; proc: ChildProcess }> {
  const port = await freePort()
  // BENCH_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server under load.
  const flags = process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []
  const [command, args] = pinned(opts.cpus, process.execPath, [
    ...flags,
    '--import',
    'tsx',
    'server/entry.node.ts',
  ])
  const proc = spawn(command, args, {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const url = `http://127.0.0.1:${port}`
  // Up to 2 minutes: WEB_CONCURRENCY processes each load the TypeScript sources, slowly on a busy machine.
  for (let i = 0; i < 1200; i++) {
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

export async function hasWrk(): Promise<boolean> {
  try {
    await promisify(execFile)('wrk', ['--version'])
    return true
  } catch (err) {
    // wrk prints its version and exits 1.
    return (err as { stdout?: string }).stdout?.includes('wrk') ?? false
  }
}

/** Runs wrk (one thread, on `cpus` if given) against `url`, cycling over `paths`, and returns its summary. */
export async function wrk(opts: {
  url: string
  paths: string[]
  connections: number
  seconds: number
  cpus?: string
}): Promise<LoadResult> {
  const script = join(tmpdir(), `adh-wrk-${process.pid}-${Math.random().toString(36).slice(2)}.lua`)
  await writeFile(
    script,
    `local paths = { ${opts.paths.map((p) => JSON.stringify(p)).join(', ')} }
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
`,
  )
  try {
    const [command, args] = pinned(opts.cpus, 'wrk', [
      '-t1',
      `-c${opts.connections}`,
      `-d${opts.seconds}s`,
      '--latency',
      '-s',
      script,
      opts.url,
    ])
    const { stdout } = await promisify(execFile)(command, args, { maxBuffer: 1 << 20 })
    const num = (re: RegExp) => Number(re.exec(stdout)?.[1] ?? Number.NaN)
    const ms = (label: string) => {
      const m = new RegExp(`${label}%\\s+([\\d.]+)(us|ms|s)`).exec(stdout)
      if (!m) return Number.NaN
      const v = Number(m[1])
      return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v
    }
    const transfer = /Transfer\/sec:\s+([\d.]+)(B|KB|MB|GB)/.exec(stdout)
    const unit = { B: 1 / 1024 / 1024, KB: 1 / 1024, MB: 1, GB: 1024 }[(transfer?.[2] ?? 'MB') as 'MB']
    const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout)
    return {
      rps: num(/Requests\/sec:\s+([\d.]+)/),
      mbps: Number(transfer?.[1] ?? Number.NaN) * unit,
      p50: ms('50'),
      p99: ms('99'),
      errors: socketErrors ? socketErrors.slice(1).reduce((n, v) => n + Number(v), 0) : 0,
      non2xx: num(/Non-2xx or 3xx responses: (\d+)/) || 0,
    }
  } finally {
    await rm(script, { force: true })
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

/**
 * Splits this machine's CPUs between a server (CPU 0) and its load generators (the rest), moving
 * this process (every thread of it) to the latter, so that the two never compete for a core and
 * what is measured is the server. Undefined (no pinning) with one CPU or without taskset.
 */
export async function splitCpus(): Promise<{ server: string; load: string } | undefined> {
  const count = availableParallelism()
  if (count < 2) return undefined
  const load = count === 2 ? '1' : `1-${count - 1}`
  try {
    await promisify(execFile)('taskset', ['-a', '-p', '-c', load, String(process.pid)])
  } catch {
    return undefined
  }
  return { server: '0', load }
}

/**
 * Puts `body` into BENCHMARKS.md between `<!-- marker -->` and `<!-- /marker -->` under `heading`:
 * replaces the block if it is there, else adds it right under the heading (or the heading, the
 * command that measures it and the block at the end of the file). Text around the block stays.
 */
export async function writeSection(heading: string, marker: string, body: string, command: string) {
  const path = resolve(import.meta.dirname, '../BENCHMARKS.md')
  const [open, close] = [`<!-- ${marker} -->`, `<!-- /${marker} -->`]
  const block = `${open}\n${body}\n${close}`
  let text = await readFile(path, 'utf8').catch(() => '# Benchmarks\n')
  if (!text.includes(heading)) {
    text = `${text.trimEnd()}\n\n${heading}\n\n\`${command}\`\n\n${block}\n`
  } else if (text.includes(open) && text.includes(close)) {
    text = text.slice(0, text.indexOf(open)) + block + text.slice(text.indexOf(close) + close.length)
  } else {
    const at = text.indexOf(heading) + heading.length
    text = `${text.slice(0, at)}\n\n${block}${text.slice(at)}`
  }
  await writeFile(path, text)
  console.error(`\nupdated the table under "${heading}" in BENCHMARKS.md`)
}
