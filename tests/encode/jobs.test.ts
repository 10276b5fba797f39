import { describe, expect, it } from 'vitest'
import { planJobs, renameOutput, streamIds } from '../../client/src/encode/jobs.ts'
import { planLadder } from '../../client/src/encode/ladder.ts'
import { probed } from './support/fixtures.ts'

const source = (over: Parameters<typeof probed>[0] = {}) =>
  probed({ duration: 10, width: 1280, height: 720, ...over })

const shape = (jobs: ReturnType<typeof planJobs>) =>
  jobs.map((j) => [
    ...j.renditions.map((r) => r.label),
    ...(j.audio.length > 0 ? ['audio'] : []),
    ...(j.poster ? ['poster'] : []),
  ])

describe('planJobs', () => {
  it('puts the whole ladder in one instance when there is one core', () => {
    expect(shape(planJobs(planLadder(source()), 1))).toEqual([
      ['720p', '480p', '360p', '240p', 'audio', 'poster'],
    ])
  })

  it('gives the top rendition its own instance on two cores, and the rest with audio to the other', () => {
    expect(shape(planJobs(planLadder(source()), 2))).toEqual([
      ['720p'],
      ['480p', '360p', '240p', 'audio', 'poster'],
    ])
  })

  it('balances a 1080p ladder by cost, stopping where the 1080p rendition alone sets the pace', () => {
    // 1080p costs more than everything else together, so a third instance could not finish sooner.
    for (const workers of [3, 16]) {
      expect(shape(planJobs(planLadder(source({ width: 1920, height: 1080 })), workers))).toEqual([
        ['1080p'],
        ['720p', '480p', '360p', '240p', 'audio', 'poster'],
      ])
    }
  })

  it('uses three instances when three balance better than two', () => {
    const plan = planLadder(source({ width: 1600, height: 900 }))
    expect(shape(planJobs(plan, 3))).toEqual([
      ['900p'],
      ['720p'],
      ['480p', '360p', '240p', 'audio', 'poster'],
    ])
  })

  it('hands every rendition, the audio and the poster to exactly one instance', () => {
    for (const workers of [1, 2, 3, 4, 8]) {
      const plan = planLadder(source({ width: 1920, height: 1080 }))
      const jobs = planJobs(plan, workers)
      expect(jobs.flatMap((j) => j.renditions.map((r) => r.id)).toSorted()).toEqual(
        plan.renditions.map((r) => r.id).toSorted(),
      )
      expect(jobs.filter((j) => j.audio.length > 0)).toHaveLength(1)
      expect(jobs.filter((j) => j.poster)).toHaveLength(1)
    }
  })

  it('plans no audio for a silent source', () => {
    expect(planJobs(planLadder(source({ hasAudio: false })), 2).some((j) => j.audio.length > 0)).toBe(false)
  })
})

describe('planJobs slicing by time', () => {
  const long = planLadder(source({ width: 1920, height: 1080, duration: 60 }))

  it('cuts a long movie into contiguous slices on segment boundaries, plus an audio job', () => {
    const jobs = planJobs(long, 4, 'time')
    const slices = jobs.filter((j) => j.range)
    expect(slices).toHaveLength(4)
    expect(slices.map((j) => j.range)).toEqual([
      { start: 0, end: 16, firstSegment: 0 },
      { start: 16, end: 32, firstSegment: 8 },
      { start: 32, end: 46, firstSegment: 16 },
      { start: 46, end: null, firstSegment: 23 },
    ])
    for (const slice of slices) expect(slice.renditions).toEqual(long.renditions)
    expect(shape(jobs).at(-1)).toEqual(['audio', 'poster'])
  })

  it('slices a long movie on many cores by itself, but not a short clip on two', () => {
    expect(planJobs(long, 4).some((j) => j.range)).toBe(true)
    expect(planJobs(planLadder(source()), 2).some((j) => j.range)).toBe(false)
  })

  it('gives the poster to the last slice when there is no audio job', () => {
    const jobs = planJobs(planLadder(source({ duration: 60, hasAudio: false })), 3, 'time')
    expect(jobs).toHaveLength(3)
    expect(jobs.map((j) => j.poster)).toEqual([false, false, true])
  })

  it('does not slice what is too short, or segments that ffmpeg cannot seek to exactly', () => {
    expect(planJobs(planLadder(source({ duration: 5 })), 4, 'time').some((j) => j.range)).toBe(false)
    // 14.985 fps: a 30-frame segment is 2.002002… s, not a whole number of microseconds.
    const odd = planLadder(source({ duration: 60, fps: 14.985 }))
    expect(planJobs(odd, 4, 'time').some((j) => j.range)).toBe(false)
  })

  it('numbers a later slice after the earlier ones and drops its duplicate init segments', () => {
    const slice = planJobs(long, 4, 'time')[1]!
    expect(renameOutput(slice, 'chunk-0-00002.m4s')?.path).toBe('chunk-v0-00010.m4s')
    expect(renameOutput(slice, 'init-0.m4s')).toBeNull()
    expect(renameOutput(planJobs(long, 4, 'time')[0]!, 'init-0.m4s')?.path).toBe('init-v0.m4s')
  })
})

describe('renameOutput', () => {
  const jobs = planJobs(planLadder(source()), 2)
  const second = jobs[1]!

  it('maps an instance stream index to the ladder id', () => {
    expect(streamIds(second)).toEqual(['v1', 'v2', 'v3', 'a0'])
    expect(renameOutput(second, 'init-0.m4s')).toEqual({
      path: 'init-v1.m4s',
      kind: 'init',
      representation: 'v1',
    })
    expect(renameOutput(second, 'chunk-3-00012.m4s')).toEqual({
      path: 'chunk-a0-00012.m4s',
      kind: 'segment',
      representation: 'a0',
    })
  })

  it('recognises the poster and the instance manifest, and ignores anything else', () => {
    expect(renameOutput(second, 'poster.rgba')).toEqual({ path: 'poster.jpg', kind: 'poster' })
    expect(renameOutput(second, 'manifest.mpd')?.kind).toBe('instance-manifest')
    expect(renameOutput(second, 'chunk-9-00001.m4s')).toBeNull()
    expect(renameOutput(second, 'notes.txt')).toBeNull()
  })
})
