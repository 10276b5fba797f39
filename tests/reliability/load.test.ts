/**
 * A short load smoke against the real Node server: for 15 s, viewers browse the catalog and
 * stream a published movie (manifest, whole segments and byte ranges) while uploaders create
 * drafts, upload, list and publish movies. Every answer must be the expected one; timings are not
 * asserted (bench/ measures those).
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
  start,
  syntheticMovie,
} from './support.ts'

const SECONDS = 15
const VIEWERS = 6
const UPLOADERS = 2

let data: DataDir | undefined
let server: Server | undefined
afterAll(async () => {
  server?.proc.kill('SIGKILL')
  await data?.remove()
})

/** Uploads a synthetic movie whole and publishes it; returns its id and files. */
async function publishOne(url: string, auth: Record<string, string>, seed: number) {
  const id = await createMovie(url, auth, `Load ${seed}`)
  const movie = syntheticMovie(4, 96 * 1024, seed)
  for (const [path, bytes] of movie.files) {
    const status = await putFile(url, auth, id, path, bytes)
    if (status !== 201) throw new Error(`PUT ${path}: ${status}`)
  }
  if ((await putFile(url, auth, id, 'manifest.mpd', movie.manifest)) !== 201) throw new Error('PUT manifest')
  const listed = await listFiles(url, auth, id)
  if (listed.length !== movie.files.size + 1) throw new Error(`listed ${listed.length} files`)
  const res = await fetch(`${url}/api/movies/${id}/publish`, { method: 'POST', headers: auth })
  if (res.status !== 200) throw new Error(`publish: ${res.status} ${await res.text()}`)
  return { id, files: movie.files }
}

describe('load smoke', () => {
  it(`answers ${VIEWERS} viewers and ${UPLOADERS} uploaders for ${SECONDS} s without one error`, async () => {
    data = await dataDir()
    server = await start(data)
    const { url } = server
    const auth = await adminToken(url)
    const shown = await publishOne(url, auth, 1)
    const paths = [...shown.files.keys()]
    const errors: string[] = []
    const counts = { views: 0, uploads: 0 }
    const until = Date.now() + SECONDS * 1000

    const check = async (what: string, fn: () => Promise<void>) => {
      try {
        await fn()
      } catch (err) {
        errors.push(`${what}: ${(err as Error).message}`)
      }
    }

    const viewer = async (n: number) => {
      for (let i = n; Date.now() < until; i++) {
        await check('catalog', async () => {
          const res = await fetch(`${url}/api/movies?limit=20`)
          const body = (await res.json()) as { items: unknown[] }
          if (res.status !== 200 || body.items.length === 0) throw new Error(`status ${res.status}`)
        })
        await check('manifest', async () => {
          const res = await fetch(`${url}/media/${shown.id}/manifest.mpd`)
          if (res.status !== 200 || !(await res.text()).includes('<MPD'))
            throw new Error(`status ${res.status}`)
        })
        const path = paths[i % paths.length]!
        const bytes = shown.files.get(path)!
        await check(path, async () => {
          const res = await fetch(`${url}/media/${shown.id}/${path}`)
          const got = new Uint8Array(await res.arrayBuffer())
          if (res.status !== 200 || sha256Of(got) !== sha256Of(bytes)) throw new Error(`status ${res.status}`)
        })
        await check(`${path} range`, async () => {
          const res = await fetch(`${url}/media/${shown.id}/${path}`, { headers: { range: 'bytes=100-899' } })
          const got = new Uint8Array(await res.arrayBuffer())
          if (res.status !== 206 || sha256Of(got) !== sha256Of(bytes.subarray(100, 900))) {
            throw new Error(`status ${res.status}`)
          }
        })
        counts.views++
      }
    }

    const uploader = async (n: number) => {
      for (let i = 0; Date.now() < until; i++) {
        await check('upload', async () => {
          await publishOne(url, auth, 100 * (n + 1) + i)
          counts.uploads++
        })
      }
    }

    await Promise.all([
      ...Array.from({ length: VIEWERS }, (_, n) => viewer(n)),
      ...Array.from({ length: UPLOADERS }, (_, n) => uploader(n)),
    ])
    expect(errors).toEqual([])
    // It did run: every viewer and uploader got through at least once.
    expect(counts.views).toBeGreaterThanOrEqual(VIEWERS)
    expect(counts.uploads).toBeGreaterThanOrEqual(UPLOADERS)
  }, 120_000)
})
