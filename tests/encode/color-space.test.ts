/**
 * The colour a movie is published in, decided from the source's tags and size as players decide it,
 * and written by the ffmpeg paths into every rendition (the browser's path: engine.e2e.test.ts).
 */
import { describe, expect, it } from 'vitest'
import { BT709, publishedColour } from '../../client/src/encode/color-space.ts'
import { encodeArgs } from '../../client/src/encode/ffmpeg-args.ts'
import { planJobs } from '../../client/src/encode/jobs.ts'
import { planLadder } from '../../client/src/encode/ladder.ts'
import type { ProbeResult } from '../../client/src/encode/types.ts'
import { probed } from './support/fixtures.ts'

const NTSC = { matrix: 'smpte170m', primaries: 'smpte170m', transfer: 'smpte170m' }
const PAL = { matrix: 'bt470bg', primaries: 'bt470bg', transfer: 'smpte170m' }

function source(width: number, height: number, tags: Partial<NonNullable<ProbeResult['colour']>> = {}) {
  return probed({ width, height, colour: { matrix: null, primaries: null, transfer: null, ...tags } })
}

describe('publishedColour', () => {
  it.each([
    ['an NTSC DVD tagged BT.601', source(720, 480, NTSC), NTSC],
    ['a PAL DVD tagged BT.601 (gamma 2.8 transfer)', source(720, 576, { ...PAL, transfer: 'gamma28' }), PAL],
    ['an untagged 480-line file, as players take it', source(720, 480), NTSC],
    ['an untagged 576-line file: PAL primaries', source(720, 576), PAL],
    ['an untagged 960x540 file (narrower than 1280, at most 576 lines)', source(960, 540), NTSC],
    ['an untagged 1280x544 scope film', source(1280, 544), BT709],
    ['an untagged 1080p file', source(1920, 1080), BT709],
    ['a 1080p phone clip tagged BT.601 keeps its matrix', source(1920, 1080, PAL), PAL],
    [
      'BT.601 numbers with BT.709 primaries keep both',
      source(720, 480, { matrix: 'smpte170m', primaries: 'bt709', transfer: 'bt709' }),
      { matrix: 'smpte170m', primaries: 'bt709', transfer: 'smpte170m' },
    ],
    [
      'an HD file tagged BT.709 whatever its size',
      source(720, 480, { matrix: 'bt709', primaries: 'bt709', transfer: 'bt709' }),
      BT709,
    ],
    [
      'a 10-bit HEVC release in BT.2020 (kept to 8-bit BT.709)',
      source(1920, 1080, { matrix: 'bt2020nc', primaries: 'bt2020', transfer: 'smpte2084' }),
      BT709,
    ],
    ['a probe from before the tags were read, at HD', { ...probed(), colour: undefined }, BT709],
  ])('%s', (_, probe, expected) => {
    expect(publishedColour(probe)).toEqual(expected)
  })
})

describe('the ffmpeg command lines', () => {
  const tags = (args: string[]) =>
    Object.fromEntries(
      ['-color_range', '-colorspace', '-color_primaries', '-color_trc'].map((o) => [
        o,
        args[args.indexOf(o) + 1],
      ]),
    )

  it('tag every x264 rung of a BT.601 source BT.601, and of an HD source BT.709', () => {
    const sd = planLadder(source(720, 576))
    const [job] = planJobs(sd, 1, 'renditions')
    expect(job!.renditions.length).toBeGreaterThan(1)
    expect(tags(encodeArgs(sd, job!, { input: 'in.mkv', outDir: '/out' }))).toEqual({
      '-color_range': 'tv',
      '-colorspace': 'bt470bg',
      '-color_primaries': 'bt470bg',
      '-color_trc': 'smpte170m',
    })
    const hd = planLadder(source(1920, 1080))
    const [hdJob] = planJobs(hd, 1, 'renditions')
    expect(tags(encodeArgs(hd, hdJob!, { input: 'in.mkv', outDir: '/out' }))).toEqual({
      '-color_range': 'tv',
      '-colorspace': 'bt709',
      '-color_primaries': 'bt709',
      '-color_trc': 'bt709',
    })
  })

  it('turn RGB frames from the page into the movie’s matrix', () => {
    const plan = planLadder(source(720, 480, NTSC))
    const job = { ...planJobs(plan, 1, 'renditions')[0]!, audio: [], subtitles: false, thumbnails: false }
    const raw = { pixelFormat: 'rgba', width: 720, height: 480, rate: { num: 30, den: 1 } }
    const graph = encodeArgs(plan, job, { input: 'pipe', outDir: '/out', raw }).join(' ')
    expect(graph).toContain('scale=out_color_matrix=bt601:out_range=tv')
    expect(graph).toContain('-colorspace smpte170m')
  })
})
