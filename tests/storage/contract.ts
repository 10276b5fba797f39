/**
 * The BlobStore contract: one suite every adapter (memory, fs, R2 under Miniflare) must pass.
 * @module
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../server/lib/crypto.ts'
import {
  BlobHashMismatchError,
  BlobLengthMismatchError,
  type BlobStore,
  BlobTooLargeError,
} from '../../server/storage/blob-store.ts'
import { collectBody } from '../../server/storage/body.ts'
import { bytesOf, countingStream, gatedBody, sameBytes } from '../support/bytes.ts'

export interface StoreUnderTest {
  store: BlobStore
  cleanup?: () => Promise<void>
}

const enc = new TextEncoder()

const text = async (body: ReadableStream<Uint8Array>) => new TextDecoder().decode(await collectBody(body))

export function blobStoreContract(name: string, make: () => Promise<StoreUnderTest>) {
  describe(`BlobStore contract: ${name}`, () => {
    let sut: StoreUnderTest
    let store: BlobStore
    let n = 0
    // Every test works under its own prefix, so one store serves the whole suite.
    const key = (path: string) => `t${++n}/${path}`

    beforeAll(async () => {
      sut = await make()
      store = sut.store
    })
    afterAll(async () => {
      await sut?.cleanup?.()
    })

    it('stores bytes and returns them with size, SHA-256 and content type', async () => {
      const k = key('movie/a.m4s')
      const data = bytesOf(300_000)
      const info = await store.put(k, data, { contentType: 'video/iso.segment' })
      const sha = await sha256Hex(data)
      expect(info).toEqual({ key: k, size: data.byteLength, sha256: sha, contentType: 'video/iso.segment' })
      expect(await store.head(k)).toEqual(info)
      const got = await store.get(k)
      expect(got).not.toBeNull()
      expect({ ...got!, body: undefined }).toEqual({ ...info, body: undefined })
      expect(sameBytes(await collectBody(got!.body), data)).toBe(true)
    })

    it('consumes a streamed body of many chunks', async () => {
      const k = key('streamed.m4s')
      const { stream } = countingStream(1_000_003, 16 * 1024)
      const info = await store.put(k, stream, { size: 1_000_003 })
      expect(info.size).toBe(1_000_003)
      const got = await store.get(k)
      const bytes = await collectBody(got!.body)
      expect(bytes.byteLength).toBe(1_000_003)
      expect(await sha256Hex(bytes)).toBe(info.sha256)
    })

    it('defaults the content type to application/octet-stream', async () => {
      const info = await store.put(key('x.bin'), enc.encode('x'))
      expect(info.contentType).toBe('application/octet-stream')
    })

    it('stores and serves an empty blob', async () => {
      const k = key('empty.vtt')
      const info = await store.put(k, new Uint8Array(0), { sha256: await sha256Hex(new Uint8Array(0)) })
      expect(info.size).toBe(0)
      const got = await store.get(k)
      expect((await collectBody(got!.body)).byteLength).toBe(0)
    })

    it('reports a missing key as null from get and head', async () => {
      expect(await store.get(key('nothing.m4s'))).toBeNull()
      expect(await store.head(key('nothing.m4s'))).toBeNull()
    })

    it('reads inclusive byte ranges: first byte, last byte, middle, whole', async () => {
      const k = key('range.mp4')
      const data = bytesOf(1000, 3)
      await store.put(k, data)
      for (const [start, end] of [
        [0, 0],
        [999, 999],
        [100, 199],
        [0, 999],
        [998, 999],
      ] as const) {
        const got = await store.get(k, { range: { start, end } })
        expect(got!.range).toEqual({ start, end })
        expect(got!.size).toBe(1000)
        expect(sameBytes(await collectBody(got!.body), data.subarray(start, end + 1))).toBe(true)
      }
    })

    it('accepts the expected SHA-256 in either case', async () => {
      const data = enc.encode('case')
      const info = await store.put(key('case.vtt'), data, { sha256: (await sha256Hex(data)).toUpperCase() })
      expect(info.sha256).toBe(await sha256Hex(data))
    })

    it('refuses a body whose SHA-256 differs and stores nothing', async () => {
      const k = key('hash.m4s')
      const wrong = await sha256Hex('something else')
      await expect(store.put(k, bytesOf(5000), { sha256: wrong })).rejects.toBeInstanceOf(
        BlobHashMismatchError,
      )
      expect(await store.head(k)).toBeNull()
      expect(await store.list(k)).toEqual([])
    })

    it('keeps the previous content when a replacement fails its hash check', async () => {
      const k = key('keep.m4s')
      await store.put(k, enc.encode('old'))
      await expect(
        store.put(k, enc.encode('new'), { sha256: await sha256Hex('other') }),
      ).rejects.toBeInstanceOf(BlobHashMismatchError)
      expect(await text((await store.get(k))!.body)).toBe('old')
      expect((await store.head(k))!.sha256).toBe(await sha256Hex('old'))
    })

    it('stops reading and stores nothing once a body passes maxBytes', async () => {
      const k = key('big.m4s')
      const { stream, state } = countingStream(50 * 1024 * 1024, 64 * 1024)
      await expect(store.put(k, stream, { maxBytes: 256 * 1024 })).rejects.toBeInstanceOf(BlobTooLargeError)
      expect(state.pulled).toBeLessThanOrEqual(256 * 1024 + 64 * 1024)
      expect(state.cancelled).toBe(true)
      expect(await store.head(k)).toBeNull()
    })

    it('refuses a body that declares more than maxBytes without reading it', async () => {
      const k = key('declared.m4s')
      const { stream, state } = countingStream(10_000)
      await expect(store.put(k, stream, { maxBytes: 1000, size: 10_000 })).rejects.toBeInstanceOf(
        BlobTooLargeError,
      )
      expect(state.pulled).toBe(0)
      expect(await store.head(k)).toBeNull()
    })

    it('refuses an in-memory body larger than maxBytes', async () => {
      await expect(store.put(key('b.m4s'), bytesOf(2000), { maxBytes: 1999 })).rejects.toBeInstanceOf(
        BlobTooLargeError,
      )
    })

    it('accepts a body of exactly maxBytes', async () => {
      const info = await store.put(key('exact.m4s'), countingStream(4096).stream, { maxBytes: 4096 })
      expect(info.size).toBe(4096)
    })

    it('refuses a body shorter or longer than its declared size and stores nothing', async () => {
      const short = key('short.m4s')
      await expect(store.put(short, countingStream(999).stream, { size: 1000 })).rejects.toBeInstanceOf(
        BlobLengthMismatchError,
      )
      expect(await store.head(short)).toBeNull()
      const long = key('long.m4s')
      await expect(store.put(long, countingStream(1001).stream, { size: 1000 })).rejects.toBeInstanceOf(
        BlobLengthMismatchError,
      )
      expect(await store.head(long)).toBeNull()
    })

    it('stores nothing when the body stream fails part-way', async () => {
      const k = key('broken.m4s')
      const gate = gatedBody(bytesOf(20_000), 10_000)
      const putting = store.put(k, gate.stream)
      await gate.started(putting)
      gate.fail(new Error('client went away'))
      await expect(putting).rejects.toThrow()
      expect(await store.head(k)).toBeNull()
    })

    it('replaces a blob as a whole', async () => {
      const k = key('replace.mpd')
      await store.put(k, enc.encode('first version'), { contentType: 'application/dash+xml' })
      const info = await store.put(k, enc.encode('second'), { contentType: 'application/dash+xml' })
      expect(info.size).toBe(6)
      expect(await store.head(k)).toEqual(info)
      expect(await text((await store.get(k))!.body)).toBe('second')
    })

    it('shows readers the old blob, whole, while a replacement is still arriving', async () => {
      const k = key('atomic.m4s')
      const old = bytesOf(200_000, 11)
      await store.put(k, old)
      const next = bytesOf(2_000_000, 12)
      // The first chunk is larger than the disk adapter's write batch, so a store that wrote in
      // place would have put some of it where readers look by the time it asks for more.
      const gate = gatedBody(next, 1_500_000)
      const putting = store.put(k, gate.stream, { sha256: await sha256Hex(next) })
      await gate.started(putting)
      const during = await store.get(k)
      expect(during!.sha256).toBe(await sha256Hex(old))
      expect(sameBytes(await collectBody(during!.body), old)).toBe(true)
      expect(await store.head(k)).toMatchObject({ size: old.byteLength, sha256: during!.sha256 })
      gate.release()
      await putting
      expect(sameBytes(await collectBody((await store.get(k))!.body), next)).toBe(true)
    })

    it('deletes, and deleting a missing key is not an error', async () => {
      const k = key('gone.m4s')
      await store.put(k, enc.encode('bye'))
      await store.delete(k)
      expect(await store.head(k)).toBeNull()
      expect(await store.get(k)).toBeNull()
      await store.delete(k)
      await store.delete(key('never-was.m4s'))
    })

    it('lists every blob under a prefix, nested ones too, sorted by key', async () => {
      const base = key('list')
      const paths = ['m1/v/b.m4s', 'm1/a.mpd', 'm1/v/a.m4s', 'm10/a.mpd', 'm2/a.mpd', 'm1/z/deep/x.m4s']
      for (const p of paths) await store.put(`${base}/${p}`, enc.encode(p), { contentType: 'text/plain' })
      const m1 = await store.list(`${base}/m1/`)
      expect(m1.map((b) => b.key)).toEqual([
        `${base}/m1/a.mpd`,
        `${base}/m1/v/a.m4s`,
        `${base}/m1/v/b.m4s`,
        `${base}/m1/z/deep/x.m4s`,
      ])
      expect(m1[0]).toEqual({
        key: `${base}/m1/a.mpd`,
        size: 'm1/a.mpd'.length,
        sha256: await sha256Hex('m1/a.mpd'),
        contentType: 'text/plain',
      })
      // A prefix is a string prefix, not a folder: m1 also matches m10.
      expect((await store.list(`${base}/m1`)).length).toBe(5)
      expect(await store.list(`${base}/nothing/`)).toEqual([])
      await store.delete(`${base}/m1/v/a.m4s`)
      expect((await store.list(`${base}/m1/`)).map((b) => b.key)).not.toContain(`${base}/m1/v/a.m4s`)
    })

    it('deletes every blob under a prefix, and nothing beside it', async () => {
      const base = key('sweep')
      for (const p of ['m1/a.mpd', 'm1/v/a.m4s', 'm1/v/b.m4s', 'm10/a.mpd'])
        await store.put(`${base}/${p}`, enc.encode(p))
      await store.deletePrefix(`${base}/m1/`)
      expect((await store.list(`${base}/`)).map((b) => b.key)).toEqual([`${base}/m10/a.mpd`])
      expect(await store.head(`${base}/m1/v/a.m4s`)).toBeNull()
      await store.deletePrefix(`${base}/nothing/`)
    })
  })
}
