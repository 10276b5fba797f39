import { describe, expect, it } from 'vitest'
import { bdRate, type RdPoint, ssimDb } from '../../bench/bd-rate.ts'

const curve = (rates: number[], qualities: number[]): RdPoint[] =>
  rates.map((rate, i) => ({ rate, quality: qualities[i]! }))

describe('BD-rate (Bjøntegaard, cubic fit of log-rate against quality)', () => {
  it('matches the reference cubic computation on the FAU-LMS/bjontegaard example (x265 presets)', () => {
    // Data from the README of github.com/FAU-LMS/bjontegaard; −4.4205% is what the VCEG-M33
    // cubic method gives for it (numpy.polyfit / polyint, as in Anserw/Bjontegaard_metric).
    const anchor = curve([9487.76, 4593.6, 2486.44, 1358.24], [40.037, 38.615, 36.845, 34.851])
    const test = curve([9787.8, 4469.0, 2451.52, 1356.24], [40.121, 38.651, 36.97, 34.987])
    expect(bdRate(anchor, test)).toBeCloseTo(-4.4205, 3)
  })

  it('matches the reference on the VCEG example with a lossier test encoder', () => {
    const anchor = curve([686.76, 309.58, 157.11, 85.95], [40.28, 37.18, 34.24, 31.42])
    const test = curve([893.34, 407.8, 204.93, 112.75], [40.39, 37.21, 34.17, 31.24])
    expect(bdRate(anchor, test)).toBeCloseTo(31.3974, 3)
  })

  it('says exactly +10% for the same curve at 1.1× the bits, and 0 against itself', () => {
    const anchor = curve([500, 1000, 2000, 4000], [30, 33.5, 36.2, 38.9])
    const dearer = anchor.map((p) => ({ ...p, rate: p.rate * 1.1 }))
    expect(bdRate(anchor, dearer)).toBeCloseTo(10, 9)
    expect(bdRate(anchor, anchor)).toBeCloseTo(0, 9)
  })

  it('gives no answer for curves whose qualities do not overlap, and refuses fewer than four points', () => {
    const low = curve([1, 2, 3, 4], [20, 21, 22, 23])
    const high = curve([1, 2, 3, 4], [30, 31, 32, 33])
    expect(bdRate(low, high)).toBeNull()
    expect(() => bdRate(low.slice(0, 3), high)).toThrow(RangeError)
  })

  it('turns SSIM into decibels', () => {
    expect(ssimDb(0.99)).toBeCloseTo(20, 9)
    expect(ssimDb(0.9)).toBeCloseTo(10, 9)
  })
})
