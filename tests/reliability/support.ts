/**
 * The real Node server as a process on a data folder that outlives it (bench/lib.ts starts it),
 * and what the reliability suites do through its HTTP API: an admin's bearer token, a synthetic
 * DASH movie (a manifest and the files it names), uploads, reads.
 * @module
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSuperuser, startNodeServer } from '../../bench/lib.ts'
import { bytesOf, sha256Of } from '../support/bytes.ts'

export const ADMIN = { username: 'admin', password: 'reliability-admin-pw' }

export interface DataDir {
  dir: string
  env: Record<string, string>
  remove(): Promise<void>
}

/** A database and media folder, with an admin in it, for servers started one after another. */
export async function dataDir(extra: Record<string, string> = {}): Promise<DataDir> {
  const dir = await mkdtemp(join(tmpdir(), 'adh-reliability-'))
  const env = {
    DATABASE_URL: `file:${join(dir, 'app.db')}`,
    MEDIA_DIR: join(dir, 'media'),
    CLIENT_DIR: join(dir, 'no-client'),
    WEB_CONCURRENCY: '1',
    LOG_LEVEL: 'error',
    ...extra,
  }
  await createSuperuser(env, ADMIN)
  return { dir, env, remove: () => rm(dir, { recursive: true, force: true }) }
}

export type Server = Awaited<ReturnType<typeof startNodeServer>>

export const start = (data: DataDir): Promise<Server> => startNodeServer(data.env)

/** A bearer token of the admin's, made through the API as a script would. */
export async function adminToken(url: string): Promise<Record<string, string>> {
  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  })
  if (login.status !== 200) throw new Error(`login: ${login.status}`)
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? ''
  const made = await fetch(`${url}/api/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, origin: url },
    body: JSON.stringify({ name: 'reliability' }),
  })
  if (made.status !== 201) throw new Error(`token: ${made.status}`)
  return { authorization: `Bearer ${((await made.json()) as { token: string }).token}` }
}

export async function createMovie(url: string, auth: Record<string, string>, name: string): Promise<string> {
  const res = await fetch(`${url}/api/movies`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  })
  if (res.status !== 201) throw new Error(`create movie: ${res.status} ${await res.text()}`)
  return ((await res.json()) as { id: string }).id
}

/**
 * A movie of `segments` 2-second segments of one video rendition: its files (init and segments of
 * `segmentBytes` deterministic bytes) and its manifest, which names exactly those.
 */
export function syntheticMovie(segments: number, segmentBytes: number, seed = 1) {
  const files = new Map<string, Uint8Array<ArrayBuffer>>()
  files.set('v/init.mp4', bytesOf(1000, seed))
  for (let n = 1; n <= segments; n++) {
    files.set(`v/seg-${String(n).padStart(5, '0')}.m4s`, bytesOf(segmentBytes, seed * 1000 + n))
  }
  const manifest = new TextEncoder().encode(
    '<?xml version="1.0" encoding="utf-8"?>\n' +
      `<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT${2 * segments}S" ` +
      'profiles="urn:mpeg:dash:profile:isoff-live:2011" minBufferTime="PT2S"><Period id="p0">' +
      '<AdaptationSet mimeType="video/mp4" codecs="avc1.64001f" segmentAlignment="true">' +
      '<Representation id="v" bandwidth="800000" width="640" height="360">' +
      '<SegmentTemplate timescale="1000" duration="2000" startNumber="1" ' +
      'initialization="v/init.mp4" media="v/seg-$Number%05d$.m4s"/>' +
      '</Representation></AdaptationSet></Period></MPD>',
  )
  return { files, manifest }
}

/** PUTs one file whole; the answer's status. */
export async function putFile(
  url: string,
  auth: Record<string, string>,
  id: string,
  path: string,
  data: Uint8Array<ArrayBuffer>,
): Promise<number> {
  const res = await fetch(`${url}/api/movies/${id}/files/${path}`, {
    method: 'PUT',
    headers: { ...auth, 'x-content-sha256': sha256Of(data) },
    body: data,
  })
  await res.arrayBuffer()
  return res.status
}

/** Every file the server lists for the movie, page by page. */
export async function listFiles(
  url: string,
  auth: Record<string, string>,
  id: string,
): Promise<{ path: string; sha256: string; size: number }[]> {
  const out: { path: string; sha256: string; size: number }[] = []
  let cursor: string | null = null
  do {
    const q: string = cursor ? `?limit=5&cursor=${cursor}` : '?limit=5'
    const res = await fetch(`${url}/api/movies/${id}/files${q}`, { headers: auth })
    if (res.status !== 200) throw new Error(`list: ${res.status}`)
    const page = (await res.json()) as { items: typeof out; nextCursor: string | null }
    out.push(...page.items)
    cursor = page.nextCursor
  } while (cursor)
  return out
}

/** The SHA-256 of what /media serves for a file, or its status when it is not a 200. */
export async function servedHash(
  url: string,
  auth: Record<string, string>,
  id: string,
  path: string,
): Promise<string | number> {
  const res = await fetch(`${url}/media/${id}/${path}`, { headers: auth })
  const bytes = new Uint8Array(await res.arrayBuffer())
  return res.status === 200 ? sha256Of(bytes) : res.status
}

/** The files under the media folder that a store writes beside its blobs while putting them. */
export async function temporaryFiles(mediaDir: string): Promise<string[]> {
  try {
    return (await readdir(mediaDir, { recursive: true })).filter((f) => f.endsWith('.tmp'))
  } catch {
    return []
  }
}
