/**
 * What a reverse proxy tells us about the client. `X-Forwarded-For` is a list each proxy appends
 * the address it saw to, so only its last `hops` entries were written by proxies we trust;
 * everything before them was written by the client and proves nothing.
 * @module
 */

/**
 * The client's address as the outermost of `hops` trusted proxies saw it: the `hops`-th entry
 * from the right (the leftmost when the list is shorter), or undefined without a header.
 * @example forwardedAddress('1.1.1.1, 203.0.113.7', 1) // '203.0.113.7' (the client wrote 1.1.1.1)
 */
export function forwardedAddress(header: string | undefined, hops: number): string | undefined {
  const entries = (header ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '')
  if (entries.length === 0 || hops < 1) return undefined
  return entries[Math.max(0, entries.length - hops)]
}

/**
 * Whether a trusted proxy says the client used HTTPS. The proxy nearest us sets the header
 * (nginx: `proxy_set_header X-Forwarded-Proto $scheme`), so its last value is the one to read.
 */
export function forwardedHttps(header: string | undefined): boolean {
  const last = header?.split(',').at(-1)?.trim().toLowerCase()
  return last === 'https'
}
