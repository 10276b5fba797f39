/**
 * Small Web Crypto helpers shared by auth, storage and the client's uploader; no node:* imports.
 * @module
 */

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

export function toHex(bytes: Uint8Array): string {
  let out = ''
  for (const b of bytes) out += HEX[b]
  return out
}

export async function sha256Hex(data: string | Uint8Array): Promise<string> {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as BufferSource)))
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** A random string over [A-Za-z0-9], unbiased (rejection sampling). */
export function randomToken(length: number): string {
  let out = ''
  while (out.length < length) {
    for (const b of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (b < 248 && out.length < length) out += ALPHABET[b % 62]
    }
  }
  return out
}

export const ID_LENGTH = 16
/** What every id this server hands out looks like; anything else in a URL is not one of ours. */
export const ID_PATTERN = new RegExp(`^[A-Za-z0-9]{${ID_LENGTH}}$`)

/** Opaque ids for rows and URLs: {@link ID_LENGTH} characters of [A-Za-z0-9], about 95 bits. */
export const newId = () => randomToken(ID_LENGTH)
