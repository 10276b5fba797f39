/**
 * `?t=` links: where a shared link starts playing, and the link to the current second.
 * @module
 */

/**
 * Seconds from `?t=`: `90`, `90s`, `1m30s`, `1h2m3s`; 0 when absent or not a time.
 * @example startTime(new URLSearchParams('t=1m30s')) // 90
 */
export function startTime(params: URLSearchParams): number {
  const t = params.get('t')?.trim() ?? ''
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s?)?$/.exec(t)
  if (!t || !m) return 0
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0)
}

/**
 * This page's URL starting at `seconds` (whole seconds; other parameters kept).
 * @example linkAt('https://x/movies/abc', 754.2) // 'https://x/movies/abc?t=754'
 */
export function linkAt(href: string, seconds: number): string {
  const url = new URL(href)
  url.hash = ''
  if (seconds >= 1) url.searchParams.set('t', String(Math.floor(seconds)))
  else url.searchParams.delete('t')
  return url.href
}
