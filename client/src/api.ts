/**
 * The HTTP API, typed by the server's own routes: `api` is hono's client on the app's type, so a
 * renamed field or route breaks the build rather than a page. `call()` turns an answer into its
 * body, or into an `ApiError` whose `message` can be shown to a person as is: the problem+json
 * `detail` when the server sent one, a plain sentence otherwise.
 *
 * @example
 * const movie = await call(api.movies[':id'].$get({ param: { id } }))
 * @module
 */
import { type ClientResponse, hc, type InferRequestType, type InferResponseType } from 'hono/client'
// Type only: nothing of the server is bundled but the one hash helper below.
import type { App } from '../../server/app.ts'
import { sha256Hex } from '../../server/lib/crypto.ts'

export { sha256Hex }

/** Every route under /api, e.g. `api.movies[':id'].$get({ param: { id } })`. */
export const api = hc<App>('/', { headers: { accept: 'application/json' } }).api

/** What `GET /api/movies` takes: limit, cursor, q, sort, status, active, mine. */
export type MovieQuery = InferRequestType<typeof api.movies.$get>['query']
export type Movie = InferResponseType<(typeof api.movies)[':id']['$get'], 200>
/** A movie as lists carry it (`GET /api/movies`): no renditions, `maxHeight` instead. */
export type MovieSummary = InferResponseType<typeof api.movies.$get, 200>['items'][number]
export type MovieStatus = Movie['status']
export type Rendition = Movie['renditions'][number]
export type User = InferResponseType<typeof api.auth.me.$get, 200>['user']
export type Role = User['role']
export type ApiToken = InferResponseType<typeof api.auth.tokens.$get, 200>['items'][number]

/** An episode's place in its series: `movie.nextEpisode`, `movie.previousEpisode`. */
export type EpisodeRef = NonNullable<Movie['nextEpisode']>
/** The caller's own progress on a movie: `movie.progress`, GET/PUT /api/me/progress/:movieId. */
export type Progress = InferResponseType<(typeof api.me.progress)[':movieId']['$get'], 200>
/** What `GET /api/series` takes: limit, cursor, q, mine. */
export type SeriesQuery = InferRequestType<typeof api.series.$get>['query']
/** A series as lists show it: episode count, seasons, poster, the next episode to watch. */
export type Series = InferResponseType<typeof api.series.$get, 200>['items'][number]
/** A series with its episodes in order (`GET /api/series/:id`). */
export type SeriesDetail = InferResponseType<(typeof api.series)[':id']['$get'], 200>
export type Season = Series['seasons'][number]
/** `series.next`: the episode to watch next, with the caller's progress on it. */
export type NextEpisode = NonNullable<Series['next']>
/** One entry of My list: `{ kind: 'movie', movie }` or `{ kind: 'series', series }`. */
export type WatchlistItem = InferResponseType<typeof api.me.watchlist.$get, 200>['items'][number]
/** One entry of the "Continue watching" row (`GET /api/me/continue`). */
export type ContinueItem = InferResponseType<typeof api.me.continue.$get, 200>['items'][number]
/** One entry of the history (`GET /api/me/progress`): the progress with its movie. */
export type ProgressItem = InferResponseType<typeof api.me.progress.$get, 200>['items'][number]
export type Preferences = InferResponseType<typeof api.me.preferences.$get, 200>
/** What the sign-up page asks first (`GET /api/auth/signup?invite=…`). */
export type SignupInfo = InferResponseType<typeof api.auth.signup.$get, 200>
export type Invite = InferResponseType<typeof api.invites.$get, 200>['items'][number]
/** A new invite: its secret and sign-up path are in this answer only. */
export type NewInvite = InferResponseType<typeof api.invites.$post, 201>

export interface FieldError {
  field: string
  message: string
}

/** A failed call: HTTP status (0 when the server could not be reached) and the problem details. */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  /** problem+json `type`, e.g. `/problems/movie-too-large`; '' when the server sent none. */
  readonly type: string
  readonly title: string
  /** The server's own words (problem+json `detail` or `title`), or null when it gave none. */
  readonly detail: string | null
  readonly errors: FieldError[]
  /** Seconds the server asked us to wait (Retry-After), if it did. */
  readonly retryAfter: number | null

  constructor(
    readonly status: number,
    message: string,
    problem: {
      type?: string
      title?: string
      detail?: string | null
      errors?: FieldError[]
      retryAfter?: number | null
    } = {},
  ) {
    super(message)
    this.type = problem.type ?? ''
    this.title = problem.title ?? ''
    this.detail = problem.detail ?? null
    this.errors = problem.errors ?? []
    this.retryAfter = problem.retryAfter ?? null
  }

  /** Worth trying again by itself: the network, a busy or failing server, rate limiting. */
  get transient(): boolean {
    const s = this.status
    return s === 0 || s === 408 || s === 425 || s === 429 || s >= 500
  }

  /** The message for one form field, if the server named it. */
  fieldError(field: string): string | undefined {
    return this.errors.find((e) => e.field === field || e.field.endsWith(`.${field}`))?.message
  }
}

/** The server could not be reached at all (fetch or XHR failed without an answer). */
export const unreachable = () =>
  new ApiError(0, 'Cannot reach the server. Check your connection and try again.', {
    title: 'Network error',
  })

const FALLBACK: Record<number, string> = {
  401: 'You need to sign in first.',
  403: 'Your account is not allowed to do that.',
  404: 'It is not there any more.',
  413: 'That file is too large.',
  429: 'Too many attempts. Wait a little and try again.',
}

function retryAfterSeconds(value: string | null): number | null {
  if (!value) return null
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, seconds)
  const date = Date.parse(value)
  return Number.isNaN(date) ? null : Math.max(0, (date - Date.now()) / 1000)
}

/**
 * The one reading of a failed answer, for fetch and XHR alike: the problem+json fields when the
 * body is one, a plain sentence for the status otherwise.
 * @param headers anything with `get(name)`: a Response's Headers, or a wrapper around an XHR.
 */
export function problemError(
  status: number,
  headers: { get(name: string): string | null },
  body: string,
  statusText = '',
): ApiError {
  const retryAfter = retryAfterSeconds(headers.get('retry-after'))
  if ((headers.get('content-type') ?? '').includes('json')) {
    try {
      const p = JSON.parse(body) as { detail?: string; title?: string; errors?: FieldError[]; type?: string }
      const said = p.detail || p.title || null
      // A title alone is a status phrase ("Service Unavailable"): our sentence for the status says more.
      const known = status >= 500 || status in FALLBACK
      const message = p.detail || (known ? null : p.title) || fallback(status, statusText)
      return new ApiError(status, message, {
        type: p.type ?? '',
        title: p.title ?? '',
        detail: said,
        errors: Array.isArray(p.errors) ? p.errors : [],
        retryAfter,
      })
    } catch {
      // not JSON after all: a sentence for the status
    }
  }
  return new ApiError(status, fallback(status, statusText), { title: statusText, retryAfter })
}

function fallback(status: number, statusText: string): string {
  return (
    FALLBACK[status] ??
    (status >= 500
      ? `The server had a problem (${status}). Try again in a moment.`
      : `The server answered ${status}${statusText ? ` ${statusText}` : ''}.`)
  )
}

/** What a successful answer carries: the JSON body, or undefined for one without a body. */
type Body<R> =
  R extends ClientResponse<infer T, infer S, infer F>
    ? S extends 200 | 201 | 202 | 203
      ? F extends 'json'
        ? T
        : undefined
      : S extends 204
        ? undefined
        : never
    : never

/**
 * Awaits one call of `api`: resolves with the body of a 2xx answer, rejects with ApiError
 * (status 0 when the server cannot be reached). An aborted call rejects with the abort's reason.
 */
export async function call<R extends ClientResponse<unknown, number, 'json' | 'text' | string>>(
  pending: Promise<R>,
): Promise<Body<R>> {
  let res: R
  try {
    res = await pending
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err
    throw unreachable()
  }
  if (!res.ok) throw problemError(res.status, res.headers, await res.text(), res.statusText)
  if (res.status === 204) return undefined as Body<R>
  return (await res.json()) as Body<R>
}

/**
 * One page of the catalog as the list pages ask for it: after `cursor` (null for the first page),
 * searching for `q` unless it is blank. Cancelled with `signal` when a newer query replaces it.
 */
export function listMovies(
  query: Omit<MovieQuery, 'cursor' | 'q'> & { cursor: string | null; q: string },
  signal: AbortSignal,
) {
  const { cursor, q, ...rest } = query
  const shaped = { ...rest, cursor: cursor ?? undefined, q: q.trim() || undefined }
  return call(api.movies.$get({ query: shaped }, { init: { signal } }))
}

/** Stores one file of a movie (e.g. `poster.jpg`), hash-checked by the server. */
export async function putFile(movieId: string, path: string, file: Blob) {
  const bytes = new Uint8Array(await file.arrayBuffer())
  return call(
    api.movies[':id'].files[':path{.+}'].$put(
      { param: { id: movieId, path } },
      {
        headers: {
          'content-type': file.type || 'application/octet-stream',
          'x-content-sha256': await sha256Hex(bytes),
        },
        init: { body: bytes },
      },
    ),
  )
}

/** The message to show for any thrown value. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message
  return String(err)
}
