/**
 * Work a request starts that its answer need not wait for: removing a deleted movie's files.
 * @module
 */
import type { Context, ExecutionContext } from 'hono'
import type { AppEnv } from '../env.ts'
import { consoleLogger } from './log.ts'

/**
 * Runs `work` now or after the answer; resolves when the caller may go on. `failure` is what the
 * log says if work that outlived the answer fails.
 */
export type Later = (work: () => Promise<void>, failure: string) => Promise<void>

/** Awaits the work before the answer: where the request has no execution context (Node, tests). */
export const rightAway: Later = (work) => work()

/**
 * Where the runtime lets work outlive the answer (Workers: `ctx.waitUntil`), it runs after the
 * answer, and a failure is logged rather than turned into a 500 for something already done;
 * elsewhere (Node) it is awaited first, as before.
 * @example await deleteMovie(deps, id, afterResponse(c))
 */
export function afterResponse(c: Context<AppEnv>): Later {
  const ctx = executionContext(c)
  if (!ctx) return rightAway
  const log = c.var.deps.log ?? consoleLogger('warn')
  return async (work, failure) => {
    ctx.waitUntil(work().catch((err: unknown) => log.error({ err, reqId: c.get('requestId') }, failure)))
  }
}

function executionContext(c: Context): ExecutionContext | null {
  try {
    // Hono's getter throws where the runtime gave none.
    return c.executionCtx
  } catch {
    return null
  }
}
