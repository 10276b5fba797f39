/** Where a resumed encode starts: per rendition, the first segment the server does not have. */
import { describe, expect, it } from 'vitest'
import { planLadder } from '../../client/src/encode/ladder.ts'
import type { ProbeResult } from '../../client/src/encode/types.ts'
import { resumePoint } from '../../client/src/upload/session.ts'

const probe: ProbeResult = {
  duration: 60,
  width: 640,
  height: 360,
  rotation: 0,
  sampleAspectRatio: { num: 1, den: 1 },
  fps: 30,
  interlaced: false,
  videoCodec: 'h264',
  audioCodec: null,
  hasAudio: false,
  audioChannels: 0,
  audioLanguage: null,
  audioTracks: [],
  subtitleTracks: [],
  videoBitrate: null,
  size: 1_000_000,
  container: 'mov,mp4,m4a,3gp,3g2,mj2',
}

describe('resumePoint', () => {
  const plan = planLadder(probe)
  const ids = plan.renditions.map((r) => r.id)

  it('starts every rendition at its first missing segment, gaps after it notwithstanding', () => {
    expect(ids).toEqual(['v0', 'v1'])
    const stored = new Map(
      [
        'init-v0.m4s',
        'chunk-v0-00001.m4s',
        'chunk-v0-00002.m4s',
        'chunk-v0-00004.m4s',
        'chunk-v1-00001.m4s',
        'poster.jpg',
      ].map((path, i) => [path, { size: 100 + i }]),
    )
    const point = resumePoint(plan, stored)
    expect(point?.from).toEqual({ v0: 3, v1: 2 })
    // Sizes of the stored media segments, for the manifest's bandwidth.
    expect([...(point?.sizes.keys() ?? [])].sort()).toEqual([
      'chunk-v0-00001.m4s',
      'chunk-v0-00002.m4s',
      'chunk-v0-00004.m4s',
      'chunk-v1-00001.m4s',
    ])
  })

  it('says nothing when no segment is stored', () => {
    expect(resumePoint(plan, new Map([['poster.jpg', { size: 1 }]]))).toBeUndefined()
  })
})
