/** @module Exact rational arithmetic for frame rates, aspect ratios and timescales. */

/** A ratio of two positive integers, kept in lowest terms by the helpers below. */
export interface Rational {
  num: number
  den: number
}

export function gcd(a: number, b: number): number {
  let x = Math.abs(a)
  let y = Math.abs(b)
  while (y) [x, y] = [y, x % y]
  return x
}

export function lcm(a: number, b: number): number {
  return (a / gcd(a, b)) * b
}

export function reduce(num: number, den: number): Rational {
  const g = gcd(num, den) || 1
  return { num: num / g, den: den / g }
}

export function toNumber(r: Rational): number {
  return r.num / r.den
}

export function format(r: Rational, sep = '/'): string {
  return `${r.num}${sep}${r.den}`
}

/** Parses ffprobe's "30000/1001", "16:9" or "25"; returns null for "0/0", "N/A" and the like. */
export function parse(text: string | undefined | null): Rational | null {
  const m = /^\s*(\d+)(?:\s*[/:]\s*(\d+))?\s*$/.exec(text ?? '')
  if (!m) return null
  const num = Number(m[1])
  const den = m[2] === undefined ? 1 : Number(m[2])
  if (!num || !den) return null
  return reduce(num, den)
}

/**
 * The closest fraction to `x` whose numerator and denominator stay at or below `limit`
 * (best rational approximation by continued fractions).
 */
export function approximate(x: number, limit: number): Rational {
  if (!(x > 0) || !Number.isFinite(x)) throw new RangeError(`cannot approximate ${x}`)
  let [h0, h1, k0, k1] = [0, 1, 1, 0]
  let v = x
  for (let i = 0; i < 64; i++) {
    const a = Math.floor(v)
    const h2 = a * h1 + h0
    const k2 = a * k1 + k0
    if (h2 > limit || k2 > limit) break
    ;[h0, h1, k0, k1] = [h1, h2, k1, k2]
    const frac = v - a
    if (frac < 1e-12) break
    v = 1 / frac
  }
  if (h1 === 0) return { num: 1, den: Math.max(1, Math.round(1 / x)) }
  return reduce(h1, k1)
}
