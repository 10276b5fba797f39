/**
 * The test app on a real loopback port, for tests that need real HTTP: streamed request bodies,
 * raw request targets that a URL parser would normalise, curl, a browser.
 * @module
 */
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { connect } from 'node:net'
import { serve } from '@hono/node-server'
import { makeTestApp, type TestAppOptions } from '../helpers.ts'

export async function startTestServer(opts: TestAppOptions = {}) {
  const t = await makeTestApp(opts)
  const server = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' })
  if (!server.listening) await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    ...t,
    port,
    base: `http://127.0.0.1:${port}`,
    async close() {
      server.close()
      // Keep-alive sockets would hold close() open until they time out.
      ;(server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.()
      t.cleanup()
    },
  }
}

export type TestServer = Awaited<ReturnType<typeof startTestServer>>

/**
 * Sends one request with the request target exactly as given (no URL parsing on our side) and
 * returns the status code and body.
 */
export async function rawRequest(
  port: number,
  method: string,
  target: string,
  headers: Record<string, string> = {},
  body = '',
): Promise<{ status: number; body: string }> {
  const socket = connect(port, '127.0.0.1')
  await once(socket, 'connect')
  const lines = [
    `${method} ${target} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Connection: close',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ...(body ? [`Content-Length: ${Buffer.byteLength(body)}`] : []),
  ]
  const chunks: Buffer[] = []
  socket.on('data', (chunk: Buffer) => chunks.push(chunk))
  const closed = once(socket, 'close')
  // write, not end: a half-closed client may be dropped before the answer; Connection: close ends it.
  socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`)
  await closed
  const text = Buffer.concat(chunks).toString('latin1')
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0)
  return { status, body: text.slice(text.indexOf('\r\n\r\n') + 4) }
}
