/**
 * `npm run backup -- DIR` then `npm run restore -- DIR` into a fresh place: a server started on the
 * restored data serves the same movies, and every file byte for byte. Temp files of an upload cut
 * short are not carried over.
 */
import { execFile } from 'node:child_process'
import { readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openLibsqlDb } from '../../db/client.libsql.ts'
import { createApp } from '../../server/app.ts'
import { DEFAULT_CONFIG } from '../../server/env.ts'
import { fsBlobStore } from '../../server/storage/fs.ts'
import { json, makeTestApp, type TestApp, testHasher } from '../support/app.ts'
import { bytesOf, sha256Of } from '../support/bytes.ts'

const run = promisify(execFile)
const script = (mode: 'backup' | 'restore', dir: string, env: Record<string, string>) =>
  run(process.execPath, ['--import', 'tsx', 'scripts/backup.ts', mode, dir], {
    env: { ...process.env, ...env },
    cwd: process.cwd(),
  })

let t: TestApp
const files: Record<string, Uint8Array<ArrayBuffer>> = {}
let movieId = ''

beforeAll(async () => {
  t = await makeTestApp({ blobs: 'fs' })
  const as = await t.headersFor(await t.createUser())
  movieId = (
    (await (
      await t.app.request('/api/movies', { method: 'POST', ...json({ name: 'Kept' }, as) })
    ).json()) as {
      id: string
    }
  ).id
  files['manifest.mpd'] = new TextEncoder().encode(
    '<MPD type="static" mediaPresentationDuration="PT2S"><Period><AdaptationSet mimeType="video/mp4">' +
      '<Representation id="v" bandwidth="1000" width="64" height="36"><BaseURL>v/all.mp4</BaseURL><SegmentBase/>' +
      '</Representation></AdaptationSet></Period></MPD>',
  )
  files['v/all.mp4'] = bytesOf(300_000, 3)
  files['poster.jpg'] = bytesOf(5000, 4)
  for (const [path, data] of Object.entries(files)) {
    const res = await t.app.request(`/api/movies/${movieId}/files/${path}`, {
      method: 'PUT',
      headers: { ...as, 'x-content-sha256': sha256Of(data) },
      body: data,
    })
    expect(res.status).toBe(201)
  }
  expect(
    (await t.app.request(`/api/movies/${movieId}/publish`, { method: 'POST', headers: as })).status,
  ).toBe(200)
  // What a SIGKILL mid-upload leaves behind.
  await writeFile(join(t.mediaDir, 'movies', movieId, 'v', 'seg~abc123.tmp'), bytesOf(1000, 5))
}, 60_000)
afterAll(() => t.close())

describe('backup and restore', () => {
  it('restores into a fresh server that streams every file byte-identically', async () => {
    const source = { DATABASE_URL: `file:${join(t.dir, 'app.db')}`, MEDIA_DIR: t.mediaDir }
    const backupDir = join(t.dir, 'backup')
    expect((await script('backup', backupDir, source)).stdout).toMatch(/Backed up/)

    const target = {
      DATABASE_URL: `file:${join(t.dir, 'restored', 'app.db')}`,
      MEDIA_DIR: join(t.dir, 'restored', 'media'),
    }
    expect((await script('restore', backupDir, target)).stdout).toMatch(/Restored/)
    // A second restore over the data would overwrite it: refused.
    await expect(script('restore', backupDir, target)).rejects.toMatchObject({ code: 1 })

    const leftovers = (await readdir(target.MEDIA_DIR, { recursive: true })).filter((n) => n.includes('~'))
    expect(leftovers).toEqual([])

    const { db, close } = await openLibsqlDb({ url: target.DATABASE_URL })
    try {
      const app = createApp({
        db,
        blobs: fsBlobStore(target.MEDIA_DIR, { durable: false }),
        passwords: testHasher,
        config: DEFAULT_CONFIG,
      })
      const movie = (await (await app.request(`/api/movies/${movieId}`)).json()) as {
        status: string
        name: string
      }
      expect(movie).toMatchObject({ status: 'ready', name: 'Kept' })
      for (const [path, data] of Object.entries(files)) {
        const res = await app.request(`/media/${movieId}/${path}`)
        expect(res.status).toBe(200)
        expect(sha256Of(new Uint8Array(await res.arrayBuffer()))).toBe(sha256Of(data))
      }
    } finally {
      close()
    }
  }, 120_000)
})
