/**
 * A real Node server for browser tests: the app built like server/entry.node.ts does (libSQL file,
 * media on disk, the built client mounted), listening on a random loopback port.
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { serve } from '@hono/node-server'
import { openLibsqlDb } from '../../db/client.libsql.ts'
import type { Role } from '../../db/schema.ts'
import { createApp } from '../../server/app.ts'
import { createPasswordHasher } from '../../server/auth/password.ts'
import { nodeScrypt } from '../../server/auth/scrypt.node.ts'
import { createApiToken } from '../../server/auth/tokens.ts'
import { DEFAULT_CONFIG, type Deps } from '../../server/env.ts'
import { createUser } from '../../server/services/users.ts'
import { mountClient } from '../../server/static.node.ts'
import { fsBlobStore } from '../../server/storage/fs.ts'
import { CLIENT_DIR } from '../setup/build-client.ts'

export interface E2EUser {
  id: string
  username: string
  password: string
  role: Role
  /** A bearer token, for API calls the test makes itself. */
  token: string
}

export interface E2EServer {
  url: string
  deps: Deps
  createUser(role?: Role, username?: string): Promise<E2EUser>
  close(): Promise<void>
}

export async function startServer(opts: { clientDir?: string } = {}): Promise<E2EServer> {
  const dir = await mkdtemp(join(tmpdir(), 'adh-e2e-'))
  const { db, close: closeDb } = await openLibsqlDb({ url: `file:${join(dir, 'app.db')}` })
  const deps: Deps = {
    db,
    // Not durable: fsync per segment only slows tests down, and the temp dir dies with them.
    blobs: fsBlobStore(join(dir, 'media'), { durable: false }),
    // Cheap scrypt parameters keep sign-ins fast; format and code path are the production ones.
    passwords: createPasswordHasher(nodeScrypt, { ln: 10, r: 8, p: 1 }),
    config: { ...DEFAULT_CONFIG },
  }
  const app = createApp(deps)
  mountClient(app, opts.clientDir ?? CLIENT_DIR)
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' })
  await new Promise<void>((resolve) => server.once('listening', () => resolve()))
  const { port } = server.address() as AddressInfo
  let n = 0

  return {
    url: `http://127.0.0.1:${port}`,
    deps,
    async createUser(role: Role = 'uploader', username?: string) {
      const name = username ?? `${role}${++n}`
      const password = `pw-${name}-e2e-secret`
      const user = await createUser(deps, { username: name, password, role })
      const { token } = await createApiToken(deps, user.id, 'e2e')
      return { id: user.id, username: name, password, role, token }
    },
    async close() {
      // Keep-alive connections from the browser would hold close() open; end them.
      ;(server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      closeDb()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
