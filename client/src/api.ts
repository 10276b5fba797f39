/**
 * Typed access to the HTTP API. Every failure becomes an `ApiError` whose `message` can be shown
 * to a person as is: the problem+json `detail` when the server sent one, a plain sentence otherwise.
 * @module
 */

// The server's own types, so the client cannot drift from what the API sends (type-only: nothing is bundled).
import type { MovieStatus, Role } from '../../db/schema.ts'
import type { MovieJson, Rendition } from '../../server/routes/movies/movies.schemas.ts'
import type { UserJson } from '../../server/routes/users/users.schemas.ts'

export type { MovieStatus, Rendition, Role }
export type Movie = MovieJson
export type User = UserJson

export interface Page<T> {
  items: T[]
  nextCursor: string | null
}

export interface ApiToken {
  id: string
  name: string
  prefix: string
  createdAt: string
  lastUsedAt: string | null
}

export interface FieldError {
  field: string
  message: string
}

/** A failed call: HTTP status (0 when the server could not be reached) and the problem details. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly title = '',
    readonly errors: FieldError[] = [],
    readonly type = '',
  ) {
    super(message)
    this.name = 'ApiError'
  }

  /** The message for one form field, if the server named it. */
  fieldError(field: string): string | undefined {
    return this.errors.find((e) => e.field === field || e.field.endsWith(`.${field}`))?.message
  }
}

const FALLBACK: Record<number, string> = {
  401: 'You need to sign in first.',
  403: 'Your account is not allowed to do that.',
  404: 'It is not there any more.',
  413: 'That file is too large.',
  429: 'Too many attempts. Wait a little and try again.',
}

async function toError(res: Response): Promise<ApiError> {
  const type = res.headers.get('content-type') ?? ''
  if (type.includes('json')) {
    try {
      const body = (await res.json()) as {
        detail?: string
        title?: string
        errors?: FieldError[]
        type?: string
      }
      const message =
        body.detail || body.title || FALLBACK[res.status] || `The server answered ${res.status}.`
      return new ApiError(res.status, message, body.title ?? '', body.errors ?? [], body.type ?? '')
    } catch {
      // fall through to the generic message
    }
  }
  const message =
    FALLBACK[res.status] ??
    (res.status >= 500
      ? `The server had a problem (${res.status}). Try again in a moment.`
      : `The server answered ${res.status} ${res.statusText}.`)
  return new ApiError(res.status, message, res.statusText)
}

export interface RequestOptions {
  json?: unknown
  body?: BodyInit
  headers?: Record<string, string>
  signal?: AbortSignal
  query?: Record<string, string | number | boolean | null | undefined>
}

/** One API call. Resolves with the parsed JSON body (or undefined for 204), rejects with ApiError. */
export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  let url = path
  if (opts.query) {
    const params = new URLSearchParams()
    for (const [k, v] of Object.entries(opts.query)) {
      if (v !== undefined && v !== null && v !== '') params.set(k, String(v))
    }
    const qs = params.toString()
    if (qs) url += `?${qs}`
  }
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers }
  let body = opts.body
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json'
    body = JSON.stringify(opts.json)
  }
  let res: Response
  try {
    res = await fetch(url, {
      method,
      headers,
      body: body ?? null,
      credentials: 'same-origin',
      ...(opts.signal ? { signal: opts.signal } : {}),
    })
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err
    throw new ApiError(0, 'Cannot reach the server. Check your connection and try again.', 'Network error')
  }
  if (!res.ok) throw await toError(res)
  if (res.status === 204) return undefined as T
  return (await res.json()) as T
}

export interface ListMoviesQuery {
  limit?: number
  cursor?: string | null
  q?: string
  sort?: 'newest' | 'oldest' | 'name'
  status?: MovieStatus
  active?: boolean
  mine?: boolean
}

async function sha256Hex(data: ArrayBuffer): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', data)
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('')
}

const enc = encodeURIComponent

export const api = {
  movies: {
    list: (query: ListMoviesQuery = {}, signal?: AbortSignal) =>
      request<Page<Movie>>('GET', '/api/movies', {
        query: { ...query, q: query.q?.trim() || undefined },
        ...(signal ? { signal } : {}),
      }),
    get: (id: string) => request<Movie>('GET', `/api/movies/${enc(id)}`),
    update: (id: string, patch: Partial<Pick<Movie, 'name' | 'description' | 'active'>>) =>
      request<Movie>('PATCH', `/api/movies/${enc(id)}`, { json: patch }),
    remove: (id: string) => request<void>('DELETE', `/api/movies/${enc(id)}`),
    /** Stores one file of the movie (e.g. `poster.jpg`), hash-checked by the server. */
    async putFile(id: string, path: string, file: Blob): Promise<unknown> {
      const bytes = await file.arrayBuffer()
      return request('PUT', `/api/movies/${enc(id)}/files/${path.split('/').map(enc).join('/')}`, {
        body: bytes,
        headers: {
          'content-type': file.type || 'application/octet-stream',
          'x-content-sha256': await sha256Hex(bytes),
        },
      })
    },
  },
  auth: {
    /** The signed-in user, or null. */
    async me(): Promise<User | null> {
      try {
        return (await request<{ user: User }>('GET', '/api/auth/me')).user
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return null
        throw err
      }
    },
    login: async (username: string, password: string) =>
      (await request<{ user: User }>('POST', '/api/auth/login', { json: { username, password } })).user,
    logout: () => request<void>('POST', '/api/auth/logout'),
    changePassword: (currentPassword: string, newPassword: string) =>
      request<void>('POST', '/api/auth/password', { json: { currentPassword, newPassword } }),
    tokens: async () => (await request<{ items: ApiToken[] }>('GET', '/api/auth/tokens')).items,
    createToken: (name: string) =>
      request<ApiToken & { token: string }>('POST', '/api/auth/tokens', { json: { name } }),
    revokeToken: (id: string) => request<void>('DELETE', `/api/auth/tokens/${enc(id)}`),
  },
  users: {
    list: async () => (await request<{ items: User[] }>('GET', '/api/users')).items,
    create: (input: { username: string; password: string; role: Role }) =>
      request<User>('POST', '/api/users', { json: input }),
    update: (id: string, patch: { password?: string; role?: Role; active?: boolean }) =>
      request<User>('PATCH', `/api/users/${enc(id)}`, { json: patch }),
  },
}

/** The message to show for any thrown value. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message
  if (err instanceof Error) return err.message
  return String(err)
}
