/**
 * libSQL driver: an embedded file (`file:data/app.db`, the default), `:memory:` for tests, or a
 * remote libSQL server over HTTP. Node only for `file:`; Workers import client.libsql-web.ts.
 * @module
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createClient } from '@libsql/client'
import { drizzle } from 'drizzle-orm/libsql'
import { migrate } from 'drizzle-orm/libsql/migrator'
import * as schema from './schema.ts'
import type { Db } from './types.ts'

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations', import.meta.url))

export interface LibsqlOptions {
  url: string
  authToken?: string
}

/**
 * Opens the database, creating the parent folder of a `file:` URL, and applies every pending
 * migration, so a first start on an empty machine just works.
 * @example const db = await openLibsqlDb({ url: 'file:data/app.db' })
 */
export async function openLibsqlDb(opts: LibsqlOptions): Promise<{ db: Db; close: () => void }> {
  if (opts.url.startsWith('file:')) {
    const path = opts.url.slice('file:'.length).split('?')[0] ?? ''
    if (path && path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  }
  const client = createClient({ url: opts.url, authToken: opts.authToken })
  if (opts.url.startsWith('file:') || opts.url === ':memory:') {
    // WAL lets readers stream segments' metadata while an upload commits; busy_timeout rides out
    // the short write locks instead of failing with SQLITE_BUSY.
    await client.execute('PRAGMA journal_mode = WAL')
    await client.execute('PRAGMA busy_timeout = 5000')
    // The embedded driver runs each statement on the event loop, so with the default FULL every
    // commit waited for an fsync of the WAL there (3.5 ms median, 40+ ms p99 on this machine's
    // disk): 100 progress saves a second stalled every other request (BENCHMARKS.md, "Progress").
    // NORMAL syncs at checkpoints only; in WAL mode that never corrupts the database, and what a
    // power cut (not a crash of the process) can lose is the last commits before it.
    await client.execute('PRAGMA synchronous = NORMAL')
  }
  await client.execute('PRAGMA foreign_keys = ON')
  const db = drizzle(client, { schema })
  await migrate(db, { migrationsFolder: MIGRATIONS_DIR })
  return { db: db as unknown as Db, close: () => client.close() }
}
