/** SegmentTimeline expansion (r="-1", @n, @t, the segment budget) and compression back to S runs. */
import { describe, expect, it } from 'vitest'
import {
  alignedTimeline,
  compressTimeline,
  expandTimeline,
  MpdError,
  type TimelineSegment,
} from '../../server/lib/dash/index.ts'

const seg = (number: number, start: number, duration: number): TimelineSegment => ({
  number,
  start,
  duration,
})

describe('expandTimeline', () => {
  it('repeats a run with @r and starts a run without @t where the previous one ended', () => {
    expect(expandTimeline([{ t: 10, d: 2, r: 2 }, { d: 1 }])).toEqual([
      seg(1, 10, 2),
      seg(2, 12, 2),
      seg(3, 14, 2),
      seg(4, 16, 1),
    ])
  })

  it('repeats r="-1" up to the next run’s @t', () => {
    expect(
      expandTimeline([
        { t: 0, d: 2, r: -1 },
        { t: 7, d: 3 },
      ]),
    ).toEqual([
      seg(1, 0, 2),
      seg(2, 2, 2),
      seg(3, 4, 2),
      // The last repeat reaches past 7: it is still a segment, the next run starts at its @t.
      seg(4, 6, 2),
      seg(5, 7, 3),
    ])
  })

  it('repeats a final r="-1" up to the end of the Period, and refuses it when the end is unknown', () => {
    expect(expandTimeline([{ t: 0, d: 4, r: -1 }], { end: 10 }).map((s) => s.start)).toEqual([0, 4, 8])
    expect(() => expandTimeline([{ t: 0, d: 4, r: -1 }])).toThrow(/Period end/)
  })

  it('numbers from @startNumber and jumps where an S says @n', () => {
    expect(
      expandTimeline([{ t: 0, d: 1, r: 1 }, { n: 20, d: 1 }, { d: 1 }], { startNumber: 5 }).map(
        (s) => s.number,
      ),
    ).toEqual([5, 6, 20, 21])
  })

  it.each([
    ['no @d', [{ t: 0, d: Number.NaN }], /@d/],
    ['a zero @d', [{ d: 0 }], /@d/],
    ['a fractional @r', [{ d: 1, r: 1.5 }], /@r/],
    ['an @r below -1', [{ d: 1, r: -2 }], /@r/],
    ['a non-integer @t', [{ t: 0.5, d: 1 }], /@t or @n/],
  ])('refuses %s', (_name, runs, message) => {
    expect(() => expandTimeline(runs)).toThrow(MpdError)
    expect(() => expandTimeline(runs)).toThrow(message)
  })

  it('spends the segment budget before expanding a run', () => {
    const spent: number[] = []
    const spend = (n: number) => {
      spent.push(n)
      if (n > 1000) throw new MpdError('too many')
    }
    expect(() =>
      expandTimeline(
        [
          { t: 0, d: 1, r: 2 },
          { d: 1, r: 999_999_999 },
        ],
        { spend },
      ),
    ).toThrow('too many')
    expect(spent).toEqual([3, 1_000_000_000])
  })
})

describe('compressTimeline', () => {
  it('writes @t only where a segment does not start at the previous end, @n only where numbers jump', () => {
    const segments = [seg(3, 0, 2), seg(4, 2, 2), seg(5, 4, 2), seg(6, 7, 2), seg(9, 9, 1)]
    expect(compressTimeline(segments)).toEqual([
      { t: 0, d: 2, r: 2 },
      { t: 7, d: 2 },
      { d: 1, n: 9 },
    ])
  })

  it('expands back to the same segments from @startNumber = the first number', () => {
    const segments = [seg(1, 0, 180180), seg(2, 180180, 180180), seg(3, 360360, 90090), seg(7, 500000, 10)]
    expect(expandTimeline(compressTimeline(segments), { startNumber: 1 })).toEqual(segments)
  })
})

describe('alignedTimeline', () => {
  it('shares a timeline whose segments start together, taking the longest last segment', () => {
    const a = { timescale: 90, segments: [seg(1, 0, 180), seg(2, 180, 90)] }
    const b = { timescale: 90, segments: [seg(1, 0, 180), seg(2, 180, 93)] }
    expect(alignedTimeline([a, b])).toEqual([seg(1, 0, 180), seg(2, 180, 93)])
  })

  it('refuses timelines whose segments start apart or count differently', () => {
    const a = { timescale: 90, segments: [seg(1, 0, 180), seg(2, 180, 90)] }
    expect(alignedTimeline([a, { timescale: 90, segments: [seg(1, 0, 177), seg(2, 177, 93)] }])).toBeNull()
    expect(alignedTimeline([a, { timescale: 90, segments: [seg(1, 0, 180)] }])).toBeNull()
    expect(alignedTimeline([a, { timescale: 48, segments: a.segments }])).toBeNull()
  })
})
