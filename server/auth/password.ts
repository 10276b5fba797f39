/**
 * Password hashing with scrypt (RFC 7914), stored in a PHC-style string that carries its own
 * parameters: `$scrypt$ln=14,r=8,p=5$<salt>$<hash>` (base64, no padding).
 *
 * The derivation function is injected: Node passes its native `crypto.scrypt`, Workers pass the
 * audited pure-JS `@noble/hashes` scrypt. Both compute the same function, so a hash written by
 * one runtime verifies on the other.
 * @module
 */
import { ApiError } from '../lib/problem.ts'
import { semaphore } from '../lib/semaphore.ts'

/** Derives `dkLen` bytes from a password with scrypt. */
export type ScryptFn = (
  password: Uint8Array,
  salt: Uint8Array,
  params: { N: number; r: number; p: number; dkLen: number },
) => Promise<Uint8Array>

export interface PasswordHasher {
  hash(password: string): Promise<string>
  verify(password: string, stored: string): Promise<boolean>
}

/** How long a caller refused for lack of hashing slots is asked to wait, in seconds. */
const BUSY_RETRY_SECONDS = 2

/**
 * The same hasher, computing at most `concurrency` hashes at once with at most `queue` waiting;
 * past that a 503 with Retry-After. scrypt occupies a thread of the pool that also reads and writes
 * files (on Node), so a flood of anonymous sign-ins must not be able to take all of it.
 */
export function boundedHasher(hasher: PasswordHasher, concurrency: number, queue: number): PasswordHasher {
  const slots = semaphore(concurrency, queue)
  const busy = () =>
    new ApiError(
      503,
      'busy',
      'The server is checking too many passwords right now; try again in a moment.',
      {},
      { 'retry-after': String(BUSY_RETRY_SECONDS) },
    )
  return {
    hash: (password) => slots.run(() => hasher.hash(password), busy),
    verify: (password, stored) => slots.run(() => hasher.verify(password, stored), busy),
  }
}

// OWASP's scrypt table: N=2^14, r=8, p=5 costs 16 MiB, within a Worker's 128 MB.
const DEFAULT_PARAMS = { ln: 14, r: 8, p: 5 }
const KEY_LEN = 32
const enc = new TextEncoder()

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/=+$/, '')
const unb64 = (s: string) => Uint8Array.from(atob(s), (ch) => ch.charCodeAt(0))

/** Compares in time independent of where the first difference is. */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0)
  return diff === 0
}

/**
 * @example
 * const hasher = createPasswordHasher(nodeScrypt)
 * const stored = await hasher.hash('correct horse')
 * await hasher.verify('correct horse', stored) // true
 */
export function createPasswordHasher(scrypt: ScryptFn, params = DEFAULT_PARAMS): PasswordHasher {
  return {
    async hash(password) {
      const salt = crypto.getRandomValues(new Uint8Array(16))
      const key = await scrypt(enc.encode(password.normalize('NFKC')), salt, {
        N: 2 ** params.ln,
        r: params.r,
        p: params.p,
        dkLen: KEY_LEN,
      })
      return `$scrypt$ln=${params.ln},r=${params.r},p=${params.p}$${b64(salt)}$${b64(key)}`
    },
    async verify(password, stored) {
      const m = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(
        stored,
      )
      if (!m) return false
      const [, ln, r, p, salt, hash] = m as unknown as [string, string, string, string, string, string]
      const expected = unb64(hash)
      const key = await scrypt(enc.encode(password.normalize('NFKC')), unb64(salt), {
        N: 2 ** Number(ln),
        r: Number(r),
        p: Number(p),
        dkLen: expected.length,
      })
      return timingSafeEqual(key, expected)
    },
  }
}
