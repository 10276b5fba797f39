/** @module ISO 8601 durations (xs:duration) as MPDs use them, in seconds. */
import { MpdError } from './error.ts'

/**
 * Seconds from an xs:duration such as `PT1H2M3.5S` or `P1DT2H`. Years and months have no fixed
 * length, so they are refused, as are negative and empty durations.
 * @throws MpdError with a message fit to show the uploader
 * @example parseIsoDuration('PT1H2M3.5S') // 3723.5
 */
export function parseIsoDuration(value: string): number {
  const text = value.trim()
  const m =
    /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text)
  if (!m || text === 'P' || text.endsWith('T')) {
    throw new MpdError(`"${value}" is not a duration the server understands (e.g. PT1H2M3.5S).`)
  }
  const [, d, h, min, s] = m
  return Number(d ?? 0) * 86400 + Number(h ?? 0) * 3600 + Number(min ?? 0) * 60 + Number(s ?? 0)
}

/**
 * The shortest xs:duration exact to the millisecond.
 * @example formatDuration(3723.5) // 'PT1H2M3.500S'
 */
export function formatDuration(seconds: number): string {
  const ms = Math.round(seconds * 1000)
  const h = Math.floor(ms / 3_600_000)
  const m = Math.floor((ms % 3_600_000) / 60_000)
  const s = (ms % 60_000) / 1000
  return `PT${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s.toFixed(3)}S`
}
