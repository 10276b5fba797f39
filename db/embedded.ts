/**
 * The embedded database for the Node server (`file:` URLs and `:memory:`), as a client drizzle's
 * libSQL driver accepts, on the same engine @libsql/client uses (the `libsql` package) but
 * without its per-statement costs, which made up most of a catalog request (BENCHMARKS.md,
 * "Catalog"): @libsql/client prepares every statement again on every call, reads every integer
 * as a BigInt, and builds each row with two `Object.defineProperty` per column. Here statements
 * are prepared once and kept (keyed by their SQL, which drizzle builds the same way each time),
 * and rows come back as plain arrays, which is all drizzle's query builder reads.
 *
 * Rows are arrays only: `db.all(sql\`…\`)` gives `{ 0: …, 1: … }` objects rather than named
 * columns. Integers beyond 2^53 are not represented exactly (ours are ids, counts, sizes and
 * millisecond times).
 * @module
 */
import type { Client, InArgs, InStatement, ResultSet, Transaction, TransactionMode } from '@libsql/client'
import Database from 'libsql'

type Statement = Database.Statement
type Value = null | number | string | bigint | Uint8Array

/** Statements kept per connection; far more than the app's distinct queries. */
const MAX_STATEMENTS = 2000

class Connection {
  readonly db: Database.Database
  readonly #statements = new Map<string, { stmt: Statement; reader: boolean; columns: string[] }>()

  constructor(path: string) {
    this.db = new Database(path)
  }

  prepared(sql: string) {
    let hit = this.#statements.get(sql)
    if (!hit) {
      const stmt = this.db.prepare(sql)
      const reader = stmt.reader
      if (reader) stmt.raw(true)
      hit = { stmt, reader, columns: reader ? stmt.columns().map((c: { name: string }) => c.name) : [] }
      if (this.#statements.size >= MAX_STATEMENTS) this.#statements.clear()
      this.#statements.set(sql, hit)
    }
    return hit
  }

  execute(input: InStatement, extra?: InArgs): ResultSet {
    const sql = typeof input === 'string' ? input : input.sql
    const args = toArgs(typeof input === 'string' ? extra : input.args)
    const { stmt, reader, columns } = this.prepared(sql)
    if (reader) {
      const rows = stmt.all(args) as unknown[][]
      return result(columns, rows, 0, undefined)
    }
    const info = stmt.run(args) as { changes: number; lastInsertRowid: number | bigint }
    return result([], [], info.changes, BigInt(info.lastInsertRowid))
  }

  /** Runs statements in one transaction; rolls back and rethrows on the first failure. */
  batch(stmts: InStatement[], mode: TransactionMode = 'deferred'): ResultSet[] {
    this.db.exec(mode === 'write' ? 'BEGIN IMMEDIATE' : mode === 'read' ? 'BEGIN' : 'BEGIN DEFERRED')
    try {
      const out = stmts.map((s) => this.execute(s))
      this.db.exec('COMMIT')
      return out
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK')
      throw err
    }
  }
}

function toArgs(args: InArgs | undefined): Value[] | Record<string, Value> {
  if (args === undefined) return []
  if (Array.isArray(args)) return args.map(toValue)
  const out: Record<string, Value> = {}
  for (const [k, v] of Object.entries(args)) out[/^[@$:]/.test(k) ? k.slice(1) : k] = toValue(v)
  return out
}

function toValue(v: unknown): Value {
  if (typeof v === 'boolean') return v ? 1 : 0
  if (v instanceof Date) return v.valueOf()
  if (v instanceof ArrayBuffer) return new Uint8Array(v)
  if (v === undefined) throw new TypeError('undefined cannot be passed as argument to the database')
  return v as Value
}

function result(
  columns: string[],
  rows: unknown[][],
  rowsAffected: number,
  lastInsertRowid: bigint | undefined,
): ResultSet {
  return {
    columns,
    columnTypes: columns.map(() => ''),
    rows: rows as unknown as ResultSet['rows'],
    rowsAffected,
    lastInsertRowid,
    toJSON: () => ({ columns, rows, rowsAffected, lastInsertRowid: lastInsertRowid?.toString() }),
  }
}

/**
 * A client over one embedded database file. Statements run synchronously (as with @libsql/client's
 * embedded mode) and resolve at once.
 * @example const db = drizzle(embeddedClient('data/app.db'))
 */
export function embeddedClient(path: string, setup: (run: (sql: string) => void) => void = () => {}): Client {
  const open = () => {
    const c = new Connection(path)
    setup((sql) => c.db.exec(sql))
    return c
  }
  let main: Connection | null = open()
  const conn = () => {
    main ??= open()
    return main
  }
  let closed = false
  const client = {
    protocol: 'file',
    get closed() {
      return closed
    },
    async execute(stmt: InStatement, args?: InArgs) {
      return conn().execute(stmt, args)
    },
    async batch(stmts: InStatement[], mode?: TransactionMode) {
      return conn().batch(stmts, mode)
    },
    async migrate(stmts: InStatement[]) {
      const c = conn()
      c.db.exec('PRAGMA foreign_keys = OFF')
      try {
        return c.batch(stmts, 'deferred')
      } finally {
        c.db.exec('PRAGMA foreign_keys = ON')
      }
    },
    async transaction(mode: TransactionMode = 'deferred'): Promise<Transaction> {
      // The transaction takes this connection; later statements outside it open a new one, so
      // they never land inside it.
      const c = conn()
      main = null
      c.db.exec(mode === 'write' ? 'BEGIN IMMEDIATE' : mode === 'read' ? 'BEGIN' : 'BEGIN DEFERRED')
      let done = false
      const finish = (sql: string) => {
        if (done) return
        done = true
        try {
          if (c.db.inTransaction) c.db.exec(sql)
        } finally {
          c.db.close()
        }
      }
      return {
        execute: async (s: InStatement) => c.execute(s),
        batch: async (s: InStatement[]) => s.map((x) => c.execute(x)),
        executeMultiple: async (sql: string) => {
          c.db.exec(sql)
        },
        commit: async () => finish('COMMIT'),
        rollback: async () => finish('ROLLBACK'),
        close: () => finish('ROLLBACK'),
        get closed() {
          return done
        },
      } as unknown as Transaction
    },
    async executeMultiple(sql: string) {
      conn().db.exec(sql)
    },
    async sync() {
      return undefined
    },
    close() {
      if (closed) return
      closed = true
      main?.db.close()
      main = null
    },
  }
  return client as unknown as Client
}
