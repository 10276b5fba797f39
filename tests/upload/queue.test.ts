/**
 * The upload queue against a real HTTP server on loopback that misbehaves on purpose: slow, busy
 * (503), refusing (401 problem+json), or dropping connections.
 */
import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type QueueStatus, UploadQueue } from '../../client/src/upload/queue.ts'
import { fetchTransport } from '../../client/src/upload/transport.ts'

type Behaviour = (req: IncomingMessage, res: ServerResponse, attempt: number) => boolean

interface TestServer {
  url: string
  stored: Map<string, string>
  attempts: Map<string, number>
  maxConcurrent: number
  /** Per-path misbehaviour; return true when it answered the request itself. */
  behave: Behaviour
  delayMs: number
}

let server: Server
let t: TestServer

beforeEach(async () => {
  t = { url: '', stored: new Map(), attempts: new Map(), maxConcurrent: 0, behave: () => false, delayMs: 0 }
  let concurrent = 0
  server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '').replace(/^\/files\//, ''))
    const attempt = (t.attempts.get(path) ?? 0) + 1
    t.attempts.set(path, attempt)
    concurrent++
    t.maxConcurrent = Math.max(t.maxConcurrent, concurrent)
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      setTimeout(() => {
        concurrent--
        if (t.behave(req, res, attempt)) return
        const body = Buffer.concat(chunks)
        const sha = createHash('sha256').update(body).digest('hex')
        if (sha !== req.headers['x-content-sha256']) {
          res.writeHead(400, { 'content-type': 'application/problem+json' }).end('{"detail":"hash mismatch"}')
          return
        }
        t.stored.set(path, sha)
        res.writeHead(201, { 'content-type': 'application/json' }).end('{}')
      }, t.delayMs)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/files/`
})

afterEach(async () => {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

const file = (path: string, size = 1000, fill = path.length) => ({
  path,
  bytes: new Uint8Array(size).fill(fill),
  contentType: 'video/iso.segment',
})

function queue(
  extra: Partial<ConstructorParameters<typeof UploadQueue>[0]> = {},
  statuses: QueueStatus[] = [],
) {
  return new UploadQueue({
    transport: fetchTransport(),
    urlFor: (p) => t.url + encodeURIComponent(p),
    baseDelayMs: 5,
    maxDelayMs: 20,
    onStatus: (s) => statuses.push(s),
    ...extra,
  })
}

describe('UploadQueue', () => {
  it('uploads every file with a verified hash, never more than `concurrency` at once', async () => {
    t.delayMs = 20
    const q = queue({ concurrency: 2 })
    for (let i = 0; i < 8; i++) await q.add(file(`chunk-v0-0000${i}.m4s`))
    await q.drain()
    expect(t.stored.size).toBe(8)
    expect(t.maxConcurrent).toBe(2)
    expect(q.current).toMatchObject({
      state: 'idle',
      doneFiles: 8,
      totalFiles: 8,
      doneBytes: 8000,
      queuedBytes: 8000,
    })
  })

  it('keeps a stored file by its path when asked (a resumed segment), and by its hash otherwise', async () => {
    const stored = new Map([
      ['chunk-v0-00001.m4s', 'an older encode of the same segment'],
      ['manifest.mpd', 'an older manifest'],
    ])
    const q = queue({ stored })
    await q.add({ ...file('chunk-v0-00001.m4s'), keepStored: true })
    await q.add({ ...file('chunk-v0-00002.m4s'), keepStored: true })
    await q.add(file('manifest.mpd'))
    await q.drain()
    expect([...t.attempts.keys()].sort()).toEqual(['chunk-v0-00002.m4s', 'manifest.mpd'])
    expect(q.current).toMatchObject({ doneFiles: 3, skippedFiles: 1 })
  })

  it('retries a busy server with backoff until it accepts', async () => {
    t.behave = (req, res, attempt) => {
      if (!req.url?.includes('busy') || attempt > 2) return false
      res.writeHead(503, { 'retry-after': '0' }).end()
      return true
    }
    const statuses: QueueStatus[] = []
    const q = queue({}, statuses)
    await q.add(file('busy.m4s'))
    await q.add(file('fine.m4s'))
    await q.drain()
    expect(t.attempts.get('busy.m4s')).toBe(3)
    expect(t.stored.has('busy.m4s')).toBe(true)
    expect(statuses.some((s) => s.state === 'retrying' && s.retry?.path === 'busy.m4s')).toBe(true)
  })

  it('retries a dropped connection', async () => {
    t.behave = (req, _res, attempt) => {
      if (attempt > 1) return false
      req.socket.destroy()
      return true
    }
    const q = queue()
    await q.add(file('dropped.m4s'))
    await q.drain()
    expect(t.attempts.get('dropped.m4s')).toBe(2)
    expect(t.stored.has('dropped.m4s')).toBe(true)
  })

  it("pauses with the server's own words when refused, and resumes on retry()", async () => {
    let signedIn = false
    t.behave = (_req, res) => {
      if (signedIn) return false
      res
        .writeHead(401, { 'content-type': 'application/problem+json' })
        .end(JSON.stringify({ title: 'Unauthorized', status: 401, detail: 'Sign in to upload.' }))
      return true
    }
    const statuses: QueueStatus[] = []
    const q = queue({ concurrency: 1 }, statuses)
    await q.add(file('a.m4s'))
    await q.add(file('b.m4s'))
    let drained = false
    const drain = q.drain().then(() => {
      drained = true
    })
    await expect.poll(() => q.current.state).toBe('paused')
    expect(q.current.error).toMatchObject({ status: 401, message: 'Sign in to upload.', transient: false })
    // A refusal is not retried by itself.
    expect(t.attempts.get('a.m4s')).toBe(1)
    expect(t.attempts.has('b.m4s')).toBe(false)
    expect(drained).toBe(false)

    signedIn = true
    q.retry()
    await drain
    expect([...t.stored.keys()].sort()).toEqual(['a.m4s', 'b.m4s'])
    expect(q.current.error).toBeNull()
  })

  it('pauses after too many transient failures instead of retrying forever', async () => {
    t.behave = (_req, res) => {
      res.writeHead(502).end()
      return true
    }
    const q = queue({ maxAttempts: 3 })
    await q.add(file('x.m4s'))
    await expect.poll(() => q.current.state).toBe('paused')
    expect(t.attempts.get('x.m4s')).toBe(3)
    expect(q.current.error?.message).toMatch(/server had a problem/)
  })

  it('skips files the server already has with the same hash, and re-sends changed ones', async () => {
    const same = file('init-v0.m4s')
    const changed = file('chunk-v0-00001.m4s')
    const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')
    const stored = new Map([
      [same.path, sha(same.bytes)],
      [changed.path, sha(new Uint8Array(3))],
    ])
    const q = queue({ stored })
    await q.add(same)
    await q.add(changed)
    await q.drain()
    expect(t.attempts.has(same.path)).toBe(false)
    expect(t.attempts.get(changed.path)).toBe(1)
    expect(q.current).toMatchObject({ doneFiles: 2, skippedFiles: 1, doneBytes: 2000 })
  })

  it('makes a fast producer wait while too many bytes are queued', async () => {
    t.delayMs = 30
    const q = queue({ concurrency: 1, maxQueuedBytes: 2500 })
    let added = 0
    const produce = (async () => {
      for (let i = 0; i < 10; i++) {
        await q.add(file(`c${i}.m4s`))
        added++
        // What waits in the queue (not counting the one on the wire) stays under the limit.
        expect(q.current.queuedBytes - q.current.doneBytes).toBeLessThanOrEqual(2500 + 2 * 1000)
      }
    })()
    await expect.poll(() => t.attempts.size).toBeGreaterThan(0)
    expect(added).toBeLessThan(10)
    await produce
    await q.drain()
    expect(t.stored.size).toBe(10)
  })

  it('rejects its waiters when aborted', async () => {
    t.delayMs = 200
    const q = queue({ concurrency: 1, maxQueuedBytes: 0 })
    await q.add(file('one.m4s'))
    const adding = q.add(file('two.m4s'))
    q.abort()
    await expect(adding).rejects.toMatchObject({ name: 'AbortError' })
    await expect(q.drain()).rejects.toMatchObject({ name: 'AbortError' })
    expect(q.current.state).toBe('aborted')
  })
})
