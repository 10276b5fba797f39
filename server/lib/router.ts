/**
 * Router factory: every resource router validates with zod and reports failures in the one
 * problem+json shape, naming each invalid field.
 * @module
 */
import { OpenAPIHono } from '@hono/zod-openapi'
import type { ZodError } from 'zod'
import type { AppEnv } from '../env.ts'
import { validationFailed } from './errors.ts'
import type { FieldError } from './problem.ts'

export function zodFieldErrors(error: ZodError, target?: string): FieldError[] {
  const out: FieldError[] = []
  for (const issue of error.issues) {
    const base = issue.path.map(String).join('.')
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({ field: base ? `${base}.${key}` : key, message: 'Unknown field' })
      }
      continue
    }
    const field = base || (target === 'json' ? '(body)' : target || '(input)')
    out.push({ field, message: issue.message })
  }
  return out
}

export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (result.success) return
      const where = result.target === 'json' ? 'body' : result.target
      // Thrown, not returned: app.onError renders it like every other problem (with `instance`).
      throw validationFailed(where, zodFieldErrors(result.error as ZodError, result.target))
    },
  })
}

export type Router = ReturnType<typeof createRouter>
