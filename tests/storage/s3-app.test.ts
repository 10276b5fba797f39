/**
 * The app with its media in an S3 bucket (s3rver on 127.0.0.1): uploads land in the bucket,
 * `/media` streams them back (S3_SERVE=proxy) or redirects to presigned URLs after the same checks
 * (S3_SERVE=redirect), deleting a movie empties its folder; and the Node server started with
 * MEDIA_URL=s3://… uses the bucket.
 */
import type { ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSuperuser, startNodeServer } from '../../bench/lib.ts'
import { s3BlobStore } from '../../server/storage/s3.ts'
import { json, makeTestApp, type TestApp } from '../support/app.ts'
import { bytesOf, sameBytes, sha256Of } from '../support/bytes.ts'
import { bearerToken } from '../support/http.ts'
import { type RunningS3, S3RVER_CREDENTIALS, startS3 } from './s3rver.ts'

const SEG = bytesOf(3000, 42)
const MPD =
  '<MPD type="static" mediaPresentationDuration="PT2S"><Period><AdaptationSet mimeType="video/mp4" codecs="avc1.64001f">' +
  '<Representation id="v" bandwidth="500000" width="640" height="360"><SegmentTemplate media="seg-$Number$.m4s" ' +
  'initialization="init.mp4" duration="2" startNumber="1"/></Representation></AdaptationSet></Period></MPD>'

let s3: RunningS3
beforeAll(async () => {
  s3 = await startS3()
})
afterAll(async () => {
  await s3?.stop()
})

const bytes = async (res: Response) => new Uint8Array(await res.arrayBuffer())
const keysUnder = async (prefix: string) =>
  (
    (await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: prefix }))).Contents ?? []
  ).map((o) => o.Key)

/** A test app on the bucket, with a published movie and a draft, both uploaded through the API. */
async function appOnBucket(prefix: string, redirect: boolean) {
  const t = await makeTestApp({
    blobs: () =>
      s3BlobStore({
        client: s3.client,
        bucket: s3.bucket,
        prefix,
        ...(redirect ? { redirect: { expiresSeconds: 120 } } : {}),
      }),
  })
  const asAlice = await t.headersFor(await t.createUser('alice'))
  const newMovie = async () =>
    (
      (await (
        await t.app.request('/api/movies', { method: 'POST', ...json({ name: 'On S3' }, asAlice) })
      ).json()) as {
        id: string
      }
    ).id
  const put = async (id: string, path: string, data: Uint8Array<ArrayBuffer> | string) => {
    const res = await t.app.request(`/api/movies/${id}/files/${path}`, {
      method: 'PUT',
      headers: { ...asAlice, 'x-content-sha256': sha256Of(data) },
      body: data,
    })
    expect(res.status, path).toBe(201)
  }
  const pub = await newMovie()
  await put(pub, 'manifest.mpd', MPD)
  await put(pub, 'init.mp4', bytesOf(100, 1))
  await put(pub, 'seg-1.m4s', SEG)
  const published = await t.app.request(`/api/movies/${pub}/publish`, { method: 'POST', headers: asAlice })
  expect(published.status).toBe(200)
  const draft = await newMovie()
  await put(draft, 'seg-1.m4s', SEG)
  return { t, asAlice, pub, draft }
}

describe('media in a bucket, streamed through the server (S3_SERVE=proxy)', () => {
  let t: TestApp
  let asAlice: Record<string, string>
  let pub: string
  beforeAll(async () => {
    ;({ t, asAlice, pub } = await appOnBucket('proxy/', false))
  })
  afterAll(() => t?.close())

  it('keeps uploads in the bucket under the prefix, with their hash and type', async () => {
    // Beside the uploads: the HLS playlists publishing derived from the manifest.
    expect(await keysUnder(`proxy/movies/${pub}/`)).toEqual([
      `proxy/movies/${pub}/hls-v.m3u8`,
      `proxy/movies/${pub}/init.mp4`,
      `proxy/movies/${pub}/manifest.mpd`,
      `proxy/movies/${pub}/master.m3u8`,
      `proxy/movies/${pub}/seg-1.m4s`,
    ])
    const raw = await s3.client.send(
      new GetObjectCommand({ Bucket: s3.bucket, Key: `proxy/movies/${pub}/seg-1.m4s` }),
    )
    expect(raw.Metadata?.sha256).toBe(sha256Of(SEG))
    expect(raw.ContentType).toBe('video/iso.segment')
  })

  it('serves whole files and byte ranges from the bucket', async () => {
    const whole = await t.app.request(`/media/${pub}/seg-1.m4s`)
    expect(whole.status).toBe(200)
    expect(whole.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    expect(sameBytes(await bytes(whole), SEG)).toBe(true)
    const part = await t.app.request(`/media/${pub}/seg-1.m4s`, { headers: { range: 'bytes=0-0' } })
    expect(part.status).toBe(206)
    expect(part.headers.get('content-range')).toBe('bytes 0-0/3000')
    expect(sameBytes(await bytes(part), SEG.subarray(0, 1))).toBe(true)
  })

  it('empties the movie folder in the bucket when the movie is deleted', async () => {
    const res = await t.app.request(`/api/movies/${pub}`, { method: 'DELETE', headers: asAlice })
    expect(res.status).toBe(204)
    expect(await keysUnder(`proxy/movies/${pub}/`)).toEqual([])
    expect((await t.app.request(`/media/${pub}/seg-1.m4s`)).status).toBe(404)
  })
})

describe('media in a bucket, served by redirect (S3_SERVE=redirect)', () => {
  let t: TestApp
  let asAlice: Record<string, string>
  let pub: string
  let draft: string
  beforeAll(async () => {
    ;({ t, asAlice, pub, draft } = await appOnBucket('redirect/', true))
  })
  afterAll(() => t?.close())

  it('redirects a GET to a presigned URL that serves the file and its ranges', async () => {
    const res = await t.app.request(`/media/${pub}/seg-1.m4s`, { headers: { range: 'bytes=10-19' } })
    expect(res.status).toBe(302)
    expect(res.headers.get('cache-control')).toBe('private, no-store')
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    const location = res.headers.get('location')!
    expect(location.startsWith(`${s3.endpoint}/${s3.bucket}/redirect/movies/${pub}/seg-1.m4s?`)).toBe(true)
    const part = await fetch(location, { headers: { range: 'bytes=10-19' } })
    expect(part.status).toBe(206)
    expect(sameBytes(await bytes(part), SEG.subarray(10, 20))).toBe(true)
    const whole = await fetch(location)
    expect(whole.headers.get('content-type')).toBe('video/iso.segment')
    expect(sameBytes(await bytes(whole), SEG)).toBe(true)
  })

  it('checks visibility before redirecting: a draft is 404 to others, a redirect to its owner', async () => {
    const anonymous = await t.app.request(`/media/${draft}/seg-1.m4s`)
    expect(anonymous.status).toBe(404)
    expect(anonymous.headers.get('location')).toBeNull()
    const owner = await t.app.request(`/media/${draft}/seg-1.m4s`, { headers: asAlice })
    expect(owner.status).toBe(302)
  })

  it('answers HEAD, conditional GETs and bad ranges itself, without a redirect', async () => {
    const head = await t.app.request(`/media/${pub}/seg-1.m4s`, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-length')).toBe('3000')
    const etag = head.headers.get('etag')!
    const cached = await t.app.request(`/media/${pub}/seg-1.m4s`, { headers: { 'if-none-match': etag } })
    expect(cached.status).toBe(304)
    const outside = await t.app.request(`/media/${pub}/seg-1.m4s`, { headers: { range: 'bytes=5000-' } })
    expect(outside.status).toBe(416)
    expect((await t.app.request(`/media/${pub}/missing.m4s`)).status).toBe(404)
  })
})

describe('the Node server with MEDIA_URL=s3://…', () => {
  const dirs: string[] = []
  const procs: ChildProcess[] = []
  afterAll(() => {
    for (const p of procs) p.kill()
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
  })

  it('stores uploads in the bucket and redirects reads there when S3_SERVE=redirect', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'adh-s3-entry-'))
    dirs.push(dir)
    const env = {
      DATABASE_URL: `file:${join(dir, 'app.db')}`,
      // Set to show that MEDIA_URL wins: nothing may land here.
      MEDIA_DIR: join(dir, 'media'),
      CLIENT_DIR: join(dir, 'no-client'),
      MEDIA_URL: `s3://${s3.bucket}/site/`,
      S3_ENDPOINT: s3.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      S3_SERVE: 'redirect',
      S3_PRESIGN_SECONDS: '90',
      // One process: this is about storage, and each process loads TypeScript first.
      WEB_CONCURRENCY: '1',
    }
    await createSuperuser(env, { username: 'boss', password: 'boss-password-1' })
    const { url, proc } = await startNodeServer(env)
    procs.push(proc)
    const auth = await bearerToken(url, 'boss', 'boss-password-1')
    const created = await fetch(`${url}/api/movies`, { method: 'POST', ...json({ name: 'Bucket' }, auth) })
    const { id } = (await created.json()) as { id: string }
    const put = await fetch(`${url}/api/movies/${id}/files/seg-1.m4s`, {
      method: 'PUT',
      headers: { ...auth, 'x-content-sha256': sha256Of(SEG) },
      body: SEG,
    })
    expect(put.status).toBe(201)
    expect(await keysUnder('site/')).toEqual([`site/movies/${id}/seg-1.m4s`])
    expect(existsSync(join(dir, 'media'))).toBe(false)

    const read = await fetch(`${url}/media/${id}/seg-1.m4s`, { headers: auth, redirect: 'manual' })
    expect(read.status).toBe(302)
    const location = read.headers.get('location')!
    expect(location).toMatch(/X-Amz-Expires=90/)
    expect(sameBytes(await bytes(await fetch(location)), SEG)).toBe(true)
    proc.kill('SIGTERM')
    // Two processes started (the script and the server): slow on a busy machine.
  }, 120_000)
})
