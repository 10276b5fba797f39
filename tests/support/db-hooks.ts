/**
 * A database that runs a test's code just before an INSERT reaches the real one: the way to put
 * another request's write (a movie deleted) between a service's check and its insert, without
 * sleeps. Pass it as `wrapDb` to makeTestApp.
 * @module
 */
import type { SQLiteTable } from 'drizzle-orm/sqlite-core'
import type { Db } from '../../db/types.ts'

/** What runs a statement besides awaiting it (`values` is not here: before it, it sets the values). */
const EXECUTE = new Set<PropertyKey>(['execute', 'run', 'all', 'get'])

/**
 * `db`, where every `insert(table)` statement first awaits `before(table)` when it is executed.
 * @example
 * wrapDb: (db) => beforeInsert(db, async (table) => { if (table === watchlist) await deleteMovie(deps, id) })
 */
export function beforeInsert(db: Db, before: (table: SQLiteTable) => Promise<void> | void): Db {
  const deferred = <T extends object>(builder: T, table: SQLiteTable): T =>
    new Proxy(builder, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target) as unknown
        if (typeof value !== 'function') return value
        const call = (args: unknown[]) => (value as (...a: unknown[]) => unknown).apply(target, args)
        if (prop === 'then') {
          // `await builder`: the hook, then the statement, settled into the awaiting handlers.
          return (...handlers: Parameters<Promise<unknown>['then']>) =>
            Promise.resolve(before(table))
              .then(() => call([]))
              .then(...handlers)
        }
        if (EXECUTE.has(prop)) {
          return (...args: unknown[]) => Promise.resolve(before(table)).then(() => call(args))
        }
        return (...args: unknown[]) => {
          const next = call(args)
          return next && typeof next === 'object' ? deferred(next, table) : next
        }
      },
    })
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop !== 'insert') return Reflect.get(target, prop, receiver)
      return (table: SQLiteTable) => deferred(target.insert(table), table)
    },
  })
}
