/**
 * @module Checks of an encoded ladder on disk, by native ffprobe and a plain XML read of the MPD:
 * what a DASH player and a video engineer would look at.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { XMLParser } from 'fast-xml-parser'
import { expect } from 'vitest'
import type { LadderPlan } from '../../../client/src/encode/types.ts'
import { ffprobe, segmentPackets } from '../../support/media.ts'

type Node = Record<string, unknown>
const asArray = (v: unknown): Node[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]) as Node[]

function expandTimeline(template: Node): { number: number; t: number; d: number }[] {
  const out: { number: number; t: number; d: number }[] = []
  let number = Number(template['@_startNumber'] ?? 1)
  let t = 0
  for (const s of asArray((template.SegmentTimeline as Node).S)) {
    if (s['@_t'] !== undefined) t = Number(s['@_t'])
    for (let i = 0; i <= Number(s['@_r'] ?? 0); i++) {
      out.push({ number: number++, t, d: Number(s['@_d']) })
      t += Number(s['@_d'])
    }
  }
  return out
}

const fill = (template: string, id: string, n?: number) =>
  template.replace('$RepresentationID$', id).replace('$Number%05d$', String(n ?? 0).padStart(5, '0'))

export interface LadderReport {
  videoIds: string[]
  segmentsPerRendition: number
  files: string[]
}

/** Asserts that `dir` holds a complete, playable, keyframe-aligned ladder matching `plan`. */
export async function expectValidLadder(dir: string, plan: LadderPlan): Promise<LadderReport> {
  const xml = await readFile(join(dir, 'manifest.mpd'), 'utf8')
  const mpd = new XMLParser({ ignoreAttributes: false }).parse(xml).MPD as Node
  expect(mpd['@_type']).toBe('static')
  expect(String(mpd['@_profiles'])).toContain('isoff-live')
  const sets = asArray(asArray(mpd.Period)[0]?.AdaptationSet)
  const videoSets = sets.filter((s) => s['@_contentType'] === 'video')
  const audioSets = sets.filter((s) => s['@_contentType'] === 'audio')
  expect(videoSets, 'one video adaptation set').toHaveLength(1)
  // One set per kept audio track, in the plan's order, each with its renditions (stereo, then 5.1).
  expect(audioSets.map((s) => asArray(s.Representation).map((r) => r['@_id']))).toEqual(
    plan.audio.map((track) => track.renditions.map((r) => r.id)),
  )
  const video = videoSets[0]!
  expect(video['@_segmentAlignment']).toBe('true')
  const template = video.SegmentTemplate as Node
  expect(template, 'video SegmentTemplate at adaptation-set level').toBeDefined()
  const reps = asArray(video.Representation)
  expect(reps.map((r) => r['@_id'])).toEqual(plan.renditions.map((r) => r.id))

  const timeline = expandTimeline(template)
  const timescale = Number(template['@_timescale'])
  expect(timescale).toBe(plan.videoTimescale)
  // Every segment but the last is exactly one GOP long.
  for (const seg of timeline.slice(0, -1)) expect(seg.d / timescale).toBeCloseTo(plan.segmentDuration, 6)
  expect(timeline.at(-1)!.d / timescale).toBeLessThanOrEqual(plan.segmentDuration + 1e-6)
  const total = (timeline.at(-1)!.t + timeline.at(-1)!.d) / timescale
  expect(Math.abs(total - plan.source.duration)).toBeLessThan(0.2)

  const files: string[] = ['manifest.mpd']
  const firstPts: number[][] = []
  for (const [i, rep] of reps.entries()) {
    const id = String(rep['@_id'])
    const planned = plan.renditions[i]!
    expect(Number(rep['@_width'])).toBe(planned.width)
    expect(Number(rep['@_height'])).toBe(planned.height)
    expect(String(rep['@_codecs'])).toMatch(/^avc1\.64/)
    expect(Number(rep['@_bandwidth'])).toBeGreaterThan(0)
    const init = fill(String(template['@_initialization']), id)
    expect(existsSync(join(dir, init)), init).toBe(true)
    files.push(init)
    const starts: number[] = []
    for (const seg of timeline) {
      const chunk = fill(String(template['@_media']), id, seg.number)
      expect(existsSync(join(dir, chunk)), chunk).toBe(true)
      files.push(chunk)
      const packets = await segmentPackets(dir, init, chunk)
      expect(packets.length, `${chunk} has frames`).toBeGreaterThan(0)
      // A segment starts with its one and only keyframe: switching renditions at any boundary works.
      expect(packets[0]!.key, `${chunk} starts with a keyframe`).toBe(true)
      expect(
        packets.filter((p) => p.key),
        `${chunk} has one keyframe`,
      ).toHaveLength(1)
      const start = Math.min(...packets.map((p) => p.pts))
      // The media's own timestamps agree with the manifest's timeline (slices moved into place).
      expect(start, `${chunk} starts where the timeline says`).toBeCloseTo(seg.t / timescale, 3)
      starts.push(start)
    }
    firstPts.push(starts)
    // Decoded size and shape, as a player would see them.
    const probed = await ffprobe(join(dir, `.probe-${fill(String(template['@_media']), id, 1)}.mp4`))
    const stream = probed.streams.find((s) => s.codec_type === 'video')!
    expect(stream.codec_name).toBe('h264')
    expect([stream.width, stream.height]).toEqual([planned.width, planned.height])
    // A stream that says nothing of its pixels' shape has square pixels, as every player assumes.
    const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a)
    const square = `${stream.width! / gcd(stream.width!, stream.height!)}/${stream.height! / gcd(stream.width!, stream.height!)}`
    expect(stream.display_aspect_ratio?.replace(':', '/') ?? square).toBe(
      `${plan.displayAspect.num}/${plan.displayAspect.den}`,
    )
    expect(
      stream.side_data_list?.some((d) => d.rotation),
      'no rotation left for the player to apply',
    ).toBeFalsy()
  }
  // Keyframes line up in time across the ladder.
  for (const starts of firstPts.slice(1)) {
    for (const [k, t] of starts.entries()) expect(t).toBeCloseTo(firstPts[0]![k]!, 3)
  }

  for (const set of audioSets) {
    for (const rep of asArray(set.Representation)) {
      expect(rep['@_codecs']).toBe('mp4a.40.2')
      const t = (rep.SegmentTemplate ?? set.SegmentTemplate) as Node
      const init = fill(String(t['@_initialization']), String(rep['@_id']))
      expect(existsSync(join(dir, init)), init).toBe(true)
      files.push(init)
      for (const seg of expandTimeline(t)) {
        const chunk = fill(String(t['@_media']), String(rep['@_id']), seg.number)
        expect(existsSync(join(dir, chunk)), chunk).toBe(true)
        files.push(chunk)
      }
    }
  }

  // Subtitle tracks: one WebVTT file each, named by its Representation's BaseURL.
  const textSets = sets.filter((s) => s['@_contentType'] === 'text')
  expect(textSets).toHaveLength(plan.subtitles.length)
  for (const set of textSets) {
    expect(set['@_mimeType']).toBe('text/vtt')
    const vtt = String(asArray(set.Representation)[0]!.BaseURL)
    expect((await readFile(join(dir, vtt), 'utf8')).startsWith('WEBVTT'), vtt).toBe(true)
    files.push(vtt)
  }

  // Seek-bar previews: a DASH-IF thumbnail set of JPEG sheets, and the WebVTT file pointing into them.
  const imageSets = sets.filter((s) => s['@_contentType'] === 'image')
  expect(imageSets).toHaveLength(plan.thumbnails ? 1 : 0)
  if (plan.thumbnails) {
    const rep = asArray(imageSets[0]!.Representation)[0]!
    const t = (rep.SegmentTemplate ?? imageSets[0]!.SegmentTemplate) as Node
    const sheets = Math.ceil(
      plan.source.duration / (Number(t['@_duration']) / Number(t['@_timescale'] ?? 1) || Infinity),
    )
    expect(sheets).toBeGreaterThan(0)
    for (let n = Number(t['@_startNumber'] ?? 1), i = 0; i < sheets; i++, n++) {
      const sheet = fill(String(t['@_media']), String(rep['@_id']), n)
      expect(existsSync(join(dir, sheet)), sheet).toBe(true)
      files.push(sheet)
    }
    const cues = await readFile(join(dir, 'thumbs.vtt'), 'utf8')
    expect(cues).toMatch(/#xywh=\d+,\d+,\d+,\d+/)
    files.push('thumbs.vtt')
  }

  // The manifest as a whole, read by ffmpeg's own DASH demuxer.
  const whole = await ffprobe(join(dir, 'manifest.mpd'))
  const videos = whole.streams.filter((s) => s.codec_type === 'video')
  expect(videos.map((s) => `${s.width}x${s.height}`)).toEqual(
    plan.renditions.map((r) => `${r.width}x${r.height}`),
  )
  expect(whole.streams.filter((s) => s.codec_type === 'audio').length).toBeGreaterThanOrEqual(
    plan.audio.length > 0 ? 1 : 0,
  )
  if (plan.audio.length > 0)
    expect(whole.streams.find((s) => s.codec_type === 'audio')?.codec_name).toBe('aac')

  const poster = await ffprobe(join(dir, 'poster.jpg'))
  expect(poster.streams[0]?.codec_name).toBe('mjpeg')
  expect([poster.streams[0]?.width, poster.streams[0]?.height]).toEqual([
    plan.poster.width,
    plan.poster.height,
  ])
  files.push('poster.jpg')

  return { videoIds: reps.map((r) => String(r['@_id'])), segmentsPerRendition: timeline.length, files }
}
