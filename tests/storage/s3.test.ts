/**
 * The contract suite against the S3 adapter talking to a real S3-compatible server (s3rver on
 * 127.0.0.1), twice: with the default part size (every test body goes up in one PutObject) and
 * with 64 KiB parts (every body over 64 KiB goes up as a multipart upload). Then what only the S3
 * adapter does: its key prefix, aborted uploads, objects written by other tools, batch deletes
 * over several listing pages, presigned URLs.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha256Hex } from '../../server/lib/crypto.ts'
import { BlobHashMismatchError, BlobTooLargeError } from '../../server/storage/blob-store.ts'
import { collectBody } from '../../server/storage/body.ts'
import { s3BlobStore } from '../../server/storage/s3.ts'
import { bytesOf, countingStream, gatedBody, sameBytes } from '../support/bytes.ts'
import { blobStoreContract } from './contract.ts'
import { type RunningS3, startS3 } from './s3rver.ts'

blobStoreContract('s3 (s3rver), one PutObject per blob', async () => {
  const s3 = await startS3()
  return { store: s3BlobStore({ client: s3.client, bucket: s3.bucket, prefix: 'site/' }), cleanup: s3.stop }
})

blobStoreContract('s3 (s3rver), multipart uploads of 64 KiB parts', async () => {
  const s3 = await startS3()
  return {
    store: s3BlobStore({ client: s3.client, bucket: s3.bucket, partBytes: 64 * 1024, partsInFlight: 3 }),
    cleanup: s3.stop,
  }
})

describe('s3 adapter', () => {
  let s3: RunningS3
  beforeAll(async () => {
    s3 = await startS3()
  })
  afterAll(async () => {
    await s3?.stop()
  })

  const keysInBucket = async (prefix = '') =>
    (
      (await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }))).Contents ?? []
    ).map((o) => o.Key)

  it('keeps its blobs under its prefix and sees nothing outside it', async () => {
    const store = s3BlobStore({ client: s3.client, bucket: s3.bucket, prefix: 'p1/adh/' })
    const other = s3BlobStore({ client: s3.client, bucket: s3.bucket, prefix: 'p1/other/' })
    await store.put('movies/a/x.mpd', new TextEncoder().encode('x'))
    await other.put('movies/a/y.mpd', new TextEncoder().encode('y'))
    expect(await keysInBucket('p1/')).toEqual(['p1/adh/movies/a/x.mpd', 'p1/other/movies/a/y.mpd'])
    expect((await store.list('movies/')).map((b) => b.key)).toEqual(['movies/a/x.mpd'])
    await store.deletePrefix('movies/')
    expect(await keysInBucket('p1/')).toEqual(['p1/other/movies/a/y.mpd'])
  })

  it('aborts a multipart upload whose body fails, passes its limit or its hash, leaving no parts', async () => {
    const store = s3BlobStore({ client: s3.client, bucket: s3.bucket, prefix: 'p2/', partBytes: 64 * 1024 })
    const big = countingStream(10 * 1024 * 1024, 32 * 1024)
    await expect(store.put('big.m4s', big.stream, { maxBytes: 512 * 1024 })).rejects.toBeInstanceOf(
      BlobTooLargeError,
    )
    expect(big.state.cancelled).toBe(true)

    const data = bytesOf(300_000)
    await expect(store.put('hash.m4s', data, { sha256: await sha256Hex('not it') })).rejects.toBeInstanceOf(
      BlobHashMismatchError,
    )

    // Parts of it are on their way to the bucket when the body breaks off.
    const gate = gatedBody(bytesOf(400_000), 200_000)
    const putting = store.put('broken.m4s', gate.stream)
    await gate.started(putting)
    gate.fail(new Error('client went away'))
    await expect(putting).rejects.toThrow('client went away')

    expect(await s3.uploadsInProgress()).toEqual([])
    expect(await keysInBucket('p2/')).toEqual([])
  })

  it('records the SHA-256 of a multipart upload whose hash was not given in advance', async () => {
    const store = s3BlobStore({ client: s3.client, bucket: s3.bucket, prefix: 'p3/', partBytes: 64 * 1024 })
    const data = bytesOf(200_001, 5)
    const info = await store.put('long.mp4', countingStream(200_001).stream, { contentType: 'video/mp4' })
    // A fresh store knows nothing from the put: what it says comes from the object's metadata.
    const fresh = s3BlobStore({ client: s3.client, bucket: s3.bucket, prefix: 'p3/' })
    expect(await fresh.head('long.mp4')).toEqual(info)
    const raw = await s3.client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: 'p3/long.mp4' }))
    expect(raw.Metadata?.sha256).toBe(info.sha256)
    expect(raw.ContentType).toBe('video/mp4')
    expect(info.size).toBe(data.byteLength)
  })

  it('describes an object written by another tool, hashing it once', async () => {
    const data = bytesOf(70_000, 9)
    await s3.client.send(
      new PutObjectCommand({
        Bucket: s3.bucket,
        Key: 'p4/copied.m4s',
        Body: data,
        ContentType: 'video/iso.segment',
      }),
    )
    const store = s3BlobStore({ client: s3.client, bucket: s3.bucket, prefix: 'p4/' })
    const expected = {
      key: 'copied.m4s',
      size: 70_000,
      sha256: await sha256Hex(data),
      contentType: 'video/iso.segment',
    }
    expect(await store.head('copied.m4s')).toEqual(expected)
    expect(await store.list('')).toEqual([expected])
    const got = await store.get('copied.m4s', { range: { start: 10, end: 19 } })
    expect(sameBytes(await collectBody(got!.body), data.subarray(10, 20))).toBe(true)
  })

  it('deletes a prefix that spans several listing pages', async () => {
    const store = s3BlobStore({ client: s3.client, bucket: s3.bucket, prefix: 'p5/', pageSize: 3 })
    for (let i = 0; i < 8; i++) await store.put(`movies/m/${i}.m4s`, bytesOf(10, i))
    await store.put('movies/mm/keep.m4s', bytesOf(10))
    expect((await store.list('movies/m/')).length).toBe(8)
    await store.deletePrefix('movies/m/')
    expect(await keysInBucket('p5/')).toEqual(['p5/movies/mm/keep.m4s'])
  })

  it('signs GET URLs that serve the blob and its byte ranges, only when set to redirect', async () => {
    const proxy = s3BlobStore({ client: s3.client, bucket: s3.bucket, prefix: 'p6/' })
    expect(proxy.signedUrl).toBeUndefined()
    const store = s3BlobStore({
      client: s3.client,
      bucket: s3.bucket,
      prefix: 'p6/',
      redirect: { expiresSeconds: 60 },
    })
    const data = bytesOf(5000, 4)
    await store.put('movies/a/seg 1.m4s', data, { contentType: 'video/iso.segment' })
    const url = await store.signedUrl!('movies/a/seg 1.m4s')
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/media\/p6\/movies\/a\/seg%201\.m4s\?.*X-Amz-Expires=60/)
    const whole = await fetch(url)
    expect(whole.status).toBe(200)
    expect(whole.headers.get('content-type')).toBe('video/iso.segment')
    expect(sameBytes(new Uint8Array(await whole.arrayBuffer()), data)).toBe(true)
    const part = await fetch(url, { headers: { range: 'bytes=100-199' } })
    expect(part.status).toBe(206)
    expect(sameBytes(new Uint8Array(await part.arrayBuffer()), data.subarray(100, 200))).toBe(true)
    const tampered = await fetch(url.replace('seg%201', 'seg%202'))
    expect(tampered.status).toBe(403)
  })
})
