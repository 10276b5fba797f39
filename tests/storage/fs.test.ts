/**
 * What the disk adapter promises beyond the contract: plain files on disk, no litter, keys that
 * cannot leave the root, self-repairing metadata, and atomic replacement under real concurrency.
 */
import { mkdtemp, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../server/lib/crypto.ts'
import { BlobHashMismatchError, BlobTooLargeError } from '../../server/storage/blob-store.ts'
import { collectBody } from '../../server/storage/body.ts'
import { fsBlobStore } from '../../server/storage/fs.ts'
import { bytesOf, countingStream, sameBytes } from '../support/bytes.ts'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'adh-fs-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true })
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(root.length + 1))
    .sort()
}

describe('fs blob store', () => {
  it('keeps each blob as a plain file at its key, beside a sidecar', async () => {
    const store = fsBlobStore(dir)
    const data = bytesOf(70_000)
    await store.put('movies/m1/v/init.mp4', data, { contentType: 'video/mp4' })
    expect(sameBytes(new Uint8Array(await readFile(join(dir, 'movies/m1/v/init.mp4'))), data)).toBe(true)
    expect(await filesUnder(dir)).toEqual(['movies/m1/v/init.mp4', 'movies/m1/v/init.mp4~meta'])
  })

  it('leaves no temporary files behind after refused or failed puts', async () => {
    const store = fsBlobStore(dir)
    await expect(store.put('m/a.m4s', bytesOf(10), { sha256: '0'.repeat(64) })).rejects.toBeInstanceOf(
      BlobHashMismatchError,
    )
    await expect(
      store.put('m/b.m4s', countingStream(5 * 1024 * 1024).stream, { maxBytes: 100_000 }),
    ).rejects.toBeInstanceOf(BlobTooLargeError)
    const broken = new ReadableStream<Uint8Array>({
      pull(c) {
        c.error(new Error('connection reset'))
      },
    })
    await expect(store.put('m/c.m4s', broken)).rejects.toThrow('connection reset')
    expect(await filesUnder(dir)).toEqual([])
  })

  it.each([
    '../escape.m4s',
    'a/../../escape.m4s',
    '/etc/passwd',
    'a\\..\\b.m4s',
    'a//b.m4s',
    'a/./b.m4s',
    'a/b.m4s~meta',
    'a/\0.m4s',
    '',
  ])('refuses the key %j', async (key) => {
    const store = fsBlobStore(dir)
    await expect(store.put(key, bytesOf(1))).rejects.toBeInstanceOf(TypeError)
    await expect(store.get(key)).rejects.toBeInstanceOf(TypeError)
    await expect(store.delete(key)).rejects.toBeInstanceOf(TypeError)
    expect(await filesUnder(dir)).toEqual([])
  })

  it('describes a file copied in by hand, with no sidecar, from its bytes', async () => {
    const store = fsBlobStore(dir)
    await store.put('m/seed.mpd', new Uint8Array(1))
    await writeFile(join(dir, 'm/by-hand.m4s'), 'dropped in')
    const info = await store.head('m/by-hand.m4s')
    expect(info).toEqual({
      key: 'm/by-hand.m4s',
      size: 10,
      sha256: await sha256Hex('dropped in'),
      contentType: 'application/octet-stream',
    })
    expect((await store.list('m/')).map((b) => b.key)).toEqual(['m/by-hand.m4s', 'm/seed.mpd'])
  })

  it('notices a file changed behind its back instead of trusting a stale sidecar', async () => {
    const store = fsBlobStore(dir)
    await store.put('m/a.m4s', new TextEncoder().encode('original'), { contentType: 'video/iso.segment' })
    await unlink(join(dir, 'm/a.m4s'))
    await writeFile(join(dir, 'm/a.m4s'), 'edited by hand')
    const got = await store.get('m/a.m4s')
    expect(got!.sha256).toBe(await sha256Hex('edited by hand'))
    expect(got!.contentType).toBe('video/iso.segment')
    expect(new TextDecoder().decode(await collectBody(got!.body))).toBe('edited by hand')
    // A second store on the same directory (a restart) trusts the repaired sidecar.
    expect((await fsBlobStore(dir).head('m/a.m4s'))!.sha256).toBe(await sha256Hex('edited by hand'))
  })

  it('notices a file replaced by hand even while readers keep it open', async () => {
    const store = fsBlobStore(dir, { revalidateMs: 0 })
    await store.put('m/a.m4s', new TextEncoder().encode('before'))
    const held = await store.get('m/a.m4s')
    await writeFile(join(dir, 'm/a.m4s.new'), 'after, by hand')
    await rename(join(dir, 'm/a.m4s.new'), join(dir, 'm/a.m4s'))
    const got = await store.get('m/a.m4s')
    expect(new TextDecoder().decode(await collectBody(got!.body))).toBe('after, by hand')
    // The reader that opened the old file still gets all of it.
    expect(new TextDecoder().decode(await collectBody(held!.body))).toBe('before')
  })

  it('never lets a reader see a partly written or mismatched blob while it is replaced again and again', async () => {
    const store = fsBlobStore(dir)
    const versions = Array.from({ length: 8 }, (_, i) => bytesOf(512 * 1024 + i * 1000, i + 1))
    const hashes = await Promise.all(versions.map((v) => sha256Hex(v)))
    await store.put('m/hot.m4s', versions[0]!)
    let writing = true
    const writer = (async () => {
      for (let round = 0; round < 3; round++) {
        for (const [i, v] of versions.entries()) {
          // Trickle each version in, so readers overlap the write and the rename.
          const body = new ReadableStream<Uint8Array>({
            async start(c) {
              for (let at = 0; at < v.byteLength; at += 64 * 1024) {
                c.enqueue(v.subarray(at, at + 64 * 1024))
                await new Promise((r) => setImmediate(r))
              }
              c.close()
            },
          })
          await store.put('m/hot.m4s', body, { sha256: hashes[i]! })
        }
      }
      writing = false
    })()
    let reads = 0
    const reader = async () => {
      while (writing) {
        const got = await store.get('m/hot.m4s')
        const bytes = await collectBody(got!.body)
        const index = hashes.indexOf(got!.sha256)
        expect(index).toBeGreaterThanOrEqual(0)
        expect(bytes.byteLength).toBe(got!.size)
        expect(await sha256Hex(bytes)).toBe(got!.sha256)
        reads++
      }
    }
    await Promise.all([writer, reader(), reader(), reader()])
    expect(reads).toBeGreaterThan(0)
  })

  it('removes folders a delete leaves empty, but never the root', async () => {
    const store = fsBlobStore(dir)
    await store.put('movies/m1/v/a.m4s', bytesOf(1))
    await store.put('movies/m1/b.m4s', bytesOf(1))
    await store.delete('movies/m1/v/a.m4s')
    expect(await readdir(join(dir, 'movies/m1'))).toEqual(['b.m4s', 'b.m4s~meta'])
    await store.delete('movies/m1/b.m4s')
    expect(await readdir(dir)).toEqual([])
  })
})
