/** File names, SegmentTemplate strings, durations, and what the writer escapes for the reader. */
import { describe, expect, it } from 'vitest'
import {
  formatDuration,
  initName,
  MpdError,
  matchTemplate,
  mediaName,
  mpdFiles,
  parseIsoDuration,
  parseMpd,
  parseSegmentName,
  writeMpd,
} from '../../server/lib/dash/index.ts'

describe('segment names', () => {
  it('spells init and media segments from the templates', () => {
    expect(initName('v1')).toBe('init-v1.m4s')
    expect(mediaName('v1', 3)).toBe('chunk-v1-00003.m4s')
    expect(mediaName('a0', 123456)).toBe('chunk-a0-123456.m4s')
  })

  it('reads a name back into its representation and number', () => {
    expect(parseSegmentName('chunk-0-00012.m4s')).toEqual({ kind: 'media', id: '0', number: 12 })
    expect(parseSegmentName(mediaName('a0', 123456))).toEqual({ kind: 'media', id: 'a0', number: 123456 })
    expect(parseSegmentName('init-v3.m4s')).toEqual({ kind: 'init', id: 'v3' })
  })

  it.each([
    'chunk-0-00012.m4s.tmp',
    'chunk-0-12.m4s',
    'init-.m4s',
    'manifest.mpd',
    'poster.rgba',
    'x/init-0.m4s',
  ])('knows %j is no segment of ours', (name) => {
    expect(parseSegmentName(name)).toBeNull()
  })

  it('matches any template, escaping its literal text', () => {
    expect(matchTemplate('$RepresentationID$/seg.$Number$.m4s', 'v0/seg.7.m4s')).toEqual({
      RepresentationID: 'v0',
      Number: 7,
    })
    expect(matchTemplate('$RepresentationID$/seg.$Number$.m4s', 'v0/segx7.m4s')).toBeNull()
    expect(matchTemplate('t-$Time$-$Bandwidth%06d$.m4s', 't-180000-000042.m4s')).toEqual({
      Time: 180000,
      Bandwidth: 42,
    })
    expect(() => matchTemplate('$Foo$.m4s', 'x.m4s')).toThrow(MpdError)
  })
})

describe('durations', () => {
  it('writes the shortest duration exact to the millisecond, which reads back the same', () => {
    expect(formatDuration(3723.5)).toBe('PT1H2M3.500S')
    expect(formatDuration(6)).toBe('PT6.000S')
    expect(formatDuration(0)).toBe('PT0.000S')
    for (const seconds of [0, 0.001, 2.002, 59.999, 61, 3600, 7322.123]) {
      expect(parseIsoDuration(formatDuration(seconds))).toBeCloseTo(seconds, 6)
    }
  })
})

describe('the writer', () => {
  it('escapes attribute values, and a text track with a sidecar file reads back as one', () => {
    const xml = writeMpd({
      duration: 4,
      minBufferTime: 2,
      periods: [
        {
          id: '0',
          start: 0,
          adaptationSets: [
            {
              id: '0',
              contentType: 'video',
              mimeType: 'video/mp4',
              addressing: {
                timescale: 1,
                initialization: 'init-$RepresentationID$.m4s',
                media: 'chunk-$RepresentationID$-$Number%05d$.m4s',
                segments: [
                  { number: 1, start: 0, duration: 2 },
                  { number: 2, start: 2, duration: 2 },
                ],
              },
              representations: [{ id: 'v0', bandwidth: 1000, codecs: 'avc1.64001f' }],
            },
            {
              id: '1',
              contentType: 'text',
              mimeType: 'text/vtt',
              lang: 'en"<&>',
              representations: [{ id: 'en', bandwidth: 256, baseUrl: 'subs-en.vtt' }],
            },
          ],
        },
      ],
    })
    expect(xml).toContain('lang="en&quot;&lt;&amp;&gt;"')
    const mpd = parseMpd(xml)
    expect(mpd.duration).toBe(4)
    expect(mpdFiles(mpd)).toEqual(['init-v0.m4s', 'chunk-v0-00001.m4s', 'chunk-v0-00002.m4s', 'subs-en.vtt'])
    expect(mpd.representations[1]).toMatchObject({ id: 'en', kind: 'text', lang: 'en"<&>', timeline: null })
  })
})
