/** @module Representation@bandwidth measured on the segments an encoder actually produced. */
import { mediaName } from './names.ts'
import type { Timeline } from './types.ts'

/**
 * Bandwidth by the DASH buffer model: the smallest rate at which, after `minBufferTime` of
 * prebuffering, every segment has arrived before it is due. Measured on the actual segment sizes,
 * so the players' ABR sees what the encoder really produced rather than the target bitrate.
 *
 * @param sizes byte size of every media segment by file name ({@link mediaName})
 * @returns bits per second rounded up to a whole kbit/s, or null when a segment's size is unknown
 * @example
 * // 2 s segments of 500 kB, 1 MB, 250 kB: the second is due at 2 + 2 = 4 s with 1.5 MB sent.
 * measuredBandwidth({ id: 'v0', timescale: 1, segments }, sizes, 2) // 3_000_000
 */
export function measuredBandwidth(
  rep: { id: string } & Timeline,
  sizes: ReadonlyMap<string, number>,
  minBufferTime: number,
): number | null {
  let bits = 0
  let worst = 0
  const first = rep.segments[0]?.start ?? 0
  for (const seg of rep.segments) {
    const size = sizes.get(mediaName(rep.id, seg.number))
    if (size === undefined) return null
    bits += size * 8
    const due = minBufferTime + (seg.start - first) / rep.timescale
    worst = Math.max(worst, bits / due)
  }
  return worst > 0 ? Math.ceil(worst / 1000) * 1000 : null
}
