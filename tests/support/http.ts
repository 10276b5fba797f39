/**
 * Talking to a running server over real HTTP: signing in as a script would, uploading a movie the
 * way the upload page does, and sending request targets exactly as written (no URL parser tidying
 * them up on our side).
 * @module
 */
import { once } from 'node:events'
import { connect } from 'node:net'
import type { MovieJson } from '../../server/routes/movies/movies.schemas.ts'
import type { DashMovie } from './media.ts'

/** Signs in with a password and returns the header of a fresh API token. */
export async function bearerToken(
  url: string,
  username: string,
  password: string,
): Promise<Record<string, string>> {
  // Cookie-authenticated writes need a same-origin Origin header.
  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url },
    body: JSON.stringify({ username, password }),
  })
  if (login.status !== 200) throw new Error(`sign-in failed: ${login.status} ${await login.text()}`)
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!
  const token = await fetch(`${url}/api/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, origin: url },
    body: JSON.stringify({ name: 'test' }),
  })
  return { authorization: `Bearer ${((await token.json()) as { token: string }).token}` }
}

async function call<T>(baseUrl: string, token: string, method: string, path: string, init: RequestInit = {}) {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    ...init,
    headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) },
  })
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
  return (res.status === 204 ? undefined : await res.json()) as T
}

/**
 * Creates a movie, PUTs every file with its SHA-256 (four at a time, like the upload queue), and
 * publishes it unless `publish` is false. Returns the movie as the API then shows it.
 */
export async function uploadMovie(
  baseUrl: string,
  token: string,
  content: Pick<DashMovie, 'files' | 'bytes' | 'sha256'>,
  meta: {
    name: string
    description?: string
    publish?: boolean
    poster?: boolean
    /** Upload only these files (a draft that is still arriving). */
    only?: string[]
  },
): Promise<MovieJson> {
  const json = { 'content-type': 'application/json' }
  const movie = await call<MovieJson>(baseUrl, token, 'POST', '/api/movies', {
    headers: json,
    body: JSON.stringify({ name: meta.name, description: meta.description ?? '' }),
  })
  const files = content.files.filter(
    (f) => (meta.poster !== false || f !== 'poster.jpg') && (!meta.only || meta.only.includes(f)),
  )
  const queue = [...files]
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let file = queue.shift(); file; file = queue.shift()) {
        await call(baseUrl, token, 'PUT', `/api/movies/${movie.id}/files/${file}`, {
          headers: { 'x-content-sha256': await content.sha256(file) },
          body: await content.bytes(file),
        })
      }
    }),
  )
  if (meta.publish === false) return movie
  await call(baseUrl, token, 'POST', `/api/movies/${movie.id}/publish`, {
    headers: json,
    body: JSON.stringify({ manifest: 'manifest.mpd' }),
  })
  return call<MovieJson>(baseUrl, token, 'GET', `/api/movies/${movie.id}`)
}

/**
 * Sends one request with the request target exactly as given and returns the status code and body.
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
