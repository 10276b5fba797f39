/** @module Sending one file to `PUT /api/movies/:id/files/<path>`, with byte progress. */

/** A failed PUT: HTTP status (0 when the server could not be reached) and the server's problem details. */
export class UploadHttpError extends Error {
  override readonly name = 'UploadHttpError'
  constructor(
    readonly status: number,
    message: string,
    /** problem+json `type`, e.g. a URL ending in "movie-too-large". */
    readonly type = '',
    /** Seconds the server asked us to wait (Retry-After), if it did. */
    readonly retryAfter: number | null = null,
  ) {
    super(message)
  }

  /** Worth trying again by itself: the network, a busy or failing server, rate limiting. */
  get transient(): boolean {
    return (
      this.status === 0 ||
      this.status === 408 ||
      this.status === 425 ||
      this.status === 429 ||
      this.status >= 500
    )
  }
}

export interface PutRequest {
  url: string
  bytes: Uint8Array
  sha256: string
  contentType: string
  /** Bytes of the body sent so far. */
  onProgress?: (sent: number) => void
  signal?: AbortSignal
}

/** Sends one file; resolves on 2xx, rejects with UploadHttpError (or the signal's reason). */
export type Transport = (request: PutRequest) => Promise<void>

function retryAfterSeconds(value: string | null): number | null {
  if (!value) return null
  const seconds = Number(value)
  if (Number.isFinite(seconds)) return Math.max(0, seconds)
  const date = Date.parse(value)
  return Number.isNaN(date) ? null : Math.max(0, (date - Date.now()) / 1000)
}

/** The server's own words when it sent problem+json, else a plain sentence for the status. */
export function problemMessage(
  status: number,
  contentType: string,
  body: string,
): { message: string; type: string } {
  if (contentType.includes('json')) {
    try {
      const p = JSON.parse(body) as { detail?: string; title?: string; type?: string }
      if (p.detail || p.title) return { message: p.detail || p.title || '', type: p.type ?? '' }
    } catch {
      // not JSON after all: fall through
    }
  }
  if (status === 0) return { message: 'Cannot reach the server.', type: '' }
  if (status >= 500) return { message: `The server had a problem (${status}).`, type: '' }
  return { message: `The server refused the file (${status}).`, type: '' }
}

/**
 * The browser transport: XMLHttpRequest, because fetch() reports no upload progress and a 1080p
 * segment takes long enough on a slow uplink that a frozen bar looks broken.
 */
export const xhrTransport: Transport = (req) =>
  new Promise<void>((resolve, reject) => {
    if (req.signal?.aborted) {
      reject(req.signal.reason)
      return
    }
    const xhr = new XMLHttpRequest()
    xhr.open('PUT', req.url)
    xhr.withCredentials = true
    xhr.setRequestHeader('content-type', req.contentType)
    xhr.setRequestHeader('x-content-sha256', req.sha256)
    xhr.setRequestHeader('accept', 'application/json')
    xhr.upload.onprogress = (e) => req.onProgress?.(e.loaded)
    const onAbort = () => xhr.abort()
    req.signal?.addEventListener('abort', onAbort, { once: true })
    const done = () => req.signal?.removeEventListener('abort', onAbort)
    xhr.onload = () => {
      done()
      if (xhr.status >= 200 && xhr.status < 300) {
        req.onProgress?.(req.bytes.byteLength)
        resolve()
        return
      }
      const { message, type } = problemMessage(
        xhr.status,
        xhr.getResponseHeader('content-type') ?? '',
        xhr.responseText,
      )
      reject(
        new UploadHttpError(
          xhr.status,
          message,
          type,
          retryAfterSeconds(xhr.getResponseHeader('retry-after')),
        ),
      )
    }
    xhr.onerror = () => {
      done()
      reject(new UploadHttpError(0, 'Cannot reach the server.'))
    }
    xhr.ontimeout = xhr.onerror
    xhr.onabort = () => {
      done()
      reject(req.signal?.reason ?? new DOMException('Aborted', 'AbortError'))
    }
    // A view of exactly the file's bytes: the Uint8Array may be a window into a larger buffer.
    xhr.send(new Blob([req.bytes as Uint8Array<ArrayBuffer>]))
  })

/** Lower-case hex SHA-256, what the server checks every file against. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('')
}

/** A fetch() transport, for scripts and runtimes without XMLHttpRequest; progress only at the end. */
export function fetchTransport(init: RequestInit = {}): Transport {
  return async (req) => {
    let res: Response
    try {
      res = await fetch(req.url, {
        ...init,
        method: 'PUT',
        headers: {
          ...(init.headers as Record<string, string> | undefined),
          'content-type': req.contentType,
          'x-content-sha256': req.sha256,
          accept: 'application/json',
        },
        body: req.bytes as Uint8Array<ArrayBuffer>,
        ...(req.signal ? { signal: req.signal } : {}),
      })
    } catch {
      if (req.signal?.aborted) throw req.signal.reason
      throw new UploadHttpError(0, 'Cannot reach the server.', '', null)
    }
    if (res.ok) {
      await res.body?.cancel()
      req.onProgress?.(req.bytes.byteLength)
      return
    }
    const { message, type } = problemMessage(
      res.status,
      res.headers.get('content-type') ?? '',
      await res.text(),
    )
    throw new UploadHttpError(res.status, message, type, retryAfterSeconds(res.headers.get('retry-after')))
  }
}
