/**
 * The app under test, built the one way every suite builds it: `createApp(deps)` on a real libSQL
 * database (a file in a temp dir, as in production, or `:memory:`) migrated like a first start, a
 * memory or on-disk blob store, cheap password hashing, and users of each role with API tokens.
 *
 * `makeTestApp` answers through `app.request()`; `startTestServer` puts the same app on a loopback
 * port, with the built client when asked, for real HTTP: streamed bodies, raw request targets,
 * curl, a browser.
 * @module
 */
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import { createClient } from '@libsql/client'
import { drizzle } from 'drizzle-orm/libsql'
import { openLibsqlDb } from '../../db/client.libsql.ts'
import type { Role } from '../../db/schema.ts'
import * as schema from '../../db/schema.ts'
import type { Db } from '../../db/types.ts'
import { createApp } from '../../server/app.ts'
import { createPasswordHasher, type PasswordHasher } from '../../server/auth/password.ts'
import { nodeScrypt } from '../../server/auth/scrypt.node.ts'
import { createApiToken } from '../../server/auth/tokens.ts'
import { type AppConfig, DEFAULT_CONFIG, type Deps } from '../../server/env.ts'
import { createUser } from '../../server/services/users.ts'
import { mountClient } from '../../server/static.node.ts'
import type { BlobStore } from '../../server/storage/blob-store.ts'
import { fsBlobStore } from '../../server/storage/fs.ts'
import { memoryBlobStore } from '../../server/storage/memory.ts'
import { CLIENT_DIR } from '../setup/build-client.ts'
import { fileTempDir, untilFileEnds } from './temp-dir.ts'

export interface TestAppOptions {
  /** Where blobs live: in memory (the default), as files under `mediaDir`, or a store the test makes. */
  blobs?: 'memory' | 'fs' | ((mediaDir: string) => BlobStore)
  /**
   * The database: a libSQL file in the temp dir (the default, as in production), `:memory:`, or
   * `unenforced`: the file migrated as usual, then used through one `@libsql/client` connection
   * with `PRAGMA foreign_keys = OFF`, as a connection to a remote database may be (the pragma is
   * per connection, and over HTTP every statement gets a new one with the server's default).
   */
  db?: 'file' | 'memory' | 'unenforced'
  config?: Partial<AppConfig>
  /** The app's clock, for tests that move time. */
  now?: () => number
  /** Password hashing (default: cheap scrypt parameters); tests that must hold a hash in flight pass their own. */
  passwords?: PasswordHasher
  /** The caller's address, as a proxy-aware entry would tell it (default: none known). */
  clientIp?: Deps['clientIp']
  /** The database the app gets, made from the real one (tests/support/db-hooks.ts: code run before a write). */
  wrapDb?: (db: Db) => Db
}

export interface TestDeps {
  deps: Deps
  /** A temp dir that lives as long as the deps: the database file, the media folder. */
  dir: string
  /** Root of the fs blob store (`blobs: 'fs'`). */
  mediaDir: string
  close(): Promise<void>
}

export interface TestUser {
  id: string
  username: string
  password: string
  role: Role
  /** A bearer token of the user's, for the API calls a test makes itself. */
  token: string
}

// Cheap scrypt parameters keep sign-ins fast; the format and code path are the production ones.
export const testHasher = createPasswordHasher(nodeScrypt, { ln: 10, r: 8, p: 1 })

/** The app's dependencies as entry.node.ts builds them, on throwaway storage. */
export async function testDeps(opts: TestAppOptions = {}): Promise<TestDeps> {
  const { dir, remove } = await fileTempDir('adh-test-')
  const mediaDir = join(dir, 'media')
  const url = opts.db === 'memory' ? ':memory:' : `file:${join(dir, 'app.db')}`
  const { db, close } = opts.db === 'unenforced' ? await unenforcedDb(url) : await openLibsqlDb({ url })
  const deps: Deps = {
    db: opts.wrapDb ? opts.wrapDb(db) : db,
    blobs: blobStoreFor(opts.blobs, mediaDir),
    passwords: opts.passwords ?? testHasher,
    config: { ...DEFAULT_CONFIG, ...opts.config },
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.clientIp ? { clientIp: opts.clientIp } : {}),
  }
  // Closed (the database, the temp dir) by the test, or else when its file ends.
  const closeAll = untilFileEnds(async () => {
    close()
    await remove()
  })
  return { deps, dir, mediaDir, close: closeAll }
}

/** The database migrated as on a first start, then opened again with foreign keys off. */
async function unenforcedDb(url: string): Promise<{ db: Db; close: () => void }> {
  ;(await openLibsqlDb({ url })).close()
  // One connection, so the pragma holds for every statement (libSQL's engine turns them on by default).
  const client = createClient({ url, concurrency: 1 })
  await client.execute('PRAGMA foreign_keys = OFF')
  return { db: drizzle(client, { schema }) as unknown as Db, close: () => client.close() }
}

function blobStoreFor(kind: TestAppOptions['blobs'], mediaDir: string): BlobStore {
  if (typeof kind === 'function') return kind(mediaDir)
  // Not durable: fsync per file only slows tests down, and the temp dir dies with them.
  return kind === 'fs' ? fsBlobStore(mediaDir, { durable: false }) : memoryBlobStore()
}

/** The app on test deps, with helpers for accounts: answer requests with `app.request()`. */
export async function makeTestApp(opts: TestAppOptions = {}) {
  const t = await testDeps(opts)
  const { deps } = t
  const app = createApp(deps)
  let n = 0

  /** Creates an account (as `npm run createsuperuser` does for admins) with one API token. */
  async function createTestUser(username?: string, role: Role = 'uploader'): Promise<TestUser> {
    const name = username ?? `${role}${++n}${Math.random().toString(36).slice(2, 6)}`
    const password = `pw-${name}-secret`
    const user = await createUser(deps, { username: name, password, role })
    return { id: user.id, username: name, password, role, token: await tokenFor(user) }
  }

  /** A new API token of the user's. */
  async function tokenFor(user: { id: string }): Promise<string> {
    return (await createApiToken(deps, user.id, 'test')).token
  }

  /** Signs in through the API and returns the Cookie header value. */
  async function login(username: string, password: string): Promise<string> {
    const res = await app.request('/api/auth/login', { method: 'POST', ...json({ username, password }) })
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`)
    return (res.headers.get('set-cookie') ?? '').split(';')[0] ?? ''
  }

  return {
    ...t,
    app,
    createUser: createTestUser,
    tokenFor,
    login,
    /** The Authorization header of the user's token. */
    headersFor: async (user: Pick<TestUser, 'token'>) => ({ authorization: `Bearer ${user.token}` }),
  }
}

export type TestApp = Awaited<ReturnType<typeof makeTestApp>>

/**
 * The test app on a random 127.0.0.1 port. `client: true` mounts the built client (dist/client)
 * as entry.node.ts does, for browser tests.
 */
export async function startTestServer(opts: TestAppOptions & { client?: boolean } = {}) {
  const t = await makeTestApp(opts)
  if (opts.client) mountClient(t.app, CLIENT_DIR)
  const server = serve({ fetch: t.app.fetch, port: 0, hostname: '127.0.0.1' })
  if (!server.listening) await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    ...t,
    port,
    /** `http://127.0.0.1:<port>`, no trailing slash. */
    url: `http://127.0.0.1:${port}`,
    async close() {
      // Keep-alive connections (a browser's) would hold close() open until they time out.
      ;(server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await t.close()
    },
  }
}

export type TestServer = Awaited<ReturnType<typeof startTestServer>>

/** A JSON request body with its content type, for `app.request()` and `fetch()`. */
export const json = (body: unknown, headers: Record<string, string> = {}) => ({
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
})
