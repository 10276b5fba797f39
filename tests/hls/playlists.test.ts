/**
 * HLS playlists derived from manifests, read back by m3u8-parser (a maintained HLS parser, not
 * ours): manifests the encoder writes and manifests native ffmpeg writes, with and without a
 * SegmentTimeline, with several audio languages, 5.1 beside stereo, and subtitle tracks. Every
 * segment is listed with its duration, every media playlist maps its exact init segment, and the
 * target duration holds every EXTINF.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type ParsedManifest, Parser } from 'm3u8-parser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { planLadder } from '../../client/src/encode/ladder.ts'
import { buildManifest } from '../../client/src/encode/manifest.ts'
import {
  hlsPlaylists,
  hlsUnsupported,
  type Mpd,
  type MpdRepresentation,
  parseMpd,
  replaceTextSets,
  textAdaptationSet,
} from '../../server/lib/dash/index.ts'
import { sizesOf, webCodecsTracks } from '../dash/encoder-tracks.ts'
import { probed } from '../encode/support/fixtures.ts'
import { type DashMovie, makeDash } from '../support/media.ts'

/** Parses a playlist, failing on anything the parser warns about. */
function parse(text: string): ParsedManifest {
  const parser = new Parser()
  const warnings: string[] = []
  parser.on('warn', (e) => warnings.push(e.message))
  parser.push(text)
  parser.end()
  expect(warnings).toEqual([])
  return parser.manifest
}

/** The playlists of a manifest, parsed, by path. */
function derive(mpd: Mpd, sizes?: ReadonlyMap<string, number>, manifestPath = 'manifest.mpd') {
  const hls = hlsPlaylists(mpd, { manifestPath, ...(sizes ? { sizes } : {}) })
  if (!hls) throw new Error(`no HLS: ${hlsUnsupported(mpd)}`)
  const parsed = new Map(hls.files.map((f) => [f.path, parse(f.text)]))
  return { hls, master: parsed.get(hls.master)!, playlist: (uri: string) => parsed.get(uri)! }
}

/**
 * Every video and audio Representation has a media playlist listing each of its segments, in
 * order, with its duration from the timeline (the last one ends with the presentation), under
 * its own init segment; the target duration holds every rounded EXTINF.
 */
function expectMediaPlaylists(mpd: Mpd, playlist: (uri: string) => ParsedManifest, master: ParsedManifest) {
  const uris = new Map<MpdRepresentation, string>()
  for (const variant of master.playlists ?? []) {
    const rep = mpd.representations.find((r) => `hls-${r.id}.m3u8` === variant.uri)
    expect(rep?.kind).toBe('video')
    uris.set(rep!, variant.uri)
  }
  for (const group of Object.values(master.mediaGroups.AUDIO)) {
    for (const rendition of Object.values(group)) {
      const rep = mpd.representations.find((r) => `hls-${r.id}.m3u8` === rendition.uri)
      expect(rep?.kind).toBe('audio')
      uris.set(rep!, rendition.uri!)
    }
  }
  expect([...uris.keys()].filter((r) => r.kind === 'video')).toHaveLength(
    mpd.representations.filter((r) => r.kind === 'video').length,
  )
  for (const [rep, uri] of uris) {
    const media = playlist(uri)
    expect(media.version).toBe(7)
    expect(media.playlistType).toBe('VOD')
    expect(media.endList).toBe(true)
    expect(media.segments.map((s) => s.uri)).toEqual(rep.segments)
    const { timescale, segments } = rep.timeline!
    const end = segments[0]!.start / timescale + mpd.duration!
    media.segments.forEach((s, i) => {
      const t = segments[i]!
      const expected = Math.min(t.duration / timescale, end - t.start / timescale)
      expect(s.duration).toBeCloseTo(expected, 6)
      expect(s.map).toEqual({ uri: rep.initialization })
      expect(media.targetDuration).toBeGreaterThanOrEqual(Math.round(s.duration))
    })
    const total = media.segments.reduce((a, s) => a + s.duration, 0)
    expect(total).toBeCloseTo(mpd.duration!, 3)
  }
  return uris
}

describe('playlists from manifests the encoder writes', () => {
  // 29.97 fps, Japanese stereo (main) + 5.1, an English dub, subtitles and signs, previews.
  const plan = planLadder(
    probed({
      duration: 9.3,
      width: 1280,
      height: 720,
      fps: 30000 / 1001,
      audioTracks: [
        {
          index: 0,
          codec: 'aac',
          channels: 6,
          channelLayout: '5.1',
          language: 'jpn',
          title: null,
          default: true,
        },
        {
          index: 1,
          codec: 'aac',
          channels: 2,
          channelLayout: 'stereo',
          language: 'eng',
          title: 'English dub',
          default: false,
        },
      ],
    }),
  )
  const { video, audio } = webCodecsTracks(plan)
  const sizes = sizesOf([...video, ...audio])
  const subtitles = [
    {
      id: 's0',
      language: 'en',
      label: 'English',
      role: 'subtitle' as const,
      path: 'subs-en-0a1b2c3d.vtt',
      bandwidth: 90,
    },
    {
      id: 's1',
      language: 'en',
      label: 'English "signs"',
      role: 'forced-subtitle' as const,
      path: 'subs-en-11112222.vtt',
      bandwidth: 20,
    },
    {
      id: 's2',
      language: 'es',
      label: 'Español',
      role: 'caption' as const,
      path: 'subs-es-33334444.vtt',
      bandwidth: 80,
    },
  ]
  const xml = buildManifest({ plan, video, audio, sizes, subtitles })
  const mpd = parseMpd(xml)

  it('lists every segment of every rendition with its exact duration and init map', () => {
    const { master, playlist } = derive(mpd, sizes)
    const listed = expectMediaPlaylists(mpd, playlist, master)
    expect([...listed.keys()].map((r) => r.id).sort()).toEqual(
      mpd.representations
        .filter((r) => r.kind === 'video' || r.kind === 'audio')
        .map((r) => r.id)
        .sort(),
    )
  })

  it('offers every picture with each kind of sound, at measured bit rates, with codecs and frame rate', () => {
    const { master } = derive(mpd, sizes)
    expect(master.version).toBe(7)
    expect(master.independentSegments).toBe(true)
    const groups = master.mediaGroups.AUDIO
    // Stereo and 5.1 are two groups; each holds one rendition per language that has that sound.
    expect(Object.keys(groups)).toHaveLength(2)
    const stereo = Object.entries(groups).find(([id]) => id.endsWith('-2ch'))![1]
    const surround = Object.entries(groups).find(([id]) => id.endsWith('-6ch'))![1]
    expect(
      Object.values(stereo)
        .map((r) => r.language)
        .sort(),
    ).toEqual(['en', 'ja'])
    expect(Object.values(surround).map((r) => r.language)).toEqual(['ja'])
    expect(Object.values(stereo).filter((r) => r.default)).toHaveLength(1)
    const videos = mpd.representations.filter((r) => r.kind === 'video')
    expect(master.playlists).toHaveLength(videos.length * 2)
    for (const variant of master.playlists!) {
      const rep = videos.find((r) => `hls-${r.id}.m3u8` === variant.uri)!
      const a = variant.attributes
      expect(a.RESOLUTION).toEqual({ width: rep.width, height: rep.height })
      expect(a['FRAME-RATE']).toBeCloseTo(29.97, 2)
      expect(a.CODECS).toBe(`${rep.codecs},mp4a.40.2`)
      expect(a.SUBTITLES).toBe('subs')
      const group = Object.values(groups[a.AUDIO!]!)
      const audioReps = group.map((g) => mpd.representations.find((r) => `hls-${r.id}.m3u8` === g.uri)!)
      const peak = (r: MpdRepresentation) =>
        Math.max(
          ...r.segments
            .slice(0, -1)
            .map((s, i) => (sizes.get(s)! * 8 * r.timeline!.timescale) / r.timeline!.segments[i]!.duration),
        )
      // The last, short segments carry no weight here (made-up sizes grow with the number).
      expect(a.BANDWIDTH).toBeGreaterThanOrEqual(Math.floor(peak(rep) + Math.max(...audioReps.map(peak))))
      expect(Number(a['AVERAGE-BANDWIDTH'])).toBeLessThanOrEqual(a.BANDWIDTH)
      expect(Number(a['AVERAGE-BANDWIDTH'])).toBeGreaterThan(0)
    }
  })

  it('lists the subtitle tracks, forced and captions marked, each its whole file', () => {
    const { master, playlist } = derive(mpd, sizes)
    const subs = Object.values(master.mediaGroups.SUBTITLES.subs!)
    expect(subs).toHaveLength(3)
    expect(subs.map((s) => [s.language, s.forced ?? false, s.default])).toEqual([
      ['en', false, false],
      ['en', true, false],
      ['es', false, false],
    ])
    expect(subs[2]!.characteristics).toContain('public.accessibility.transcribes-spoken-dialog')
    for (const [i, s] of subs.entries()) {
      const media = playlist(s.uri!)
      expect(media.segments).toEqual([expect.objectContaining({ uri: subtitles[i]!.path })])
      expect(media.segments[0]!.duration).toBeCloseTo(mpd.duration!, 6)
      expect(media.targetDuration).toBeGreaterThanOrEqual(Math.round(mpd.duration!))
    }
    // A NAME is a quoted string: the label's double quotes could not stay.
    expect(Object.keys(master.mediaGroups.SUBTITLES.subs!)).toContain("English 'signs'")
  })

  it('names the multivariant playlist after the manifest version', () => {
    expect(hlsPlaylists(mpd, { manifestPath: 'manifest.mpd' })!.master).toBe('master.m3u8')
    expect(hlsPlaylists(mpd, { manifestPath: 'manifest-v4.mpd' })!.master).toBe('master-v4.m3u8')
  })
})

describe('playlists from manifests native ffmpeg writes', () => {
  let timeline: DashMovie
  let fixed: DashMovie
  beforeAll(async () => {
    ;[timeline, fixed] = await Promise.all([
      makeDash({ seconds: 5.5, audioLanguages: ['jpn', 'eng'] }),
      makeDash({ seconds: 5.5, segmentSeconds: 2, timeline: false }),
    ])
  }, 120_000)
  afterAll(async () => {
    await timeline?.cleanup()
    await fixed?.cleanup()
  })

  async function read(movie: DashMovie): Promise<{ mpd: Mpd; xml: string; sizes: Map<string, number> }> {
    const xml = await readFile(join(movie.dir, 'manifest.mpd'), 'utf8')
    const sizes = new Map<string, number>()
    for (const f of movie.files) sizes.set(f, (await movie.bytes(f)).byteLength)
    return { mpd: parseMpd(xml), xml, sizes }
  }

  /** The init map names a file that is an init segment: ftyp and moov, no fragment. */
  async function expectInitSegments(movie: DashMovie, mpd: Mpd) {
    for (const rep of mpd.representations.filter((r) => r.kind === 'video' || r.kind === 'audio')) {
      const bytes = await movie.bytes(rep.initialization!)
      const boxes = topBoxes(bytes)
      expect(boxes).toContain('moov')
      expect(boxes).not.toContain('moof')
    }
  }

  it('with a SegmentTimeline and two audio languages', async () => {
    const { mpd, sizes } = await read(timeline)
    expect(mpd.representations.filter((r) => r.kind === 'audio').map((r) => r.lang)).toEqual(['jpn', 'eng'])
    const { master, playlist } = derive(mpd, sizes)
    expectMediaPlaylists(mpd, playlist, master)
    const [group] = Object.values(master.mediaGroups.AUDIO)
    expect(Object.values(group!).map((r) => [r.language, r.default])).toEqual([
      ['ja', true],
      ['en', false],
    ])
    for (const variant of master.playlists!) {
      // Measured: the busiest segment of the picture plus the busiest of the sound, in bits/s.
      expect(variant.attributes.BANDWIDTH).toBeGreaterThan(Number(variant.attributes['AVERAGE-BANDWIDTH']))
      expect(variant.attributes.CODECS).toMatch(/^avc1\.[0-9a-f]{6},mp4a\.40\.2$/)
    }
    await expectInitSegments(timeline, mpd)
  })

  it('with a fixed @duration (no timeline), the last segment cut at the end', async () => {
    const { mpd, sizes } = await read(fixed)
    expect(mpd.representations[0]!.timeline!.segments.map((s) => s.duration)).toEqual(
      [2, 2, 2].map((s) => s * mpd.representations[0]!.timeline!.timescale),
    )
    const { master, playlist } = derive(mpd, sizes)
    expectMediaPlaylists(mpd, playlist, master)
    const last = playlist(master.playlists![0]!.uri).segments.at(-1)!
    expect(last.duration).toBeCloseTo(1.5, 2)
    await expectInitSegments(fixed, mpd)
  })

  it('follows the subtitle sets the server swaps in after publishing', async () => {
    const { xml, sizes } = await read(timeline)
    const edited = replaceTextSets(xml, [
      textAdaptationSet('9', {
        id: 's0',
        language: 'fr',
        label: 'Français',
        role: 'subtitle',
        path: 'subs-fr-01234567.vtt',
        bandwidth: 10,
      }),
    ])
    const { master, hls } = derive(parseMpd(edited), sizes, 'manifest-v2.mpd')
    expect(hls.master).toBe('master-v2.m3u8')
    const subs = Object.values(master.mediaGroups.SUBTITLES.subs!)
    expect(subs.map((s) => [s.language, s.uri])).toEqual([['fr', 'hls-sub-subs-fr-01234567.m3u8']])
    expect(master.playlists!.every((p) => p.attributes.SUBTITLES === 'subs')).toBe(true)
  })
})

describe('manifests that get no HLS', () => {
  const mpdOf = (sets: string) =>
    parseMpd(
      `<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT4S" minBufferTime="PT2S"><Period id="0">${sets}</Period></MPD>`,
    )

  it('WebM segments', () => {
    const mpd = mpdOf(
      `<AdaptationSet mimeType="video/webm" codecs="vp9"><SegmentTemplate timescale="1000" duration="2000" initialization="i-$RepresentationID$.webm" media="c-$RepresentationID$-$Number$.webm"/><Representation id="v" bandwidth="1000"/></AdaptationSet>`,
    )
    expect(hlsUnsupported(mpd)).toMatch(/not fragmented MP4/)
    expect(hlsPlaylists(mpd, { manifestPath: 'manifest.mpd' })).toBeNull()
  })

  it('one self-indexed file (SegmentBase)', () => {
    const mpd = mpdOf(
      `<AdaptationSet mimeType="video/mp4" codecs="avc1.64001f"><Representation id="v" bandwidth="1000"><BaseURL>movie.mp4</BaseURL><SegmentBase indexRange="800-900"><Initialization range="0-799"/></SegmentBase></Representation></AdaptationSet>`,
    )
    expect(hlsUnsupported(mpd)).toMatch(/no init segment|SegmentTemplate/)
  })

  it('several Periods', () => {
    const two = parseMpd(
      `<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT4S" minBufferTime="PT2S">${[
        0, 1,
      ]
        .map(
          (p) =>
            `<Period id="${p}" duration="PT2S"><AdaptationSet mimeType="video/mp4" codecs="avc1.64001f"><SegmentTemplate timescale="1000" duration="2000" initialization="i$RepresentationID$.m4s" media="c$RepresentationID$-$Number$.m4s"/><Representation id="v${p}" bandwidth="1000"/></AdaptationSet></Period>`,
        )
        .join('')}</MPD>`,
    )
    expect(hlsUnsupported(two)).toMatch(/several Periods/)
  })
})

/** The types of the top-level ISO BMFF boxes of a file. */
function topBoxes(bytes: Uint8Array): string[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const out: string[] = []
  for (let at = 0; at + 8 <= bytes.byteLength; ) {
    const size = view.getUint32(at)
    out.push(String.fromCharCode(...bytes.subarray(at + 4, at + 8)))
    if (size < 8) break
    at += size
  }
  return out
}
