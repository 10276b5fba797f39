/**
 * Generation numbers: one-row tables that triggers move whenever something a process keeps in
 * memory may have stopped being true (auth_generation: sessions and accounts, migration 0005;
 * catalog_generation: what the catalog shows, migration 0007). A process reads the number before
 * it computes an answer, keeps the answer with it, and reuses the answer only while the number
 * is still the same: a change made by any process is seen by every other at its next request.
 * @module
 */
import { eq } from 'drizzle-orm'
import { authGeneration, catalogGeneration } from '../../db/schema.ts'
import type { Deps } from '../env.ts'

const TABLES = { auth: authGeneration, catalog: catalogGeneration }
export type Generation = keyof typeof TABLES

type Reader = { get(): Promise<{ n: number } | undefined> }

/** The queries, prepared once per database and generation: they run on every request that uses them. */
const readers = new WeakMap<Deps['db'], Map<Generation, Reader>>()

/** The current number of generation `name`. */
export async function readGeneration(deps: Deps, name: Generation): Promise<number> {
  let byName = readers.get(deps.db)
  if (!byName) {
    byName = new Map()
    readers.set(deps.db, byName)
  }
  let reader = byName.get(name)
  if (!reader) {
    const table = TABLES[name]
    reader = deps.db.select({ n: table.n }).from(table).where(eq(table.id, 1)).prepare()
    byName.set(name, reader)
  }
  return (await reader.get())?.n ?? 0
}
