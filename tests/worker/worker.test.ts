/**
 * What only the Worker does: page routes answered from the static assets, COOP/COEP from
 * _headers, the ffmpeg cores from R2, a bundle free of node:* modules, the Worker's
 * createsuperuser path, and uploads that must declare their length. The API itself is covered by
 * the shared suite (tests/http/); limits that need the R2 calls counted, by platform-limits.test.ts.
 */
import { execFile } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { wrangler } from '../../scripts/wrangler.ts'
import { coreKey } from '../../server/ffmpeg.worker.ts'
import { bytesOf, sha256Of } from '../support/bytes.ts'
import { type LocalWorker, startLocalWorker } from './local-worker.ts'

const run = promisify(execFile)
const FAKE_WASM = new Uint8Array(4096).map((_, i) => (i * 31) % 256)
let w: LocalWorker
let duplicate: { code: number; stderr: string } | null = null

beforeAll(async () => {
  w = await startLocalWorker({
    admin: { username: 'first-admin', password: 'first-admin-password' },
    async beforeStart({ config, persist }) {
      // As `npm run deploy` does with the real cores, through the same wrangler command.
      const file = join(persist, '..', 'core.wasm')
      await writeFile(file, FAKE_WASM)
      await wrangler([
        'r2',
        'object',
        'put',
        `anime-die-heart-media/${coreKey('core', 'ffmpeg-core.wasm')}`,
        '--file',
        file,
        '--content-type',
        'application/wasm',
        '--local',
        '--persist-to',
        persist,
        '--config',
        config,
      ])
      duplicate = await run(
        process.execPath,
        [
          '--import',
          'tsx',
          'scripts/createsuperuser-worker.ts',
          ...['--username', 'first-admin', '--password', 'other-password', '--persist-to', persist],
          ...['--config', config],
        ],
        { env: process.env },
      ).then(
        () => null,
        (err: { code: number; stderr: string }) => err,
      )
    },
  })
  // Five wrangler commands and a workerd start; two shared cores can make that slow.
}, 240_000)
afterAll(async () => {
  await w?.stop()
})

describe('the Worker bundle', () => {
  it('contains no node:* module', async () => {
    const bundle = await readFile(w.bundle, 'utf8')
    expect(bundle.match(/["'`]node:[a-z_/]+["'`]/g) ?? []).toEqual([])
  })
})

describe('npm run createsuperuser:worker', () => {
  it('creates an admin who signs in on the Worker, and refuses a taken name', async () => {
    const res = await fetch(`${w.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'first-admin', password: 'first-admin-password' }),
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ user: { username: 'first-admin', role: 'admin' } })
    expect(duplicate?.code).toBe(1)
    expect(duplicate?.stderr).toMatch(/"first-admin" is taken/)
  })
})

describe('pages', () => {
  it.each([
    ['/', 'index'],
    ['/movies/AbCdEfGh12345678', 'movie'],
    ['/upload', 'upload'],
    ['/admin', 'admin'],
    ['/admin/users', 'admin'],
  ])('serves %s from %s.html', async (path, page) => {
    const res = await fetch(`${w.url}${path}`, { redirect: 'manual' })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/html/)
    expect(await res.text()).toContain(`<title>${page}</title>`)
  })

  it('isolates the upload page (COOP/COEP) and no other', async () => {
    const upload = await fetch(`${w.url}/upload`)
    expect(upload.headers.get('cross-origin-opener-policy')).toBe('same-origin')
    expect(upload.headers.get('cross-origin-embedder-policy')).toBe('require-corp')
    const home = await fetch(`${w.url}/`)
    expect(home.headers.get('cross-origin-embedder-policy')).toBeNull()
  })

  it('answers a path that is neither a page nor a file with a problem+json 404', async () => {
    const res = await fetch(`${w.url}/no/such/page`)
    expect(res.status).toBe(404)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
  })
})

describe('ffmpeg cores', () => {
  it('serves a core from R2, same-origin and cross-origin isolated, with validators and ranges', async () => {
    const url = `${w.url}/ffmpeg/core/ffmpeg-core.wasm`
    const res = await fetch(url)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/wasm')
    expect(res.headers.get('cross-origin-embedder-policy')).toBe('require-corp')
    expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin')
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(FAKE_WASM)
    const etag = res.headers.get('etag') ?? ''
    expect((await fetch(url, { headers: { 'if-none-match': etag } })).status).toBe(304)
    const part = await fetch(url, { headers: { range: 'bytes=10-19' } })
    expect(part.status).toBe(206)
    expect(part.headers.get('content-range')).toBe(`bytes 10-19/${FAKE_WASM.byteLength}`)
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(FAKE_WASM.slice(10, 20))
  })

  it('answers a core that is not uploaded, or a name that is not a core, with 404', async () => {
    expect((await fetch(`${w.url}/ffmpeg/core-mt/ffmpeg-core.wasm`)).status).toBe(404)
    expect((await fetch(`${w.url}/ffmpeg/core/secrets.txt`)).status).toBe(404)
  })
})

describe('uploads', () => {
  async function adminToken(): Promise<Record<string, string>> {
    const login = await fetch(`${w.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'first-admin', password: 'first-admin-password' }),
    })
    const cookie = login.headers.get('set-cookie')?.split(';')[0] ?? ''
    const made = await fetch(`${w.url}/api/auth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie, origin: w.url },
      body: JSON.stringify({ name: 'uploads' }),
    })
    expect(made.status).toBe(201)
    return { authorization: `Bearer ${((await made.json()) as { token: string }).token}` }
  }

  it('answers a file sent without Content-Length (chunked) 411, and takes it with one', async () => {
    const as = await adminToken()
    const created = await fetch(`${w.url}/api/movies`, {
      method: 'POST',
      headers: { ...as, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Chunked upload' }),
    })
    const { id } = (await created.json()) as { id: string }
    const data = bytesOf(48 * 1024)
    const chunked = await fetch(`${w.url}/api/movies/${id}/files/seg-1.m4s`, {
      method: 'PUT',
      headers: { ...as, 'x-content-sha256': sha256Of(data) },
      // A stream body goes out with Transfer-Encoding: chunked, no Content-Length.
      body: new ReadableStream({
        start(controller) {
          for (let at = 0; at < data.byteLength; at += 16 * 1024)
            controller.enqueue(data.slice(at, at + 16 * 1024))
          controller.close()
        },
      }),
      duplex: 'half',
    } as RequestInit)
    expect(chunked.status).toBe(411)
    expect(chunked.headers.get('content-type')).toBe('application/problem+json')
    expect(await chunked.json()).toMatchObject({ status: 411, type: '/problems/length-required' })
    const listed = await fetch(`${w.url}/api/movies/${id}/files`, { headers: as })
    expect(await listed.json()).toMatchObject({ items: [] })

    const sized = await fetch(`${w.url}/api/movies/${id}/files/seg-1.m4s`, {
      method: 'PUT',
      headers: { ...as, 'x-content-sha256': sha256Of(data) },
      body: data,
    })
    expect(sized.status).toBe(201)
  })
})
