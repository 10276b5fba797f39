/**
 * HTTP byte ranges and validators for serving stored files (RFC 9110 §13, §14).
 * Pure functions over header strings, shared by every runtime.
 * @module
 */

export type RangeDecision =
  | { kind: 'full' }
  | { kind: 'partial'; start: number; end: number }
  | { kind: 'unsatisfiable' }

/**
 * Decides what a `Range` header asks of a representation of `size` bytes.
 *
 * One range is served as 206. A header the server does not understand (another unit, bad
 * syntax, `5-2`) is ignored, as RFC 9110 §14.2 requires, and so is a multi-range request: players
 * ask for one range at a time, and a full 200 is always a correct answer.
 * @example parseRange('bytes=-500', 10_000) // { kind: 'partial', start: 9500, end: 9999 }
 */
export function parseRange(header: string | null | undefined, size: number): RangeDecision {
  if (!header) return { kind: 'full' }
  const m = /^\s*bytes\s*=\s*(.*)$/i.exec(header)
  if (!m) return { kind: 'full' }
  const specs = m[1]!.split(',').map((s) => s.trim())
  if (specs.length !== 1) return { kind: 'full' }
  const spec = /^(\d*)-(\d*)$/.exec(specs[0]!)
  if (!spec || (spec[1] === '' && spec[2] === '')) return { kind: 'full' }
  const [, first, last] = spec
  if (first === '') {
    // Suffix range: the last N bytes.
    const n = Number(last)
    if (n === 0 || size === 0) return { kind: 'unsatisfiable' }
    return { kind: 'partial', start: Math.max(0, size - n), end: size - 1 }
  }
  const start = Number(first)
  const end = last === '' ? size - 1 : Number(last)
  if (last !== '' && end < start) return { kind: 'full' }
  if (start >= size) return { kind: 'unsatisfiable' }
  return { kind: 'partial', start, end: Math.min(end, size - 1) }
}

/** A strong entity tag from a content hash: same bytes, same tag, on every server and runtime. */
export const etagOf = (sha256: string) => `"${sha256}"`

/** `If-None-Match` uses weak comparison: `W/"x"` matches `"x"`, and `*` matches anything that exists. */
export function noneMatchHits(header: string | null | undefined, etag: string): boolean {
  if (!header) return false
  if (header.trim() === '*') return true
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)
}

/**
 * `If-Range`: the range is honoured only if the client's copy is the current one. An entity tag
 * compares strongly; a date must equal Last-Modified exactly (RFC 9110 §13.1.5).
 */
export function ifRangeAllows(header: string | null | undefined, etag: string, lastModified: Date): boolean {
  if (!header) return true
  const value = header.trim()
  if (value.startsWith('W/')) return false
  if (value.startsWith('"')) return value === etag
  const date = Date.parse(value)
  return !Number.isNaN(date) && Math.floor(date / 1000) === Math.floor(lastModified.getTime() / 1000)
}

/** `If-Modified-Since`, consulted only when there is no `If-None-Match` (RFC 9110 §13.1.3). */
export function notModifiedSince(header: string | null | undefined, lastModified: Date): boolean {
  if (!header) return false
  const date = Date.parse(header)
  return !Number.isNaN(date) && Math.floor(lastModified.getTime() / 1000) <= Math.floor(date / 1000)
}
