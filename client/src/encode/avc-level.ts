/**
 * The H.264 level both encoders declare for a rendition: the lowest of the levels players know
 * unambiguously that fits its frame size and macroblock rate (ITU-T H.264 table A-1), never below
 * 3.0. Left to itself x264 gives a 176×144 rendition level 1b, which High profile spells as
 * level_idc 9 (`avc1.640c09`); Chromium calls that codec string ambiguous and dash.js then drops
 * the video without a word. A level is an upper bound, so declaring a higher one is always valid.
 * @module
 */
import { toNumber } from './rational.ts'
import type { VideoRendition } from './types.ts'

const LEVELS: { level: number; frame: number; rate: number }[] = [
  { level: 0x1e, frame: 1620, rate: 40_500 },
  { level: 0x1f, frame: 3600, rate: 108_000 },
  { level: 0x20, frame: 5120, rate: 216_000 },
  { level: 0x28, frame: 8192, rate: 245_760 },
  { level: 0x2a, frame: 8704, rate: 522_240 },
  { level: 0x32, frame: 22_080, rate: 589_824 },
  { level: 0x33, frame: 36_864, rate: 983_040 },
  { level: 0x34, frame: 36_864, rate: 2_073_600 },
]

/** level_idc (ten times the level: 0x1e is 3.0) for a rendition. */
export function avcLevel(r: Pick<VideoRendition, 'width' | 'height' | 'frameRate'>): number {
  const mbs = Math.ceil(r.width / 16) * Math.ceil(r.height / 16)
  const rate = mbs * toNumber(r.frameRate)
  return (LEVELS.find((l) => mbs <= l.frame && rate <= l.rate) ?? LEVELS[LEVELS.length - 1]!).level
}

/** The level as x264 takes it: `3.0`, `4.2`. */
export const levelName = (idc: number): string => `${Math.floor(idc / 10)}.${idc % 10}`
