/**
 * SIGKILL of the real Node server in the middle of slowed uploads, ten times and more, each time
 * at a random byte of the body once the server has written part of it to disk; after each
 * restart on the same data: every listed file reads back byte-identical, the file cut off is
 * neither listed nor served, the movie is still a draft, and the upload then completes. At the end
 * the sweep has removed every temporary file the kills left, and the movie publishes whole.
 */
import { afterAll, describe, expect, it } from 'vitest'
import { sha256Of } from '../support/bytes.ts'
import {
  adminToken,
  createMovie,
  type DataDir,
  dataDir,
  listFiles,
  putFile,
  type Server,
  servedHash,
  start,
  syntheticMovie,
  temporaryFiles,
} from './support.ts'

const KILLS = 10
const MiB = 1024 * 1024
const CHUNK = 64 * 1024
/** The fs store writes in batches of this much: a temporary file this large proves the server has taken part of the body. */
const FIRST_WRITE = 1 * MiB
const SEGMENT = 2.5 * MiB

let data: DataDir | undefined
let server: Server | undefined
afterAll(async () => {
  server?.proc.kill('SIGKILL')
  await data?.remove()
})

/**
 * PUTs `bytes` slowly (a chunk every few ms); once `killAt` bytes have gone out it holds the rest
 * until the server has written part of the body to a temporary file, then SIGKILLs the server.
 * Resolves when the request has failed.
 */
async function killMidBody(
  s: Server,
  auth: Record<string, string>,
  id: string,
  path: string,
  bytes: Uint8Array,
) {
  const killAt =
    FIRST_WRITE + CHUNK + Math.floor(Math.random() * (bytes.byteLength - FIRST_WRITE - 3 * CHUNK))
  let sent = 0
  let killed = false
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (sent >= killAt && !killed) {
          await untilTemporaryFileOf(path, FIRST_WRITE)
          s.proc.kill('SIGKILL')
          killed = true
          return
        }
        if (killed) return
        await new Promise((r) => setTimeout(r, 3))
        const n = Math.min(CHUNK, bytes.byteLength - sent)
        controller.enqueue(bytes.slice(sent, sent + n))
        sent += n
        if (sent >= bytes.byteLength) controller.close()
      },
    },
    { highWaterMark: 0 },
  )
  const outcome = await fetch(`${s.url}/api/movies/${id}/files/${path}`, {
    method: 'PUT',
    headers: { ...auth, 'x-content-sha256': sha256Of(bytes), 'content-length': String(bytes.byteLength) },
    body,
    duplex: 'half',
  } as RequestInit).then(
    (res) => `answered ${res.status}`,
    () => 'failed',
  )
  expect(outcome).toBe('failed')
  expect(killed).toBe(true)
  expect(sent).toBeLessThan(bytes.byteLength)
  await new Promise<void>((resolve) => {
    if (s.proc.exitCode !== null || s.proc.signalCode !== null) resolve()
    else s.proc.once('exit', () => resolve())
  })
}

/** Waits (polling the disk, up to 20 s) until the server has a temporary file of `path` with at least `size` bytes. */
async function untilTemporaryFileOf(path: string, size: number) {
  const { stat } = await import('node:fs/promises')
  const { join } = await import('node:path')
  const name = path.split('/').pop()!
  for (let i = 0; i < 2000; i++) {
    for (const f of await temporaryFiles(data!.env.MEDIA_DIR!)) {
      if (!f.includes(`${name}~`) || f.endsWith('.meta.tmp')) continue
      const st = await stat(join(data!.env.MEDIA_DIR!, f)).catch(() => null)
      if (st && st.size >= size) return
    }
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error(`no temporary file of ${path} reached ${size} bytes`)
}

/** What a restarted server must show: exactly `stored`, byte for byte, and nothing of `cut`. */
async function expectIntact(
  s: Server,
  auth: Record<string, string>,
  id: string,
  stored: Map<string, Uint8Array>,
  cut: string,
) {
  const listed = await listFiles(s.url, auth, id)
  expect(listed.map((f) => f.path).sort()).toEqual([...stored.keys()].sort())
  for (const f of listed) {
    expect(f.sha256).toBe(sha256Of(stored.get(f.path)!))
    expect(await servedHash(s.url, auth, id, f.path)).toBe(f.sha256)
  }
  expect(await servedHash(s.url, auth, id, cut)).toBe(404)
  const movie = (await (await fetch(`${s.url}/api/movies/${id}`, { headers: auth })).json()) as {
    status: string
  }
  expect(movie.status).toBe('draft')
}

describe('SIGKILL during uploads', () => {
  it(`loses and publishes nothing over ${KILLS} kills mid-body, and every upload then completes`, async () => {
    // Short leases and a sweep every second with no age threshold: a killed process's claim on
    // its file lapses in a second, and its temporary file is then fair game at once.
    data = await dataDir({ UPLOAD_LEASE_SECONDS: '1', SWEEP_INTERVAL_SECONDS: '1', SWEEP_STALE_SECONDS: '0' })
    server = await start(data)
    const auth = await adminToken(server.url)
    const id = await createMovie(server.url, auth, 'Crash test')
    const movie = syntheticMovie(KILLS + 2, SEGMENT)
    const segments = [...movie.files.keys()].filter((p) => p.endsWith('.m4s'))
    const stored = new Map<string, Uint8Array>()

    for (const path of segments.slice(0, KILLS)) {
      const bytes = movie.files.get(path)!
      await killMidBody(server, auth, id, path, bytes)
      server = await start(data)
      await expectIntact(server, auth, id, stored, path)
      expect(await putFile(server.url, auth, id, path, bytes)).toBe(201)
      stored.set(path, bytes)
    }

    // The last restart's sweep (every second, once the killed process's lease has lapsed) leaves
    // no temporary file behind.
    for (let i = 0; i < 200 && (await temporaryFiles(data.env.MEDIA_DIR!)).length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100))
    }
    expect(await temporaryFiles(data.env.MEDIA_DIR!)).toEqual([])

    for (const [path, bytes] of movie.files) {
      if (!stored.has(path)) expect(await putFile(server.url, auth, id, path, bytes)).toBe(201)
    }
    expect(await putFile(server.url, auth, id, 'manifest.mpd', movie.manifest)).toBe(201)
    const published = await fetch(`${server.url}/api/movies/${id}/publish`, { method: 'POST', headers: auth })
    expect(published.status).toBe(200)
    for (const [path, bytes] of movie.files) {
      expect(await servedHash(server.url, {}, id, path)).toBe(sha256Of(bytes))
    }
  }, 180_000)
})
