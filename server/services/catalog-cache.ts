/**
 * The catalog's answers to anonymous callers, kept per process. Everyone who is not signed in
 * gets the same JSON for the same query (no list, no progress), and the catalog changes far less
 * often than it is read, so an answer is computed once and reused while the catalog generation
 * (moved by triggers on every change the JSON could show: migration 0007) stays the one read
 * before it was made. That costs one primary-key read per request instead of the list's queries
 * and the JSON building, and a change in any process is seen by every other at its next request.
 * Signed-in callers always get a fresh answer: theirs carries their list and progress.
 * @module
 */
import type { AuthUser, Deps } from '../env.ts'
import type { Runtime } from '../runtime.ts'
import { readGeneration } from './generations.ts'

/** `make()`'s answer, or the one it gave an anonymous caller for the same `key` in this catalog generation. */
export async function forAnyone<T>(
  deps: Deps,
  runtime: Runtime,
  user: AuthUser | null,
  key: string,
  make: () => Promise<T>,
): Promise<T> {
  if (user) return make()
  const generation = await readGeneration(deps, 'catalog')
  const kept = runtime.catalog.get(key)
  if (kept && kept.generation === generation) return kept.value as T
  const value = await make()
  runtime.catalog.set(key, { generation, value })
  return value
}
