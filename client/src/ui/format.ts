/** How numbers, durations and dates read on the pages. @module */

/** 75 → "1:15", 3725 → "1:02:05". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '0:00'
  const total = Math.floor(seconds)
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const s = total % 60
  const ss = String(s).padStart(2, '0')
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`
}

/** A duration for screen readers: "1 hour 2 minutes 5 seconds". */
export function spokenDuration(seconds: number | null | undefined): string {
  const total = Math.max(0, Math.floor(seconds ?? 0))
  const parts: string[] = []
  const unit = (n: number, word: string) => n && parts.push(`${n} ${word}${n === 1 ? '' : 's'}`)
  unit(Math.floor(total / 3600), 'hour')
  unit(Math.floor((total % 3600) / 60), 'minute')
  unit(total % 60, 'second')
  return parts.join(' ') || '0 seconds'
}

/** 2_500_000 → "2.5 Mbps", 600_000 → "600 kbps". */
export function formatBitrate(bitsPerSecond: number | null | undefined): string {
  if (!bitsPerSecond || !Number.isFinite(bitsPerSecond)) return '—'
  if (bitsPerSecond >= 1_000_000)
    return `${(bitsPerSecond / 1_000_000).toFixed(bitsPerSecond >= 10_000_000 ? 0 : 1)} Mbps`
  return `${Math.round(bitsPerSecond / 1000)} kbps`
}

const dateFormat = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' })
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

export const formatDate = (iso: string | null | undefined) => (iso ? dateFormat.format(new Date(iso)) : '—')
export const formatDateTime = (iso: string | null | undefined) =>
  iso ? dateTimeFormat.format(new Date(iso)) : '—'

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' })

/** "3 days ago", "just now"; older than a month falls back to the date. */
export function formatAgo(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—'
  const diff = (new Date(iso).getTime() - now) / 1000
  const abs = Math.abs(diff)
  if (abs < 45) return 'just now'
  if (abs < 3600) return relative.format(Math.round(diff / 60), 'minute')
  if (abs < 86400) return relative.format(Math.round(diff / 3600), 'hour')
  if (abs < 30 * 86400) return relative.format(Math.round(diff / 86400), 'day')
  return formatDate(iso)
}

/** "720p" for a 1280x720 rendition; falls back to the bitrate. */
export function renditionLabel(r: { height?: number | null; bandwidth?: number | null }): string {
  return r.height ? `${r.height}p` : formatBitrate(r.bandwidth)
}
