/**
 * @module Sending one file to `PUT /api/movies/:id/files/<path>`, with byte progress. Failures are
 * the API's one error, `ApiError`, read by the API's one problem+json parser.
 */
import { problemError, unreachable } from '../api.ts'

export interface PutRequest {
  url: string
  bytes: Uint8Array
  sha256: string
  contentType: string
  /** Bytes of the body sent so far. */
  onProgress?: (sent: number) => void
  signal?: AbortSignal
}

/** Sends one file; resolves on 2xx, rejects with ApiError (or the signal's reason). */
export type Transport = (request: PutRequest) => Promise<void>

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
      const headers = { get: (name: string) => xhr.getResponseHeader(name) }
      reject(problemError(xhr.status, headers, xhr.responseText, xhr.statusText))
    }
    xhr.onerror = () => {
      done()
      reject(unreachable())
    }
    xhr.ontimeout = xhr.onerror
    xhr.onabort = () => {
      done()
      reject(req.signal?.reason ?? new DOMException('Aborted', 'AbortError'))
    }
    // A view of exactly the file's bytes: the Uint8Array may be a window into a larger buffer.
    xhr.send(new Blob([req.bytes as Uint8Array<ArrayBuffer>]))
  })

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
      throw unreachable()
    }
    if (res.ok) {
      await res.body?.cancel()
      req.onProgress?.(req.bytes.byteLength)
      return
    }
    throw problemError(res.status, res.headers, await res.text(), res.statusText)
  }
}
