/**
 * Test fixtures: the real app on a real libSQL file in a temp dir, with users of each role.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openLibsqlDb } from '../db/client.libsql.ts'
import type { Role } from '../db/schema.ts'
import { createApp } from '../server/app.ts'
import { createPasswordHasher } from '../server/auth/password.ts'
import { nodeScrypt } from '../server/auth/scrypt.node.ts'
import { createApiToken } from '../server/auth/tokens.ts'
import { type AppConfig, DEFAULT_CONFIG, type Deps } from '../server/env.ts'
import { createUser } from '../server/services/users.ts'
import type { BlobStore } from '../server/storage/blob-store.ts'
import { memoryBlobStore } from '../server/storage/memory.ts'

export interface TestUser {
  id: string
  username: string
  password: string
  role: Role
}

export interface TestAppOptions {
  /** Defaults to a memory store; pass a factory to use another (e.g. fsBlobStore(dir)). */
  blobs?: (dir: string) => BlobStore
  config?: Partial<AppConfig>
  now?: () => number
}

// Cheap scrypt parameters keep the suite fast; the format and code path are the production ones.
const testHasher = createPasswordHasher(nodeScrypt, { ln: 10, r: 8, p: 1 })

export async function makeTestApp(opts: TestAppOptions = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'adh-test-'))
  const { db, close } = await openLibsqlDb({ url: `file:${join(dir, 'app.db')}` })
  const deps: Deps = {
    db,
    blobs: opts.blobs ? opts.blobs(join(dir, 'media')) : memoryBlobStore(),
    passwords: testHasher,
    config: { ...DEFAULT_CONFIG, ...opts.config },
    ...(opts.now ? { now: opts.now } : {}),
  }
  const app = createApp(deps)
  let n = 0

  async function createTestUser(username?: string, role: Role = 'uploader'): Promise<TestUser> {
    const name = username ?? `user${++n}${Math.random().toString(36).slice(2, 6)}`
    const password = `pw-${name}-secret`
    const user = await createUser(deps, { username: name, password, role })
    return { id: user.id, username: name, password, role }
  }

  /** Signs in through the API and returns the Cookie header value. */
  async function login(username: string, password: string): Promise<string> {
    const res = await app.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    })
    if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`)
    const cookie = res.headers.get('set-cookie') ?? ''
    return cookie.split(';')[0] ?? ''
  }

  async function tokenFor(user: { id: string }): Promise<string> {
    return (await createApiToken(deps, user.id, 'test')).token
  }

  async function headersFor(user: { id: string }): Promise<Record<string, string>> {
    return { authorization: `Bearer ${await tokenFor(user)}` }
  }

  return {
    app,
    deps,
    dir,
    createUser: createTestUser,
    login,
    tokenFor,
    headersFor,
    cleanup() {
      close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

export type TestApp = Awaited<ReturnType<typeof makeTestApp>>

export const json = (body: unknown, headers: Record<string, string> = {}) => ({
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
})
