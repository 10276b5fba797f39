/**
 * @module The Bjøntegaard delta rate (VCEG-M33): how many percent more bits one encoder needs than
 * another for the same quality, averaged over the quality range both cover. Each encoder's points
 * are fitted by a cubic polynomial of log-rate against quality (least squares; with four points it
 * passes through them), and the fits are integrated over the overlap.
 *
 * @example
 * bdRate(x264, ours) // 12.5: ours needs 12.5% more bits than x264 for the same quality
 */

/** One rate-distortion point: bits per second and a quality where higher is better (PSNR dB, SSIM dB). */
export interface RdPoint {
  rate: number
  quality: number
}

/** SSIM as decibels, −10·log10(1 − SSIM), so differences near 1 are not squeezed together. */
export function ssimDb(ssim: number): number {
  return -10 * Math.log10(1 - ssim)
}

/** Least-squares polynomial of `degree` through (x, y): coefficients, lowest power first. */
function polyfit(xs: readonly number[], ys: readonly number[], degree: number): number[] {
  const n = degree + 1
  // Normal equations A·c = b, solved by Gaussian elimination with partial pivoting.
  const a = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => xs.reduce((s, x) => s + x ** (i + j), 0)),
  )
  const b = Array.from({ length: n }, (_, i) => xs.reduce((s, x, k) => s + x ** i * ys[k]!, 0))
  for (let col = 0; col < n; col++) {
    let pivot = col
    for (let row = col + 1; row < n; row++)
      if (Math.abs(a[row]![col]!) > Math.abs(a[pivot]![col]!)) pivot = row
    ;[a[col], a[pivot]] = [a[pivot]!, a[col]!]
    ;[b[col], b[pivot]] = [b[pivot]!, b[col]!]
    for (let row = col + 1; row < n; row++) {
      const f = a[row]![col]! / a[col]![col]!
      for (let k = col; k < n; k++) a[row]![k]! -= f * a[col]![k]!
      b[row]! -= f * b[col]!
    }
  }
  const c = new Array<number>(n).fill(0)
  for (let row = n - 1; row >= 0; row--) {
    let s = b[row]!
    for (let k = row + 1; k < n; k++) s -= a[row]![k]! * c[k]!
    c[row] = s / a[row]![row]!
  }
  return c
}

/** ∫ of the polynomial `c` (lowest power first) from `lo` to `hi`. */
function integral(c: readonly number[], lo: number, hi: number): number {
  const at = (x: number) => c.reduce((s, ck, k) => s + (ck * x ** (k + 1)) / (k + 1), 0)
  return at(hi) - at(lo)
}

/**
 * Percent more bits `test` needs than `anchor` at the same quality (negative: fewer), or null when
 * their quality ranges do not overlap. Needs at least four points each.
 */
export function bdRate(anchor: readonly RdPoint[], test: readonly RdPoint[]): number | null {
  if (anchor.length < 4 || test.length < 4) throw new RangeError('BD-rate needs at least four points a curve')
  const lo = Math.max(Math.min(...anchor.map((p) => p.quality)), Math.min(...test.map((p) => p.quality)))
  const hi = Math.min(Math.max(...anchor.map((p) => p.quality)), Math.max(...test.map((p) => p.quality)))
  if (!(hi > lo)) return null
  // Quality is centred on the overlap so the powers stay small and the fit well conditioned.
  const mid = (lo + hi) / 2
  const curveFit = (points: readonly RdPoint[]) =>
    polyfit(
      points.map((p) => p.quality - mid),
      points.map((p) => Math.log(p.rate)),
      3,
    )
  const diff =
    (integral(curveFit(test), lo - mid, hi - mid) - integral(curveFit(anchor), lo - mid, hi - mid)) /
    (hi - lo)
  return (Math.exp(diff) - 1) * 100
}
