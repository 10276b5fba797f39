/**
 * Several server processes on one database file and one media folder, as WEB_CONCURRENCY runs
 * them (or two containers on one volume): what one process decides, the other must see at once.
 * Two independent servers (one port each, so each request goes to the process the test chooses),
 * then the cluster entry itself for the metrics of both processes on one port.
 */
import type { ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'libsql'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSuperuser, startNodeServer } from '../../bench/lib.ts'
import { bytesOf, gatedBody, sha256Of } from '../support/bytes.ts'
import { bearerToken } from '../support/http.ts'

const procs: ChildProcess[] = []
const dir = mkdtempSync(join(tmpdir(), 'adh-processes-'))
const dbFile = join(dir, 'app.db')
// A movie may hold 10,000 bytes: enough for the files below, not for two big uploads at once.
const env = {
  DATABASE_URL: `file:${dbFile}`,
  MEDIA_DIR: join(dir, 'media'),
  CLIENT_DIR: join(dir, 'no-client'),
  MAX_MOVIE_SIZE: '10000',
  LOG_LEVEL: 'warn',
}
const admin = { username: 'boss', password: 'boss-password-1' }

afterAll(async () => {
  await Promise.all(procs.map((p) => stop(p)))
  rmSync(dir, { recursive: true, force: true })
})

async function stop(p: ChildProcess) {
  if (p.exitCode !== null || p.signalCode !== null) return
  p.kill('SIGTERM')
  await once(p, 'exit')
}

async function startServer(extra: Record<string, string> = {}): Promise<{ url: string; proc: ChildProcess }> {
  const server = await startNodeServer({ ...env, ...extra })
  procs.push(server.proc)
  return server
}

const SEG = bytesOf(3000, 42)
const INIT = bytesOf(500, 7)
const MPD =
  '<MPD type="static" mediaPresentationDuration="PT2S"><Period><AdaptationSet mimeType="video/mp4" codecs="avc1.64001f">' +
  '<Representation id="v" bandwidth="500000" width="640" height="360"><SegmentTemplate media="seg-$Number$.m4s" ' +
  'initialization="init.mp4" duration="2" startNumber="1"/></Representation></AdaptationSet></Period></MPD>'

/**
 * Waits until a server process holds the lease on `path` of the movie ('' for a publish's): the
 * moment it has the upload (or publish) in hand. The client's side of a request (its body read by
 * fetch) says nothing about when the server gets to it.
 */
async function leaseTaken(movieId: string, path: string): Promise<void> {
  const db = new Database(dbFile, { readonly: true })
  try {
    const leased = db.prepare('SELECT 1 FROM file_leases WHERE movie_id = ? AND path = ?')
    while (!leased.get(movieId, path)) await new Promise((r) => setTimeout(r, 5))
  } finally {
    db.close()
  }
}

/** A counter's value summed over its label sets that match `labels`, from Prometheus text. */
function metric(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0
  for (const line of text.split('\n')) {
    const m = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!m || m[1] !== name) continue
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]))
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[3])
  }
  return sum
}

describe('two server processes on one database', () => {
  let a: string
  let b: string
  let auth: Record<string, string>

  beforeAll(async () => {
    // The first start migrates; the second opens a database that is already current.
    a = (await startServer({ WEB_CONCURRENCY: '1' })).url
    b = (await startServer({ WEB_CONCURRENCY: '1' })).url
    await createSuperuser(env, admin)
    auth = await bearerToken(a, admin.username, admin.password)
  }, 300_000)

  const send = (url: string, method: string, path: string, init: RequestInit = {}) =>
    fetch(`${url}${path}`, {
      method,
      ...init,
      headers: { ...auth, origin: url, ...(init.headers as Record<string, string>) },
    })
  const newMovie = async (name: string) => {
    const res = await send(a, 'POST', '/api/movies', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name }),
    })
    expect(res.status).toBe(201)
    return ((await res.json()) as { id: string }).id
  }
  const put = (url: string, id: string, path: string, data: Uint8Array, body?: ReadableStream<Uint8Array>) =>
    send(url, 'PUT', `/api/movies/${id}/files/${path}`, {
      headers: { 'x-content-sha256': sha256Of(data), 'content-length': String(data.byteLength) },
      body: body ?? data,
      ...(body ? { duplex: 'half' } : {}),
    } as RequestInit)

  it('signs a session out everywhere at once: sign-out, a password change, or an admin deactivating the account', async () => {
    const signIn = async (password = 'viewer-password-1') => {
      const res = await fetch(`${a}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: a },
        body: JSON.stringify({ username: 'viewer1', password }),
      })
      expect(res.status).toBe(200)
      return (res.headers.get('set-cookie') ?? '').split(';')[0]!
    }
    const me = async (url: string, cookie: string) =>
      (await fetch(`${url}/api/auth/me`, { headers: { cookie } })).status
    const created = await send(a, 'POST', '/api/users', {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'viewer1', password: 'viewer-password-1', role: 'viewer' }),
    })
    expect(created.status).toBe(201)
    const userId = ((await created.json()) as { id: string }).id

    const cookie = await signIn()
    // Process B knows the session now (and keeps the answer for its next requests).
    expect(await me(b, cookie)).toBe(200)
    expect(await me(b, cookie)).toBe(200)
    const out = await fetch(`${a}/api/auth/logout`, { method: 'POST', headers: { cookie, origin: a } })
    expect(out.status).toBe(204)
    expect(await me(b, cookie)).toBe(401)
    expect(await me(a, cookie)).toBe(401)

    // Changing the password in A ends the user's other sessions, which B keeps answering for.
    const changer = await signIn()
    const other = await signIn()
    expect(await me(b, other)).toBe(200)
    expect(await me(b, changer)).toBe(200)
    const changed = await fetch(`${a}/api/auth/password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: a, cookie: changer },
      body: JSON.stringify({ currentPassword: 'viewer-password-1', newPassword: 'viewer-password-2' }),
    })
    expect(changed.status).toBe(204)
    expect(await me(b, other)).toBe(401)
    expect(await me(b, changer)).toBe(200)

    const second = await signIn('viewer-password-2')
    expect(await me(b, second)).toBe(200)
    const off = await send(a, 'PATCH', `/api/users/${userId}`, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ active: false }),
    })
    expect(off.status).toBe(200)
    expect(await me(b, second)).toBe(401)
  })

  it('counts failed sign-ins of both processes against one limit', async () => {
    const attempt = (url: string) =>
      fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: url },
        body: JSON.stringify({ username: 'boss', password: 'wrong-password' }),
      })
    // The limit is 10 failures per username and address: 5 in each process reach it.
    for (let i = 0; i < 5; i++) {
      expect((await attempt(a)).status).toBe(401)
      expect((await attempt(b)).status).toBe(401)
    }
    const refusedA = await attempt(a)
    expect(refusedA.status).toBe(429)
    expect(Number(refusedA.headers.get('retry-after'))).toBeGreaterThan(0)
    expect((await attempt(b)).status).toBe(429)
    // The attempt is counted before the password is checked: the right one is refused too, in both.
    for (const url of [a, b]) {
      const right = await fetch(`${url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: url },
        body: JSON.stringify(admin),
      })
      expect(right.status).toBe(429)
    }
    // Ten sign-ins with the production password hash: seconds each on a busy machine.
  }, 120_000)

  it('lets one upload of a file run at a time, whichever process receives them', async () => {
    const id = await newMovie('One writer')
    const first = bytesOf(2000, 1)
    const second = bytesOf(2000, 2)
    const gate = gatedBody(first, 1000)
    const uploading = put(a, id, 'seg-1.m4s', first, gate.stream)
    await gate.started(uploading)
    await leaseTaken(id, 'seg-1.m4s')
    // B's upload of the same file waits for A's to end, so it cannot finish first.
    const replacing = put(b, id, 'seg-1.m4s', second)
    const early = await Promise.race([
      replacing.then(async (r) => `finished ${r.status} ${await r.text()}`),
      new Promise((r) => setTimeout(() => r('waiting'), 500)),
    ])
    expect(early).toBe('waiting')
    gate.release()
    expect((await uploading).status).toBe(201)
    expect((await replacing).status).toBe(200)
    // The file is B's, blob and row alike: the last writer won as a whole.
    const list = (await (await send(b, 'GET', `/api/movies/${id}/files`)).json()) as {
      items: { path: string; sha256: string }[]
    }
    expect(list.items).toEqual([expect.objectContaining({ path: 'seg-1.m4s', sha256: sha256Of(second) })])
  })

  it("counts an upload streaming into one process against the movie's limit in the other", async () => {
    const id = await newMovie('Shared limit')
    const big = bytesOf(7000, 3)
    const gate = gatedBody(big, 1000)
    const uploading = put(a, id, 'big.m4s', big, gate.stream)
    await gate.started(uploading)
    await leaseTaken(id, 'big.m4s')
    // 7,000 bytes are promised to A's upload: 4,000 more do not fit in 10,000.
    const refused = await put(b, id, 'other.m4s', bytesOf(4000, 4))
    expect(refused.status).toBe(413)
    expect((await put(b, id, 'small.m4s', bytesOf(2000, 5))).status).toBe(201)
    gate.release()
    expect((await uploading).status).toBe(201)
  })

  it('publishes once: a publish waits for uploads in the other process, and two publishes make one', async () => {
    const id = await newMovie('Published once')
    expect((await put(a, id, 'manifest.mpd', new TextEncoder().encode(MPD))).status).toBe(201)
    expect((await put(a, id, 'init.mp4', INIT)).status).toBe(201)
    const gate = gatedBody(SEG, 1000)
    const uploading = put(a, id, 'seg-1.m4s', SEG, gate.stream)
    await gate.started(uploading)
    await leaseTaken(id, 'seg-1.m4s')

    const publish = (url: string) =>
      send(url, 'POST', `/api/movies/${id}/publish`, {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ manifest: 'manifest.mpd' }),
      })
    const before = metric(await (await fetch(`${a}/metrics`)).text(), 'adh_publish_total', {
      outcome: 'published',
    })
    const inB = publish(b)
    // B holds the movie (its lease, path '') and waits for A's upload of the last segment.
    await leaseTaken(id, '')
    const inA = publish(a)
    gate.release()
    expect((await uploading).status).toBe(201)
    const [fromB, fromA] = await Promise.all([inB, inA])
    expect(fromB.status).toBe(200)
    expect(fromA.status).toBe(200)
    const bodies = (await Promise.all([fromB.json(), fromA.json()])) as {
      status: string
      publishedAt: string
    }[]
    expect(bodies.map((m) => m.status)).toEqual(['ready', 'ready'])
    expect(bodies[0]!.publishedAt).toBe(bodies[1]!.publishedAt)
    const published = async (url: string) =>
      metric(await (await fetch(`${url}/metrics`)).text(), 'adh_publish_total', { outcome: 'published' })
    expect((await published(a)) + (await published(b)) - before).toBe(1)
  })
})

describe('WEB_CONCURRENCY=2', () => {
  it('serves on one port from two processes and sums their metrics', async () => {
    const { url, proc } = await startServer({ WEB_CONCURRENCY: '2' })
    const port = Number(new URL(url).port)
    // A new connection each time: the cluster hands connections to its processes in turn.
    const get = (path: string) =>
      new Promise<number>((resolve, reject) => {
        httpRequest({ host: '127.0.0.1', port, path, agent: false }, (res) => {
          res.resume()
          res.on('end', () => resolve(res.statusCode ?? 0))
        })
          .on('error', reject)
          .end()
      })
    const health = async () =>
      metric(await (await fetch(`${url}/metrics`)).text(), 'adh_http_requests_total', {
        route: '/api/health',
      })
    // A process counts a response once Node has handed it to the socket, which can be a moment
    // after the client read it: the start-up health check may still be counting. Wait for the
    // sum to hold still before taking it as the baseline, and for the 20 to arrive after.
    const settled = async (atLeast = 0) => {
      let last = await health()
      for (let i = 0; i < 50; i++) {
        await new Promise((r) => setTimeout(r, 100))
        const now = await health()
        if (now === last && now >= atLeast) return now
        last = now
      }
      return last
    }
    const before = await settled()
    for (let i = 0; i < 20; i++) expect(await get('/api/health')).toBe(200)
    // Each process saw about half of them; every /metrics answer has them all, and no more.
    expect((await settled(before + 20)) - before).toBe(20)
    expect((await health()) - before).toBe(20)
    await stop(proc)
    expect(proc.exitCode).toBe(0)
  }, 180_000)
})
