import { XMLParser } from 'fast-xml-parser'
import { describe, expect, it } from 'vitest'
import { planLadder } from '../../client/src/encode/ladder.ts'
import { buildManifest, type Track } from '../../client/src/encode/manifest.ts'
import {
  formatDuration,
  measuredBandwidth,
  parseIsoDuration as parseDuration,
} from '../../server/lib/dash/index.ts'
import { probed } from './support/fixtures.ts'

const plan = planLadder(probed({ duration: 7, width: 640, height: 360, audioLanguage: 'jpn' }))

function rep(id: string, durations: number[], extra: Partial<Track> = {}): Track {
  let t = 0
  const segments = durations.map((d, i) => {
    const s = { number: i + 1, start: t, duration: d }
    t += d
    return s
  })
  return {
    id,
    contentType: 'video',
    codecs: 'avc1.64001e',
    bandwidth: 1,
    timescale: 90000,
    segments,
    ...extra,
  }
}

const parse = (xml: string) =>
  new XMLParser({
    ignoreAttributes: false,
    isArray: (n) => ['AdaptationSet', 'Representation', 'S'].includes(n),
  }).parse(xml).MPD

describe('MPD durations', () => {
  it('reads and writes ISO 8601 durations', () => {
    expect(parseDuration('PT1H2M3.5S')).toBe(3723.5)
    expect(parseDuration('PT6.0S')).toBe(6)
    expect(formatDuration(3723.5)).toBe('PT1H2M3.500S')
    expect(formatDuration(6)).toBe('PT6.000S')
  })
})

describe('buildManifest', () => {
  const video = [
    rep('v0', [180000, 180000, 180000, 90000], { width: 640, height: 360 }),
    rep('v1', [180000, 180000, 180000, 93000], { width: 426, height: 240, sar: '640:639' }),
  ]
  const audio = rep('a0', [96256, 96256, 96256, 47232], {
    contentType: 'audio',
    codecs: 'mp4a.40.2',
    timescale: 48000,
    audioSamplingRate: 48000,
    channels: 2,
  })

  it('puts every rendition in one video set sharing one compact timeline, and audio in its own', () => {
    const mpd = parse(buildManifest({ plan, video, audio: [audio], sizes: new Map() }))
    expect(mpd['@_type']).toBe('static')
    expect(mpd['@_mediaPresentationDuration']).toBe('PT7.000S')
    const [v, a] = mpd.Period.AdaptationSet
    expect(v['@_segmentAlignment']).toBe('true')
    expect(v['@_par']).toBe('16:9')
    expect(v.Representation.map((r: Record<string, string>) => r['@_id'])).toEqual(['v0', 'v1'])
    expect(v.Representation[1]['@_sar']).toBe('640:639')
    // The last segment may end a frame later in one rendition; the shared timeline takes the longer.
    expect(v.SegmentTemplate.SegmentTimeline.S).toEqual([
      { '@_t': '0', '@_d': '180000', '@_r': '2' },
      { '@_d': '93000' },
    ])
    expect(v.SegmentTemplate['@_media']).toBe('chunk-$RepresentationID$-$Number%05d$.m4s')
    expect(a['@_lang']).toBe('jpn')
    expect(a.Representation[0].AudioChannelConfiguration['@_value']).toBe('2')
  })

  it('falls back to per-representation timelines when segments do not start together', () => {
    const skewed = [video[0]!, rep('v1', [177000, 183000, 180000, 93000], { width: 426, height: 240 })]
    const mpd = parse(buildManifest({ plan, video: skewed, audio: [], sizes: new Map() }))
    const [v] = mpd.Period.AdaptationSet
    expect(v['@_segmentAlignment']).toBe('false')
    expect(v.SegmentTemplate).toBeUndefined()
    expect(v.Representation[1].SegmentTemplate.SegmentTimeline.S).toHaveLength(4)
    expect(mpd.Period.AdaptationSet).toHaveLength(1)
  })

  it('refuses to publish without video', () => {
    expect(() => buildManifest({ plan, video: [], audio: [audio], sizes: new Map() })).toThrow(/no video/)
  })
})

describe('measuredBandwidth', () => {
  it('is the smallest rate that delivers every segment before it is due after minBufferTime', () => {
    const r = rep('v0', [180000, 180000, 180000])
    // 2 s segments of 500 kB, 1 MB, 250 kB: the second is due at 2 + 2 = 4 s with 1.5 MB sent.
    const sizes = new Map([
      ['chunk-v0-00001.m4s', 500_000],
      ['chunk-v0-00002.m4s', 1_000_000],
      ['chunk-v0-00003.m4s', 250_000],
    ])
    expect(measuredBandwidth(r, sizes, 2)).toBe(3_000_000)
    expect(measuredBandwidth(r, new Map(), 2)).toBeNull()
  })
})

describe('declared bandwidth of the browser encoder’s rungs', () => {
  // 2 s segments of 500 kB, 2 MB (an overshoot the buffer cannot hide), 500 kB and a short tail.
  const sizes = new Map([
    ['chunk-v0-00001.m4s', 500_000],
    ['chunk-v0-00002.m4s', 2_000_000],
    ['chunk-v0-00003.m4s', 500_000],
    ['chunk-v0-00004.m4s', 900_000],
  ])
  const declared = (extra: Partial<Track>) => {
    const v0 = rep('v0', [180000, 180000, 180000, 45000], { width: 640, height: 360, ...extra })
    const xml = buildManifest({ plan, video: [v0], audio: [], sizes })
    return Number(parse(xml).Period.AdaptationSet[0].Representation[0]['@_bandwidth'])
  }

  it('is never below the busiest full segment’s rate, stored segments included', () => {
    // The DASH measure (one segment's buffer) would say 2 500 000 / 4 s = 5 Mbit/s.
    expect(measuredBandwidth(rep('v0', [180000, 180000, 180000, 45000]), sizes, 2)).toBe(5_000_000)
    // Segment 2 alone: 16 Mbit in 2 s. The half-second tail (14.4 Mbit/s) is left out.
    expect(declared({ declarePeak: true })).toBe(8_000_000)
    expect(declared({})).toBe(5_000_000)
  })
})
