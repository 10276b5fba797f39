/**
 * What crashes leave in the storage, and the sweep that removes it: temporary files of uploads
 * that will never finish (never one still being written, in any process), sidecars of blobs that
 * are gone, and blobs no row lists (reported first, removed after a grace period).
 */
import { mkdir, readdir, stat, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { movieFiles } from '../../db/schema.ts'
import { storageSweeper } from '../../server/services/housekeeping.ts'
import { movieKey } from '../../server/storage/keys.ts'
import { json, makeTestApp, type TestApp } from '../support/app.ts'
import { bytesOf, gatedBody, sha256Of } from '../support/bytes.ts'

const HOUR = 3_600_000
let t: TestApp
let as: Record<string, string>
let now: number

beforeEach(async () => {
  now = Date.now()
  t = await makeTestApp({ blobs: 'fs', now: () => now })
  as = await t.headersFor(await t.createUser())
})
afterEach(() => t.close())

async function draft(): Promise<string> {
  const res = await t.app.request('/api/movies', { method: 'POST', ...json({ name: 'Sweep' }, as) })
  return ((await res.json()) as { id: string }).id
}

async function upload(id: string, path: string, data: Uint8Array<ArrayBuffer>) {
  const res = await t.app.request(`/api/movies/${id}/files/${path}`, {
    method: 'PUT',
    headers: { ...as, 'x-content-sha256': sha256Of(data) },
    body: data,
  })
  expect(res.status).toBe(201)
}

/** Every file under the store's root, relative to it, sorted. */
async function onDisk(): Promise<string[]> {
  const names = await readdir(t.mediaDir, { recursive: true, withFileTypes: true })
  return names
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name).slice(t.mediaDir.length + 1))
    .sort()
}

/** Writes a file as a crash would have left it, `ageMs` old. */
async function leftover(rel: string, ageMs: number, bytes = 1000) {
  const file = join(t.mediaDir, rel)
  await mkdir(join(file, '..'), { recursive: true })
  await writeFile(file, bytesOf(bytes))
  const then = new Date(Date.now() - ageMs)
  await utimes(file, then, then)
}

describe('the storage sweep', () => {
  it('removes stale temporary files and orphaned sidecars, keeps young ones and every blob', async () => {
    const id = await draft()
    await upload(id, 'v/seg-1.m4s', bytesOf(500))
    await leftover(`movies/${id}/v/seg-2.m4s~0123456789ab.tmp`, 2 * HOUR, 4096)
    await leftover(`movies/${id}/v/seg-2.m4s~0123456789ab.meta.tmp`, 2 * HOUR, 100)
    await leftover(`movies/${id}/v/seg-3.m4s~meta`, 2 * HOUR, 100)
    await leftover(`movies/${id}/v/seg-4.m4s~ba9876543210.tmp`, 60_000)
    const before = await onDisk()

    const sweep = storageSweeper(t.deps, { staleMs: HOUR, orphanGraceMs: HOUR })
    const report = await sweep()

    expect(report.leftovers).toEqual({ files: 3, bytes: 4096 + 100 + 100 })
    expect(await onDisk()).toEqual(before.filter((f) => !/seg-2\.m4s~|seg-3\.m4s~meta/.test(f)))
    expect(await onDisk()).toContain(`movies/${id}/v/seg-1.m4s~meta`)
    expect((await t.app.request(`/media/${id}/v/seg-1.m4s`, { headers: as })).status).toBe(200)
  })

  it('never removes the temporary file of an upload in flight, however old', async () => {
    const id = await draft()
    const data = bytesOf(256 * 1024, 3)
    const gate = gatedBody(data, 64 * 1024)
    const putting = t.app.request(`/api/movies/${id}/files/v/seg-1.m4s`, {
      method: 'PUT',
      headers: { ...as, 'x-content-sha256': sha256Of(data), 'content-length': String(data.byteLength) },
      body: gate.stream,
      duplex: 'half',
    } as RequestInit)
    await gate.started(putting)
    const temp = (await onDisk()).filter((f) => f.endsWith('.tmp'))
    expect(temp).toHaveLength(1)
    const old = new Date(Date.now() - 2 * HOUR)
    await utimes(join(t.mediaDir, temp[0]!), old, old)

    const report = await storageSweeper(t.deps, { staleMs: 0, orphanGraceMs: HOUR })()
    expect(report.leftovers.files).toBe(0)
    gate.release()
    expect((await putting).status).toBe(201)
    expect(await t.deps.blobs.head(movieKey(id, 'v/seg-1.m4s'))).toMatchObject({ sha256: sha256Of(data) })
  })

  it('reports blobs without a row at once and removes them after the grace period', async () => {
    const kept = await draft()
    await upload(kept, 'v/seg-1.m4s', bytesOf(300))
    // A crash between a blob and its row, and a movie whose row went before its files did.
    await t.deps.blobs.put(movieKey(kept, 'v/seg-9.m4s'), bytesOf(700))
    const gone = await draft()
    await upload(gone, 'v/seg-1.m4s', bytesOf(200))
    await t.deps.db.delete(movieFiles)
    await upload(kept, 'v/seg-1.m4s', bytesOf(300))

    const sweep = storageSweeper(t.deps, { staleMs: HOUR, orphanGraceMs: HOUR })
    expect((await sweep()).orphans).toEqual({ found: 2, removed: 0, bytes: 0 })
    expect(await t.deps.blobs.head(movieKey(kept, 'v/seg-9.m4s'))).not.toBeNull()

    now += HOUR / 2
    expect((await sweep()).orphans).toMatchObject({ found: 2, removed: 0 })
    now += HOUR / 2
    expect((await sweep()).orphans).toEqual({ found: 2, removed: 2, bytes: 900 })
    expect(await t.deps.blobs.list(`movies/${gone}/`)).toEqual([])
    expect((await t.deps.blobs.list(`movies/${kept}/`)).map((b) => b.key)).toEqual([
      movieKey(kept, 'v/seg-1.m4s'),
    ])
    expect((await sweep()).orphans).toEqual({ found: 0, removed: 0, bytes: 0 })
  })

  it('leaves a blob alone once an upload gives it a row during the grace period', async () => {
    const id = await draft()
    const data = bytesOf(400, 5)
    await t.deps.blobs.put(movieKey(id, 'v/seg-1.m4s'), data)
    const sweep = storageSweeper(t.deps, { staleMs: HOUR, orphanGraceMs: HOUR })
    expect((await sweep()).orphans.found).toBe(1)
    await upload(id, 'v/seg-1.m4s', data)
    now += 2 * HOUR
    expect((await sweep()).orphans).toEqual({ found: 0, removed: 0, bytes: 0 })
    expect((await stat(join(t.mediaDir, 'movies', id, 'v', 'seg-1.m4s'))).size).toBe(400)
  })
})
