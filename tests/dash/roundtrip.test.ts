/**
 * What the encoder writes, read back by what the server reads at publish: every manifest shape either
 * backend can produce goes through buildManifest (WebCodecs) or the instance-manifest merge
 * (ffmpeg.wasm) and then through parseMpd, which must list exactly the files the encoder produced,
 * with durations, timelines and media attributes intact.
 */
import { describe, expect, it } from 'vitest'
import { type EncodeJob, planJobs, renameOutput, streamIds } from '../../client/src/encode/jobs.ts'
import { planLadder } from '../../client/src/encode/ladder.ts'
import { buildManifest, type Track } from '../../client/src/encode/manifest.ts'
import { mergeJobManifests } from '../../client/src/encode/merge.ts'
import { format } from '../../client/src/encode/rational.ts'
import type { LadderPlan } from '../../client/src/encode/types.ts'
import {
  INIT_TEMPLATE,
  initName,
  MEDIA_TEMPLATE,
  type Mpd,
  measuredBandwidth,
  mediaName,
  mpdFiles,
  parseMpd,
  type TimelineSegment,
  timelineSeconds,
} from '../../server/lib/dash/index.ts'
import { probed } from '../encode/support/fixtures.ts'
import {
  AUDIO_TIMESCALE,
  audioSegments,
  filesOf,
  sizesOf,
  videoSegments,
  webCodecsTracks,
} from './encoder-tracks.ts'

const sorted = (list: readonly string[]) => [...list].sort()
const rep = (mpd: Mpd, id: string) => mpd.representations.find((r) => r.id === id)!

/** Reads `xml` as publish does and checks it names exactly `files` and keeps every track's timeline. */
function expectReadBack(
  plan: LadderPlan,
  xml: string,
  tracks: readonly Track[],
  sizes: ReadonlyMap<string, number>,
): Mpd {
  const mpd = parseMpd(xml, { manifestPath: 'manifest.mpd' })
  expect(mpd.type).toBe('static')
  expect(sorted(mpdFiles(mpd))).toEqual(sorted(filesOf(tracks)))
  expect(mpd.representations.map((r) => r.id)).toEqual(tracks.map((t) => t.id))
  for (const track of tracks) {
    const read = rep(mpd, track.id)
    expect(read.kind).toBe(track.contentType)
    expect(read.timeline?.timescale).toBe(track.timescale)
    expect(read.timeline?.segments.map((s) => [s.number, s.start])).toEqual(
      track.segments.map((s) => [s.number, s.start]),
    )
    // Measured on the segments' sizes, with the player's buffer of one segment (2 s at least).
    expect(read.bandwidth).toBe(measuredBandwidth(track, sizes, Math.max(2, plan.segmentDuration)))
  }
  expect(mpd.duration).toBeCloseTo(timelineSeconds(tracks[0]!), 3)
  return mpd
}

describe('manifests the WebCodecs backend writes, read by the server', () => {
  it('an aligned ladder shares one timeline and keeps every attribute', () => {
    const plan = planLadder(probed({ duration: 7, width: 1280, height: 720, audioLanguage: 'jpn' }))
    const { video, audio } = webCodecsTracks(plan)
    const tracks = [...video, ...audio]
    const sizes = sizesOf(tracks)
    const xml = buildManifest({ plan, video, audio, sizes })
    // One SegmentTemplate for the whole video set.
    expect(xml.match(/<SegmentTemplate/g)).toHaveLength(2)
    const mpd = expectReadBack(plan, xml, tracks, sizes)
    expect(rep(mpd, 'v0')).toMatchObject({
      width: 1280,
      height: 720,
      sar: '1:1',
      frameRate: '30',
      codecs: 'avc1.64001f',
    })
    expect(rep(mpd, 'v1').timeline?.segments).toEqual(video[1]!.segments)
    expect(rep(mpd, 'a0')).toMatchObject({
      kind: 'audio',
      lang: 'jpn',
      codecs: 'mp4a.40.2',
      audioSamplingRate: 48_000,
      channels: 2,
    })
    expect(rep(mpd, 'a0').timeline?.segments).toEqual(audio[0]!.segments)
  })

  it('a ladder without audio', () => {
    const plan = planLadder(probed({ duration: 5, width: 640, height: 360, hasAudio: false }))
    const { video, audio } = webCodecsTracks(plan)
    expect(audio).toEqual([])
    const sizes = sizesOf(video)
    const mpd = expectReadBack(plan, buildManifest({ plan, video, audio, sizes }), video, sizes)
    expect(mpd.representations.some((r) => r.kind === 'audio')).toBe(false)
  })

  it('a 29.97 fps source keeps its fractional frame rate and exact segment ticks', () => {
    const plan = planLadder(probed({ duration: 9, width: 1280, height: 720, fps: 30000 / 1001 }))
    const { video, audio } = webCodecsTracks(plan)
    // 60 frames of 1001/30000 s in a 90 kHz clock.
    expect(video[0]!.segments[0]!.duration).toBe(180_180)
    const tracks = [...video, ...audio]
    const sizes = sizesOf(tracks)
    const mpd = expectReadBack(plan, buildManifest({ plan, video, audio, sizes }), tracks, sizes)
    for (const r of plan.renditions) expect(rep(mpd, r.id).frameRate).toBe('30000/1001')
    expect(rep(mpd, 'v0').timeline?.segments).toEqual(video[0]!.segments)
  })

  it('a 59.94 fps source with its low rungs at half rate', () => {
    const plan = planLadder(probed({ duration: 8.5, width: 1280, height: 720, fps: 60000 / 1001 }))
    expect(plan.renditions.map((r) => format(r.frameRate))).toEqual([
      '60000/1001',
      '30000/1001',
      '30000/1001',
      '30000/1001',
    ])
    const { video, audio } = webCodecsTracks(plan)
    const tracks = [...video, ...audio]
    const sizes = sizesOf(tracks)
    const xml = buildManifest({ plan, video, audio, sizes })
    expect(xml).toContain('maxFrameRate="60000/1001"')
    const mpd = expectReadBack(plan, xml, tracks, sizes)
    expect(plan.renditions.map((r) => rep(mpd, r.id).frameRate)).toEqual(
      plan.renditions.map((r) => format(r.frameRate)),
    )
  })

  it('timelines that do not line up get one each, and a gap keeps its exact start (S@t)', () => {
    const plan = planLadder(probed({ duration: 7, width: 640, height: 360, hasAudio: false }))
    const { video } = webCodecsTracks(plan)
    // v1 is missing a stretch after its first segment: its second segment starts 3000 ticks late.
    const skewed: Track = {
      ...video[1]!,
      segments: video[1]!.segments.map((s, i) =>
        i === 0 ? s : { ...s, start: s.start + 3000, duration: i === 1 ? s.duration - 3000 : s.duration },
      ),
    }
    const tracks = [video[0]!, skewed]
    const sizes = sizesOf(tracks)
    const xml = buildManifest({ plan, video: tracks, audio: [], sizes })
    expect(xml).toContain('segmentAlignment="false"')
    expect(xml).toMatch(/<S t="183000" d="177000"\/>/)
    const mpd = expectReadBack(plan, xml, tracks, sizes)
    expect(rep(mpd, 'v1').timeline?.segments).toEqual(skewed.segments)
    expect(rep(mpd, 'v0').timeline?.segments).toEqual(video[0]!.segments)
  })
})

/**
 * The manifest ffmpeg 5.1's DASH muxer writes in one instance for one job (as `-use_template 1
 * -use_timeline 1` with our names): stream indexes as ids, times from zero, segments from 1.
 */
function ffmpegInstanceManifest(plan: LadderPlan, job: EncodeJob): string {
  const seconds = job.range ? (job.range.end ?? plan.source.duration) - job.range.start : plan.source.duration
  const template = (timescale: number, segments: TimelineSegment[]) => {
    const runs: string[] = []
    for (const s of segments) runs.push(`\t\t\t\t\t\t<S ${s.start === 0 ? 't="0" ' : ''}d="${s.duration}" />`)
    return [
      `\t\t\t\t<SegmentTemplate timescale="${timescale}" initialization="${INIT_TEMPLATE}" media="${MEDIA_TEMPLATE}" startNumber="1">`,
      '\t\t\t\t\t<SegmentTimeline>',
      ...runs,
      '\t\t\t\t\t</SegmentTimeline>',
      '\t\t\t\t</SegmentTemplate>',
    ].join('\n')
  }
  const sets: string[] = []
  if (job.renditions.length > 0) {
    const reps = job.renditions.map((r, i) =>
      [
        `\t\t\t<Representation id="${i}" mimeType="video/mp4" codecs="avc1.640028" bandwidth="${r.bitrate}" width="${r.width}" height="${r.height}" sar="1:1">`,
        template(plan.videoTimescale, videoSegments(plan, seconds)),
        '\t\t\t</Representation>',
      ].join('\n'),
    )
    const rate = format(job.renditions[0]!.frameRate)
    sets.push(
      `\t\t<AdaptationSet id="0" contentType="video" startWithSAP="1" segmentAlignment="true" bitstreamSwitching="true" frameRate="${rate}" maxWidth="${job.renditions[0]!.width}" maxHeight="${job.renditions[0]!.height}" par="16:9">\n${reps.join('\n')}\n\t\t</AdaptationSet>`,
    )
  }
  if (job.audio.length > 0) {
    sets.push(
      [
        `\t\t<AdaptationSet id="${sets.length}" contentType="audio" startWithSAP="1" segmentAlignment="true" bitstreamSwitching="true">`,
        ...job.audio.flatMap((a, k) => [
          `\t\t\t<Representation id="${job.renditions.length + k}" mimeType="audio/mp4" codecs="mp4a.40.2" bandwidth="${a.bitrate}" audioSamplingRate="${a.sampleRate}">`,
          `\t\t\t\t<AudioChannelConfiguration schemeIdUri="urn:mpeg:dash:23003:3:audio_channel_configuration:2011" value="${a.channels}" />`,
          template(AUDIO_TIMESCALE, audioSegments(seconds)),
          '\t\t\t</Representation>',
        ]),
        '\t\t</AdaptationSet>',
      ].join('\n'),
    )
  }
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<MPD xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
    '\txmlns="urn:mpeg:dash:schema:mpd:2011"',
    '\txmlns:xlink="http://www.w3.org/1999/xlink"',
    '\tprofiles="urn:mpeg:dash:profile:isoff-live:2011"',
    '\ttype="static"',
    `\tmediaPresentationDuration="PT${seconds.toFixed(1)}S"`,
    '\tminBufferTime="PT4.0S">',
    '\t<ProgramInformation>',
    '\t</ProgramInformation>',
    '\t<Period id="0" start="PT0.0S">',
    ...sets,
    '\t</Period>',
    '</MPD>',
  ].join('\n')
}

/** The names of the files one instance writes for a job, as its DASH muxer spells them. */
function instanceFiles(plan: LadderPlan, job: EncodeJob): string[] {
  const seconds = job.range ? (job.range.end ?? plan.source.duration) - job.range.start : plan.source.duration
  return streamIds(job).flatMap((id, i) => {
    const segments = job.audio.some((a) => a.id === id)
      ? audioSegments(seconds)
      : videoSegments(plan, seconds)
    return [initName(String(i)), ...segments.map((s) => mediaName(String(i), s.number))]
  })
}

describe('manifests the ffmpeg.wasm backend writes, read by the server', () => {
  it.each([
    { name: 'split by rendition over two instances', workers: 2, split: 'renditions' as const, seconds: 7 },
    { name: 'sliced in time over three instances, joined', workers: 3, split: 'time' as const, seconds: 13 },
  ])('$name', ({ workers, split, seconds }) => {
    const plan = planLadder(probed({ duration: seconds, width: 1280, height: 720 }))
    const jobs = planJobs(plan, workers, split)
    if (split === 'time') expect(jobs.filter((j) => j.range)).toHaveLength(3)
    // What leaves the instances under its final name: the files the merged manifest must name.
    const produced = new Set<string>()
    for (const job of jobs) {
      for (const name of instanceFiles(plan, job)) {
        const out = renameOutput(job, name)
        if (out) produced.add(out.path)
      }
    }
    const sizes = new Map([...produced].map((path, i) => [path, 30_000 + i]))
    const manifests = new Map(jobs.map((job) => [job.id, ffmpegInstanceManifest(plan, job)]))
    const mpd = parseMpd(mergeJobManifests(plan, jobs, manifests, sizes))
    expect(sorted(mpdFiles(mpd))).toEqual(sorted([...produced]))
    // The slices make one seamless timeline from zero, numbered from 1.
    const expected = videoSegments(plan, seconds)
    for (const r of plan.renditions) expect(rep(mpd, r.id).timeline?.segments).toEqual(expected)
    expect(rep(mpd, 'a0').timeline?.segments).toEqual(audioSegments(seconds))
    expect(rep(mpd, 'a0').channels).toBe(2)
    expect(mpd.duration).toBeCloseTo(seconds, 3)
  })
})
