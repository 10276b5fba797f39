/**
 * One error shape for the whole API: RFC 9457 `application/problem+json`
 * (`type, title, status, detail`, plus `errors` for validation), never a stack trace.
 * @module
 */
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { AppEnv } from '../env.ts'
import { consoleLogger } from './log.ts'

export interface FieldError {
  /** Dotted path of the offending field, e.g. `name` or `query.limit`. */
  field: string
  message: string
}

export interface ProblemBody {
  type: string
  title: string
  status: number
  detail: string
  errors?: FieldError[]
  [extra: string]: unknown
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  411: 'Length Required',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
}

/**
 * A coded domain error; `app.onError` renders it as problem+json. Errors raised in more than one
 * place have a factory in errors.ts.
 * @example throw new ApiError(409, 'already-published', 'The movie is already published.')
 */
export class ApiError extends HTTPException {
  readonly code: string
  readonly detail: string
  readonly extra: Record<string, unknown>
  readonly headers: Record<string, string>

  constructor(
    status: ContentfulStatusCode,
    code: string,
    detail: string,
    extra: Record<string, unknown> & { errors?: FieldError[] } = {},
    headers: Record<string, string> = {},
  ) {
    super(status, { message: detail })
    this.code = code
    this.detail = detail
    this.extra = extra
    this.headers = headers
  }
}

export function problemBody(
  status: number,
  code: string,
  detail: string,
  extra: Record<string, unknown> = {},
): ProblemBody {
  return {
    type: `/problems/${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    ...extra,
  }
}

export function problemResponse(body: ProblemBody, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status: body.status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  })
}

/** The request's id as a problem's `instance` (RFC 9457: this occurrence), when it has one. */
export const instanceOf = (c: Context): { instance?: string } => {
  const id = (c as Context<AppEnv>).get('requestId')
  return id ? { instance: id } : {}
}

const fallbackLog = consoleLogger('warn')

/**
 * Renders any thrown error, with the request's id as `instance`. Unknown errors are logged and
 * reported without internals.
 */
export function renderError(err: unknown, c: Context): Response {
  if (err instanceof ApiError) {
    return problemResponse(
      problemBody(err.status, err.code, err.detail, { ...err.extra, ...instanceOf(c) }),
      err.headers,
    )
  }
  if (err instanceof HTTPException) {
    const res = err.getResponse()
    const code = err.status === 400 ? 'bad-request' : slug(TITLES[err.status] ?? 'error')
    const detail = err.message || TITLES[err.status] || 'Request failed'
    const headers: Record<string, string> = {}
    const auth = res.headers.get('www-authenticate')
    if (auth) headers['www-authenticate'] = auth
    return problemResponse(problemBody(err.status, code, detail, instanceOf(c)), headers)
  }
  const log = (c as Context<AppEnv>).get('deps')?.log ?? fallbackLog
  log.error(
    { err, reqId: (c as Context<AppEnv>).get('requestId'), method: c.req.method, path: c.req.path },
    'unhandled error',
  )
  return problemResponse(
    problemBody(500, 'internal', 'Something went wrong on the server; it has been logged.', instanceOf(c)),
  )
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-')
