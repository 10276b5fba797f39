/**
 * Opaque page cursors: base64url of a JSON array the server wrote (a sort key), handed back by the
 * client as is. Anything else is a 422 naming the `cursor` field.
 * @module
 */
import { validationFailed } from './errors.ts'

export function encodeCursor(key: readonly unknown[]): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(JSON.stringify(key))))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '')
}

export const invalidCursor = () =>
  validationFailed(
    'query',
    [{ field: 'cursor', message: 'Invalid cursor' }],
    'The cursor is not one this API gave out for this list and sort order.',
  )

/**
 * The array a cursor holds, checked by `accept` (which returns the typed key, or null to refuse).
 * @throws ApiError 422 for anything that is not a cursor `accept` takes.
 * @example decodeCursor(c, (k) => (k.length === 1 && Number.isSafeInteger(k[0]) ? { seq: k[0] as number } : null))
 */
export function decodeCursor<T>(cursor: string, accept: (key: unknown[]) => T | null): T {
  let parsed: unknown
  try {
    const bytes = Uint8Array.from(atob(cursor.replace(/-/g, '+').replace(/_/g, '/')), (ch) =>
      ch.charCodeAt(0),
    )
    parsed = JSON.parse(new TextDecoder().decode(bytes))
  } catch {
    throw invalidCursor()
  }
  const key = Array.isArray(parsed) ? accept(parsed) : null
  if (key === null) throw invalidCursor()
  return key
}
