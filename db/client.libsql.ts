/**
 * libSQL driver: an embedded file (`file:data/app.db`, the default), `:memory:` for tests, or a
 * remote libSQL server over HTTP. Node only for `file:`; Workers import client.libsql-web.ts.
 * @module
 */
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Client, createClient, type InStatement, type ResultSet } from '@libsql/client'
import { drizzle } from 'drizzle-orm/libsql'
import { migrate } from 'drizzle-orm/libsql/migrator'
import { embeddedClient } from './embedded.ts'
import * as schema from './schema.ts'
import type { Db } from './types.ts'

export const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations', import.meta.url))

export interface LibsqlOptions {
  url: string
  authToken?: string
  /** Told how long each statement took, by kind (`select`, `insert`, …): for metrics. */
  onQuery?: (kind: string, seconds: number) => void
}

/**
 * The embedded engine for `file:` and `:memory:` URLs (db/embedded.ts), each connection set up
 * the same way; null for a remote database.
 */
function embedded(url: string): Client | null {
  if (url !== ':memory:' && !url.startsWith('file:')) return null
  const path = url === ':memory:' ? ':memory:' : (url.slice('file:'.length).split('?')[0] ?? '')
  return embeddedClient(path, (run) => {
    // WAL lets readers (other requests, other server processes) go on while an upload commits;
    // busy_timeout rides out the short write locks of other processes instead of failing with
    // SQLITE_BUSY.
    run('PRAGMA journal_mode = WAL')
    run('PRAGMA busy_timeout = 5000')
    // The embedded engine runs each statement on the event loop, so with the default FULL every
    // commit waited for an fsync of the WAL there (3.5 ms median, 40+ ms p99 on this machine's
    // disk): 100 progress saves a second stalled every other request (BENCHMARKS.md, "Progress").
    // NORMAL syncs at checkpoints only; in WAL mode that never corrupts the database, and what a
    // power cut (not a crash of the process) can lose is the last commits before it.
    run('PRAGMA synchronous = NORMAL')
    run('PRAGMA foreign_keys = ON')
  })
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
  const client = embedded(opts.url) ?? createClient({ url: opts.url, authToken: opts.authToken })
  if (opts.onQuery) timeStatements(client, opts.onQuery)
  // Embedded connections set it themselves (above). Over HTTP it lasts this one statement: each
  // statement runs on a new connection, which is why the services spell out their cascades.
  await client.execute('PRAGMA foreign_keys = ON')
  const db = drizzle(client, { schema })
  await migrate(db, { migrationsFolder: MIGRATIONS_DIR })
  return { db: db as unknown as Db, close: () => client.close() }
}

const KINDS = new Set(['select', 'insert', 'update', 'delete'])

/** Wraps `execute` (every statement drizzle runs outside batches) with a timer. */
function timeStatements(client: Client, onQuery: (kind: string, seconds: number) => void): void {
  const execute = client.execute.bind(client) as (stmt: InStatement) => Promise<ResultSet>
  client.execute = (async (stmt: InStatement) => {
    const started = performance.now()
    try {
      return await execute(stmt)
    } finally {
      const text = typeof stmt === 'string' ? stmt : stmt.sql
      const word = /^\s*(\w+)/.exec(text)?.[1]?.toLowerCase() ?? ''
      onQuery(KINDS.has(word) ? word : 'other', (performance.now() - started) / 1000)
    }
  }) as Client['execute']
}
