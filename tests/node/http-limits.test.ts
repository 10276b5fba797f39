/**
 * The Node server's timeouts and connection cap: a long upload that keeps sending is never cut,
 * while headers that never finish, sockets on which nothing moves (a stalled upload, a reader that
 * stopped reading), idle keep-alive connections and connections over the cap are closed. The
 * behaviour is checked on a real server with the limits scaled down to fractions of a second.
 */

import { once } from 'node:events'
import type { Server } from 'node:http'
import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { httpLimits, parseConfig } from '../../server/config.ts'
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from '../../server/http-limits.ts'
import { serveNode } from '../../server/http-server.node.ts'
import { json, makeTestApp, type TestApp, type TestUser } from '../support/app.ts'
import { bytesOf, sha256Of } from '../support/bytes.ts'

let t: TestApp
let owner: TestUser
const servers: Server[] = []

beforeAll(async () => {
  t = await makeTestApp()
  owner = await t.createUser()
})
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections()
    await new Promise((r) => s.close(r))
  }
  await t.close()
})

async function start(limits: Partial<HttpLimits>) {
  const server = serveNode(
    t.app.fetch,
    { port: 0, hostname: '127.0.0.1' },
    { ...DEFAULT_HTTP_LIMITS, checkIntervalMs: 100, ...limits },
  )
  servers.push(server)
  if (!server.listening) await once(server, 'listening')
  const { port } = server.address() as { port: number }
  /** Every socket the server accepted, with a promise of its closing. */
  const accepted: Promise<unknown>[] = []
  // Not once(): a socket the server destroys for a timeout emits 'error' before 'close'.
  server.on('connection', (s: Socket) => accepted.push(new Promise((r) => s.on('close', r))))
  return { server, port, accepted }
}

async function open(port: number) {
  const socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  return socket
}

/** Resolves when the socket closes, or rejects after `ms`. */
const closesWithin = (socket: Socket | Promise<unknown>, ms: number) =>
  Promise.race([
    socket instanceof Promise ? socket : once(socket, 'close'),
    new Promise((_, reject) => setTimeout(() => reject(new Error(`still open after ${ms} ms`)), ms)),
  ])

async function newMovie() {
  const res = await t.app.request('/api/movies', {
    method: 'POST',
    ...json({ name: 'Limits' }, await t.headersFor(owner)),
  })
  return ((await res.json()) as { id: string }).id
}

describe('the limits the Node entry runs with', () => {
  it('let a request last far longer than Node’s default 300 s, and bound everything else', () => {
    const limits = httpLimits(parseConfig({}))
    expect(limits.requestTimeoutMs).toBeGreaterThanOrEqual(3600_000)
    expect(limits.headersTimeoutMs).toBeLessThanOrEqual(60_000)
    expect(limits.socketTimeoutMs).toBeGreaterThan(0)
    expect(limits.maxConnections).toBeGreaterThan(0)
    expect(httpLimits(parseConfig({ HTTP_REQUEST_TIMEOUT: '0', HTTP_MAX_CONNECTIONS: '10' }))).toMatchObject({
      requestTimeoutMs: 0,
      maxConnections: 10,
    })
  })

  it('are what the server is built with', async () => {
    const { server } = await start(httpLimits(parseConfig({})))
    expect(server.requestTimeout).toBe(DEFAULT_HTTP_LIMITS.requestTimeoutMs)
    expect(server.headersTimeout).toBe(DEFAULT_HTTP_LIMITS.headersTimeoutMs)
    expect(server.keepAliveTimeout).toBe(DEFAULT_HTTP_LIMITS.keepAliveTimeoutMs)
    expect(server.timeout).toBe(DEFAULT_HTTP_LIMITS.socketTimeoutMs)
    expect(server.maxConnections).toBe(DEFAULT_HTTP_LIMITS.maxConnections)
  })
})

describe('a server with short limits', () => {
  it('stores an upload that lasts several times the socket timeout while its bytes keep moving', async () => {
    const { port } = await start({ socketTimeoutMs: 400, requestTimeoutMs: 0 })
    const id = await newMovie()
    const data = bytesOf(64 * 1024)
    const socket = await open(port)
    const answer = new Promise<Buffer>((resolve) => socket.once('data', resolve))
    socket.write(
      [
        `PUT /api/movies/${id}/files/slow.m4s HTTP/1.1`,
        'Host: 127.0.0.1',
        `Authorization: Bearer ${owner.token}`,
        `Content-Length: ${data.byteLength}`,
        `X-Content-SHA256: ${sha256Of(data)}`,
        '',
        '',
      ].join('\r\n'),
    )
    // 16 pieces 150 ms apart: 2.4 s in all, each gap well under the 400 ms socket timeout.
    for (let i = 0; i < 16; i++) {
      socket.write(data.subarray(i * 4096, (i + 1) * 4096))
      await new Promise((r) => setTimeout(r, 150))
    }
    expect((await answer).toString('latin1')).toMatch(/^HTTP\/1\.1 201/)
    socket.destroy()
  })

  it('closes a connection that never finishes its headers', async () => {
    const { port } = await start({ headersTimeoutMs: 300, socketTimeoutMs: 0 })
    const socket = await open(port)
    socket.write('GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n')
    socket.resume()
    await closesWithin(socket, 3000)
  })

  it('closes an upload whose bytes stop coming', async () => {
    const { port, accepted } = await start({ socketTimeoutMs: 400, requestTimeoutMs: 0 })
    const id = await newMovie()
    const socket = await open(port)
    socket.resume()
    socket.write(
      [
        `PUT /api/movies/${id}/files/stalled.m4s HTTP/1.1`,
        'Host: 127.0.0.1',
        `Authorization: Bearer ${owner.token}`,
        'Content-Length: 100000',
        `X-Content-SHA256: ${'0'.repeat(64)}`,
        '',
        'only a little',
      ].join('\r\n'),
    )
    await closesWithin(accepted[0]!, 3000)
  })

  it('closes the connection of a reader that stopped reading', async () => {
    const id = await newMovie()
    const big = bytesOf(32 * 1024 * 1024)
    const put = await t.app.request(`/api/movies/${id}/files/big.m4s`, {
      method: 'PUT',
      headers: { ...(await t.headersFor(owner)), 'x-content-sha256': sha256Of(big) },
      body: big,
    })
    expect(put.status).toBe(201)
    const { port, accepted } = await start({ socketTimeoutMs: 400 })
    const socket = await open(port)
    socket.write(
      `GET /media/${id}/big.m4s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${owner.token}\r\n\r\n`,
    )
    // Reads nothing: the server's writes stall once the buffers on both sides are full.
    socket.pause()
    await closesWithin(accepted[0]!, 5000)
    socket.destroy()
  })

  it('closes an idle keep-alive connection', async () => {
    const { port } = await start({ keepAliveTimeoutMs: 300, socketTimeoutMs: 0 })
    const socket = await open(port)
    const first = new Promise<void>((resolve) => socket.once('data', () => resolve()))
    socket.write('GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
    await first
    socket.resume()
    await closesWithin(socket, 3000)
  })

  it('accepts no more than the connection cap at once', async () => {
    const { port, accepted } = await start({
      maxConnections: 2,
      socketTimeoutMs: 0,
      headersTimeoutMs: 60_000,
    })
    const kept = [await open(port), await open(port)]
    const third = await open(port)
    third.resume()
    await closesWithin(third, 3000)
    // The first two are still served.
    const answered = new Promise<Buffer>((resolve) => kept[0]!.once('data', resolve))
    kept[0]!.write('GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n')
    expect((await answered).toString('latin1')).toMatch(/^HTTP\/1\.1 200/)
    for (const s of kept) s.destroy()
    expect(accepted.length).toBe(2)
  })
})
