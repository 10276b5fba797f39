/**
 * The Worker's entry (server/entry.worker.ts, its default export, as workerd calls it) run in this
 * process on Miniflare's D1 and R2 with the bindings and [vars] of wrangler.toml, reached through
 * wrangler's getPlatformProxy(), the D1 migrated by `wrangler d1 migrations apply` as a deployment
 * is. Here the R2 calls a request makes can be counted and held, which wrangler dev does not allow
 * (and workerd does not enforce the platform's subrequest limits locally). The cron trigger's
 * `scheduled` is called here too, with the scheduled times a test chooses.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { ExecutionContext } from 'hono'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { getPlatformProxy, unstable_readConfig } from 'wrangler'
import { wrangler } from '../../scripts/wrangler.ts'
import { createApiToken } from '../../server/auth/tokens.ts'
import { WORKER_MAX_FILE_SIZE } from '../../server/config.ts'
import worker, { type WorkerEnv, workerDeps } from '../../server/entry.worker.ts'
import { SEEN_KEY } from '../../server/services/housekeeping.ts'
import { createUser } from '../../server/services/users.ts'
import type { R2BucketLike } from '../../server/storage/r2.ts'
import { testHasher } from '../support/app.ts'
import { countingStream, sha256Of } from '../support/bytes.ts'

const CONFIG = join(import.meta.dirname, '../../wrangler.toml')
/** Cloudflare's request body limit on the Free and Pro plans, counted the smaller way. */
const PLATFORM_BODY_LIMIT = 100 * 1000 * 1000
/** Most R2 objects one delete call takes. */
const R2_DELETE_BATCH = 1000

let dir: string
let proxy: Awaited<ReturnType<typeof getPlatformProxy<WorkerEnv>>>
let env: WorkerEnv
let bucket: ReturnType<typeof countedBucket>
let asAdmin: Record<string, string>

/** R2 calls made through the binding, with the keys each delete took; `list` can be held. */
function countedBucket(inner: R2BucketLike) {
  const calls: { op: keyof R2BucketLike; keys: number }[] = []
  let held: Promise<void> | null = null
  const count = (op: keyof R2BucketLike, keys = 1) => {
    calls.push({ op, keys })
  }
  const bucket: R2BucketLike = {
    head(key) {
      count('head')
      return inner.head(key)
    },
    get(key, opts) {
      count('get')
      return inner.get(key, opts)
    },
    put(key, value, opts) {
      count('put')
      return inner.put(key, value, opts)
    },
    delete(keys) {
      count('delete', Array.isArray(keys) ? keys.length : 1)
      return inner.delete(keys)
    },
    async list(opts) {
      count('list', 0)
      await held
      return inner.list(opts)
    },
  }
  return {
    bucket,
    calls,
    /** Holds every `list` until the returned function is called. */
    holdListing(): () => void {
      let release!: () => void
      held = new Promise((r) => {
        release = r
      })
      return () => {
        held = null
        release()
      }
    },
  }
}

/** What workerd hands the Worker: here, a record of the work it asked to finish after answering. */
function executionContext() {
  const pending: Promise<unknown>[] = []
  const ctx: ExecutionContext = {
    waitUntil: (p) => {
      pending.push(p)
    },
    passThroughOnException() {},
    props: {},
  }
  return { ctx, pending }
}

const call = (path: string, init: RequestInit = {}, ctx = executionContext().ctx) =>
  worker.fetch(new Request(`http://worker.test${path}`, init), env, ctx)

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'adh-worker-limits-'))
  await wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', dir, '--config', CONFIG])
  proxy = await getPlatformProxy<WorkerEnv>({ configPath: CONFIG, persist: { path: join(dir, 'v3') } })
  bucket = countedBucket(proxy.env.MEDIA)
  env = { ...proxy.env, MEDIA: bucket.bucket }
  // The account is made beside the Worker, in its database (cheap hashing: only its token is used).
  const deps = { ...workerDeps(env), passwords: testHasher }
  const admin = await createUser(deps, {
    username: 'limits-admin',
    password: 'limits-password',
    role: 'admin',
  })
  asAdmin = { authorization: `Bearer ${(await createApiToken(deps, admin.id, 'test')).token}` }
}, 120_000)
afterAll(async () => {
  await proxy?.dispose()
  if (dir) await rm(dir, { recursive: true, force: true })
})

describe('deleting a movie with thousands of files on the Worker', () => {
  const FILES = 2500

  it('answers first, then removes every file in a few batched R2 calls', async () => {
    const created = await call('/api/movies', {
      method: 'POST',
      headers: { ...asAdmin, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Long film' }),
    })
    expect(created.status).toBe(201)
    const { id } = (await created.json()) as { id: string }
    // Stored as uploads leave them (a row and an object per file), without 2500 requests.
    const paths = Array.from({ length: FILES }, (_, i) => `v/seg-${String(i).padStart(5, '0')}.m4s`)
    const bytes = new TextEncoder().encode('segment')
    const insert = proxy.env.DB!.prepare(
      'INSERT INTO movie_files (movie_id, path, size, sha256, content_type) VALUES (?, ?, ?, ?, ?)',
    )
    for (let i = 0; i < FILES; i += 500) {
      const rows = paths
        .slice(i, i + 500)
        .map((p) => insert.bind(id, p, 7, sha256Of(bytes), 'video/iso.segment'))
      await proxy.env.DB!.batch(rows)
    }
    for (let i = 0; i < FILES; i += 50) {
      await Promise.all(paths.slice(i, i + 50).map((p) => proxy.env.MEDIA.put(`movies/${id}/${p}`, bytes)))
    }
    expect((await proxy.env.MEDIA.list({ prefix: `movies/${id}/` })).truncated).toBe(true)

    bucket.calls.length = 0
    const release = bucket.holdListing()
    const { ctx, pending } = executionContext()
    const res = await call(`/api/movies/${id}`, { method: 'DELETE', headers: asAdmin }, ctx)
    // The answer came while the files' listing was still held: it did not wait for their removal.
    expect(res.status).toBe(204)
    expect(pending.length).toBeGreaterThan(0)
    release()
    await Promise.all(pending)
    const calls = [...bucket.calls]

    expect((await proxy.env.MEDIA.list({ prefix: `movies/${id}/` })).objects).toEqual([])
    expect((await call(`/api/movies/${id}`, { headers: asAdmin })).status).toBe(404)
    const deletes = calls.filter((c) => c.op === 'delete')
    expect(deletes.reduce((n, c) => n + c.keys, 0)).toBe(FILES)
    expect(Math.max(...deletes.map((c) => c.keys))).toBeLessThanOrEqual(R2_DELETE_BATCH)
    // A listing page and a delete per thousand files: 6 here, where one call per file would be
    // 2500, past the 1000 calls to Cloudflare services a Worker request may make on the Free plan.
    expect(calls.length).toBeLessThanOrEqual(2 * Math.ceil(FILES / R2_DELETE_BATCH))
  }, 120_000)
})

describe('upload size on the Worker', () => {
  it('takes files up to 95 MiB by default, under the request body limit of the Free and Pro plans', async () => {
    expect(proxy.env.MAX_FILE_SIZE).toBe(WORKER_MAX_FILE_SIZE)
    const { MAX_FILE_SIZE: _, ...unset } = env
    for (const e of [env, unset]) {
      expect(workerDeps(e).config.maxFileBytes).toBe(95 * 1024 * 1024)
      expect(workerDeps(e).config.maxFileBytes).toBeLessThan(PLATFORM_BODY_LIMIT)
    }
    // And says so to an upload that declares more, before reading it.
    const created = await call('/api/movies', {
      method: 'POST',
      headers: { ...asAdmin, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Too big' }),
    })
    const { id } = (await created.json()) as { id: string }
    const { stream, state } = countingStream(PLATFORM_BODY_LIMIT)
    const res = await call(`/api/movies/${id}/files/big.m4s`, {
      method: 'PUT',
      headers: {
        ...asAdmin,
        'x-content-sha256': sha256Of('x'),
        'content-length': String(PLATFORM_BODY_LIMIT),
      },
      body: stream,
      duplex: 'half',
    } as RequestInit)
    expect(res.status).toBe(413)
    expect(await res.json()).toMatchObject({ type: '/problems/file-too-large', limit: 95 * 1024 * 1024 })
    expect(state.pulled).toBe(0)
  })

  it('answers a body without Content-Length 411 and stores nothing of it', async () => {
    const created = await call('/api/movies', {
      method: 'POST',
      headers: { ...asAdmin, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Chunked' }),
    })
    const { id } = (await created.json()) as { id: string }
    const { stream, state } = countingStream(256 * 1024, 16 * 1024)
    const res = await call(`/api/movies/${id}/files/seg.m4s`, {
      method: 'PUT',
      headers: { ...asAdmin, 'x-content-sha256': sha256Of('x') },
      body: stream,
      duplex: 'half',
    } as RequestInit)
    expect(res.status).toBe(411)
    expect(res.headers.get('content-type')).toBe('application/problem+json')
    expect(await res.json()).toMatchObject({ status: 411, type: '/problems/length-required' })
    // Read to its end only after the answer was built (it is small: wrangler dev needs the
    // connection's body consumed), and never stored.
    expect(state.pulled).toBe(256 * 1024)
    expect((await proxy.env.MEDIA.list({ prefix: `movies/${id}/` })).objects).toEqual([])
  })
})

describe('the cron trigger on the Worker', () => {
  const DAY = 86_400_000

  /** Runs the Worker's `scheduled` as the cron would at `time`, and what it left to finish after. */
  async function cron(time: number) {
    const { ctx, pending } = executionContext()
    await worker.scheduled({ scheduledTime: time }, env, ctx)
    expect(pending).toHaveLength(1)
    await Promise.all(pending)
  }

  const keys = async (prefix: string) =>
    (await proxy.env.MEDIA.list({ prefix })).objects.map((o) => o.key).sort()

  it('is set in wrangler.toml', async () => {
    const config = unstable_readConfig({ config: CONFIG })
    expect(config.triggers.crons).toHaveLength(1)
  })

  it("removes the files a failed delete left, after the grace period, and keeps a live movie's", async () => {
    const created = await call('/api/movies', {
      method: 'POST',
      headers: { ...asAdmin, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Live' }),
    })
    const { id: live } = (await created.json()) as { id: string }
    const bytes = new TextEncoder().encode('segment')
    const put = await call(`/api/movies/${live}/files/v/seg-1.m4s`, {
      method: 'PUT',
      headers: { ...asAdmin, 'x-content-sha256': sha256Of(bytes), 'content-length': String(bytes.length) },
      body: bytes,
    })
    expect(put.status).toBe(201)
    // What a movie deleted on the Worker leaves when the removal of its files after the answer fails.
    const gone = 'GoneGoneGone0001'
    for (const path of ['manifest.mpd', 'v/init.mp4', 'v/seg-1.m4s']) {
      await proxy.env.MEDIA.put(`movies/${gone}/${path}`, bytes)
    }

    const start = Date.now()
    await cron(start)
    // Seen and reported, kept for the grace period (wrangler.toml: a day); a later run knows when
    // it was first seen although no memory of the isolate is shared between runs.
    expect(await keys(`movies/${gone}/`)).toHaveLength(3)
    expect(await keys(SEEN_KEY)).toEqual([SEEN_KEY])
    await cron(start + DAY / 2)
    expect(await keys(`movies/${gone}/`)).toHaveLength(3)

    await cron(start + DAY + 60_000)
    expect(await keys(`movies/${gone}/`)).toEqual([])
    expect(await keys(`movies/${live}/`)).toEqual([`movies/${live}/v/seg-1.m4s`])
    expect(await keys(SEEN_KEY)).toEqual([])
    const file = await call(`/api/movies/${live}/files`, { headers: asAdmin })
    expect(await file.json()).toMatchObject({ items: [{ path: 'v/seg-1.m4s' }] })
  })
})
