/**
 * What an operator sees of the real Node server: one JSON access-log line per request on stdout,
 * a request id echoed in a header and in problem bodies, and /metrics for this machine or a token.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../../bench/lib.ts'

const dir = mkdtempSync(join(tmpdir(), 'adh-observe-'))
let proc: ChildProcess
let url: string
let stdout = ''

beforeAll(async () => {
  const port = await freePort()
  proc = spawn(process.execPath, ['--import', 'tsx', 'server/entry.node.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: `file:${join(dir, 'app.db')}`,
      MEDIA_DIR: join(dir, 'media'),
      CLIENT_DIR: join(dir, 'no-client'),
      WEB_CONCURRENCY: '1',
      LOG_LEVEL: 'info',
      METRICS_TOKEN: 'metrics-secret-1',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  proc.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString()
  })
  url = `http://127.0.0.1:${port}`
  for (let i = 0; i < 1200; i++) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}`)
    if (
      await fetch(`${url}/api/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error('server did not become healthy')
}, 150_000)
afterAll(() => {
  proc?.kill()
  rmSync(dir, { recursive: true, force: true })
})

interface LogLine {
  msg: string
  level: string
  reqId: string
  method: string
  path: string
  status: number
  bytes: number
  ms: number
}

/** The access-log line of request `id`, once the server has written it. */
async function logLineOf(id: string): Promise<LogLine> {
  for (let i = 0; i < 100; i++) {
    const line = stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as LogLine)
      .find((l) => l.msg === 'request' && l.reqId === id)
    if (line) return line
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`no access-log line for ${id} in:\n${stdout}`)
}

describe('requests', () => {
  it('carry the id a proxy gave them into the response header, the problem body and the log', async () => {
    const res = await fetch(`${url}/api/movies/AAAAAAAAAAAAAAAA?x=1`, {
      headers: { 'x-request-id': 'trace-42' },
    })
    expect(res.status).toBe(404)
    expect(res.headers.get('x-request-id')).toBe('trace-42')
    const body = (await res.json()) as { instance?: string; status: number }
    expect(body).toMatchObject({ status: 404, instance: 'trace-42' })

    const line = await logLineOf('trace-42')
    expect(line).toMatchObject({
      level: 'info',
      method: 'GET',
      path: '/api/movies/AAAAAAAAAAAAAAAA?x=1',
      status: 404,
    })
    expect(line.bytes).toBeGreaterThan(JSON.stringify(body).length)
    expect(line.ms).toBeGreaterThanOrEqual(0)
  })

  it('get an id of their own, different every time, when they bring none or a malformed one', async () => {
    const ids = new Set<string>()
    for (const given of [undefined, 'has space', 'x'.repeat(200), 'quote"d']) {
      const res = await fetch(`${url}/api/health`, given ? { headers: { 'x-request-id': given } } : {})
      const id = res.headers.get('x-request-id') ?? ''
      expect(id).toMatch(/^[A-Za-z0-9]{20}$/)
      ids.add(id)
      expect((await logLineOf(id)).path).toBe('/api/health')
    }
    expect(ids.size).toBe(4)
  })
})

describe('/metrics', () => {
  it('answers this machine and the token, and no one who came through a proxy without it', async () => {
    await fetch(`${url}/api/movies/AAAAAAAAAAAAAAAA`)
    const local = await fetch(`${url}/metrics`)
    expect(local.status).toBe(200)
    expect(local.headers.get('content-type')).toMatch(/^text\/plain/)
    const text = await local.text()
    expect(text).toMatch(
      /adh_http_requests_total\{[^}]*route="\/api\/movies\/:id"[^}]*status="404"[^}]*\} [1-9]/,
    )
    expect(text).toMatch(/nodejs_eventloop_lag_seconds/)

    const proxied = await fetch(`${url}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.9' } })
    expect(proxied.status).toBe(404)
    const wrong = await fetch(`${url}/metrics`, {
      headers: { 'x-forwarded-for': '203.0.113.9', authorization: 'Bearer metrics-secret-2' },
    })
    expect(wrong.status).toBe(404)
    const withToken = await fetch(`${url}/metrics`, {
      headers: { 'x-forwarded-for': '203.0.113.9', authorization: 'Bearer metrics-secret-1' },
    })
    expect(withToken.status).toBe(200)
  })
})
