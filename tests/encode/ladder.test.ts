import { describe, expect, it } from 'vitest'
import { describeEncoders, displaySize, outputFrameRate, planLadder } from '../../client/src/encode/ladder.ts'
import { toNumber } from '../../client/src/encode/rational.ts'
import type { LadderPlan } from '../../client/src/encode/types.ts'
import { probed } from './support/fixtures.ts'

const source = probed

const sizes = (plan: LadderPlan) => plan.renditions.map((r) => `${r.width}x${r.height}`)

/** Properties every plan must have, whatever the source. */
function expectSound(plan: LadderPlan) {
  const display = displaySize(plan.source)
  const dar = toNumber(plan.displayAspect)
  for (const r of plan.renditions) {
    expect(r.width % 2, `${r.id} width even`).toBe(0)
    expect(r.height % 2, `${r.id} height even`).toBe(0)
    expect(r.width, `${r.id} not wider than the source`).toBeLessThanOrEqual(display.width)
    expect(r.height, `${r.id} not taller than the source`).toBeLessThanOrEqual(display.height)
    // Stored shape within one pixel's rounding of the display shape; setdar makes it exact.
    expect(Math.abs(r.width / r.height - dar) / dar).toBeLessThan(2 / Math.min(r.width, r.height))
    // One GOP per segment, whatever each rendition's frame rate.
    expect((r.gop * r.frameRate.den) / r.frameRate.num).toBeCloseTo(plan.segmentDuration, 9)
    expect(plan.videoTimescale % r.frameRate.num, `${r.id} frames are whole ticks`).toBe(0)
    expect(r.maxrate).toBeGreaterThanOrEqual(r.bitrate)
  }
  for (let i = 1; i < plan.renditions.length; i++) {
    const [a, b] = [plan.renditions[i - 1]!, plan.renditions[i]!]
    expect(a.width * a.height, 'largest first').toBeGreaterThan(b.width * b.height)
    expect(a.bitrate, 'bitrate falls with size').toBeGreaterThan(b.bitrate)
  }
  expect(new Set(plan.renditions.map((r) => r.id)).size).toBe(plan.renditions.length)
  expect(plan.segmentDuration).toBeGreaterThanOrEqual(2)
  expect(plan.segmentDuration).toBeLessThanOrEqual(4.01)
  if (Math.min(display.width, display.height) >= 360) expect(plan.renditions.length).toBeGreaterThanOrEqual(2)
}

describe('planLadder', () => {
  it('gives a 1080p landscape source the five 16:9 rungs with falling bitrates', () => {
    const plan = planLadder(source())
    expectSound(plan)
    expect(plan.renditions.map((r) => r.label)).toEqual(['1080p', '720p', '480p', '360p', '240p'])
    expect(sizes(plan)).toEqual(['1920x1080', '1280x720', '854x480', '640x360', '426x240'])
    expect(plan.displayAspect).toEqual({ num: 16, den: 9 })
    expect(plan.renditions[1]!.bitrate).toBe(2_500_000)
    expect(plan.segmentDuration).toBe(2)
    expect(plan.renditions.every((r) => r.gop === 60)).toBe(true)
  })

  it('never upscales a 720p source', () => {
    const plan = planLadder(source({ width: 1280, height: 720 }))
    expectSound(plan)
    expect(sizes(plan)).toEqual(['1280x720', '854x480', '640x360', '426x240'])
  })

  it('keeps a portrait phone video standing up', () => {
    const plan = planLadder(source({ width: 1080, height: 1920 }))
    expectSound(plan)
    expect(sizes(plan)).toEqual(['1080x1920', '720x1280', '480x854', '360x640', '240x426'])
    expect(plan.displayAspect).toEqual({ num: 9, den: 16 })
    expect(plan.poster.height).toBeGreaterThan(plan.poster.width)
  })

  it('turns a landscape-stored video with 90° rotation into a portrait ladder', () => {
    const plan = planLadder(source({ width: 1280, height: 720, rotation: 90 }))
    expectSound(plan)
    expect(sizes(plan)).toEqual(['720x1280', '480x854', '360x640', '240x426'])
  })

  it('treats 180° rotation as landscape', () => {
    expect(sizes(planLadder(source({ width: 1280, height: 720, rotation: 180 })))[0]).toBe('1280x720')
  })

  it('stretches anamorphic pixels to the display shape', () => {
    // PAL DVD 16:9: 720x576 stored, shown as 1024x576.
    const plan = planLadder(source({ width: 720, height: 576, sampleAspectRatio: { num: 64, den: 45 } }))
    expectSound(plan)
    expect(plan.displayAspect).toEqual({ num: 16, den: 9 })
    expect(sizes(plan)).toEqual(['1024x576', '854x480', '640x360', '426x240'])
  })

  it('fits wide cinema frames inside each rung box', () => {
    const plan = planLadder(source({ width: 1920, height: 800 }))
    expectSound(plan)
    expect(sizes(plan)).toEqual(['1920x800', '1280x534', '854x356', '640x266', '426x178'])
  })

  it('handles odd sizes without upscaling by a pixel', () => {
    const plan = planLadder(source({ width: 1279, height: 719 }))
    expectSound(plan)
    expect(sizes(plan)[0]).toBe('1278x718')
    expect(plan.renditions[0]!.label).toBe('718p')
    expect(sizes(plan).slice(1)).toEqual(['854x480', '640x360', '426x240'])
  })

  it('keeps a source between rungs at its own size on top', () => {
    const plan = planLadder(source({ width: 1600, height: 900 }))
    expectSound(plan)
    expect(sizes(plan)[0]).toBe('1600x900')
    const [top, next] = plan.renditions
    expect(top!.bitrate).toBeGreaterThan(next!.bitrate)
    expect(top!.bitrate).toBeLessThan(5_000_000)
  })

  it('caps a 4K source at 1080p', () => {
    const plan = planLadder(source({ width: 3840, height: 2160 }))
    expectSound(plan)
    expect(sizes(plan)[0]).toBe('1920x1080')
    expect(plan.renditions).toHaveLength(5)
  })

  it('gives exactly 360p sources two renditions', () => {
    const plan = planLadder(source({ width: 640, height: 360 }))
    expectSound(plan)
    expect(sizes(plan)).toEqual(['640x360', '426x240'])
  })

  it('keeps two renditions even when asked for one', () => {
    expect(planLadder(source(), { maxRenditions: 1 }).renditions).toHaveLength(2)
    expect(sizes(planLadder(source(), { maxRenditions: 3 }))).toEqual(['1920x1080', '1280x720', '854x480'])
  })

  it('leaves the low rungs to x264 while its work stays within the browser encoders’, never the top one', () => {
    const x264 = (plan: LadderPlan) => plan.renditions.filter((r) => r.x264).map((r) => r.label)
    // Two cores: the 240p rung; with cores to spare, 360p too.
    expect(x264(planLadder(source(), { cores: 2 }))).toEqual(['240p'])
    expect(describeEncoders(planLadder(source(), { cores: 2 }))).toBe('240p: x264 (wasm)')
    expect(x264(planLadder(source(), { cores: 4 }))).toEqual(['360p', '240p'])
    expect(describeEncoders(planLadder(source(), { cores: 4 }))).toBe('360p, 240p: x264 (wasm)')
    expect(x264(planLadder(source({ width: 1280, height: 720 }), { cores: 2 }))).toEqual(['240p'])
    expect(x264(planLadder(source({ width: 1280, height: 720 }), { cores: 8 }))).toEqual(['360p', '240p'])
    // Portrait: the short side decides.
    expect(x264(planLadder(source({ width: 1080, height: 1920 }), { cores: 4 }))).toEqual(['360p', '240p'])
    // Never the top rung, and nothing x264 could not keep up with.
    expect(x264(planLadder(source({ width: 640, height: 360 }), { cores: 2 }))).toEqual([])
    expect(x264(planLadder(source({ width: 854, height: 480 }), { cores: 2 }))).toEqual([])
    expect(x264(planLadder(source({ width: 854, height: 480 }), { cores: 16 }))).toEqual(['240p'])
    const browser = planLadder(source(), { lowRungs: 'browser', cores: 16 })
    expect(x264(browser)).toEqual([])
    expect(describeEncoders(browser)).toBeNull()
  })

  it('encodes a tiny source once, at its own even size', () => {
    const plan = planLadder(source({ width: 161, height: 121, fps: 15 }))
    expectSound(plan)
    expect(sizes(plan)).toEqual(['160x120'])
    expect(plan.renditions[0]!.frameRate).toEqual({ num: 15, den: 1 })
    expect(plan.segmentDuration).toBe(2)
  })

  it('plans no audio track for a silent source, and stereo AAC 128k otherwise', () => {
    expect(planLadder(source({ hasAudio: false, audioCodec: null })).audio).toEqual([])
    expect(planLadder(source({ audioLanguage: 'ja' })).audio).toMatchObject([
      {
        language: 'ja',
        main: true,
        renditions: [{ id: 'a0', codec: 'aac', bitrate: 128_000, channels: 2, sampleRate: 48_000 }],
      },
    ])
  })

  it('halves the frame rate below 720p for 60 fps sources and keeps segments aligned', () => {
    const plan = planLadder(source({ fps: 59.94 }))
    expectSound(plan)
    const rates = plan.renditions.map((r) => `${r.frameRate.num}/${r.frameRate.den}`)
    expect(rates).toEqual(['60000/1001', '60000/1001', '30000/1001', '30000/1001', '30000/1001'])
    expect(plan.renditions.map((r) => r.gop)).toEqual([120, 120, 60, 60, 60])
    expect(plan.segmentDuration).toBeCloseTo(2.002, 9)
    expect(plan.videoTimescale).toBe(120_000)
    // 60 fps costs more bits than 30 fps at the same size.
    expect(plan.renditions[0]!.bitrate).toBeGreaterThan(5_000_000)
  })

  it('snaps NTSC film rates and uses a timescale that holds them exactly', () => {
    const plan = planLadder(source({ fps: 23.976023 }))
    expectSound(plan)
    expect(plan.renditions[0]!.frameRate).toEqual({ num: 24000, den: 1001 })
    expect(plan.renditions[0]!.gop).toBe(48)
    expect(plan.videoTimescale).toBe(96_000)
  })

  it('keeps a variable-rate phone video at a sane constant rate', () => {
    expect(outputFrameRate(29.87)).toEqual({ num: 30000, den: 1001 })
    expect(outputFrameRate(27.5)).toEqual({ num: 55, den: 2 })
    expect(outputFrameRate(30.05)).toEqual({ num: 30, den: 1 })
    expect(outputFrameRate(240)).toEqual({ num: 60, den: 1 })
    expect(outputFrameRate(Number.NaN)).toEqual({ num: 30, den: 1 })
  })

  it('uses longer segments for long movies', () => {
    const plan = planLadder(source({ duration: 2 * 3600 }))
    expectSound(plan)
    expect(plan.segmentDuration).toBe(4)
    expect(plan.renditions[0]!.gop).toBe(120)
  })

  it('does not spend more bits than a low-bitrate source has', () => {
    const plan = planLadder(source({ width: 1280, height: 720, videoBitrate: 800_000 }))
    expectSound(plan)
    expect(plan.renditions[0]!.bitrate).toBeLessThanOrEqual(960_000)
  })

  it('takes the poster from about 10% in, at most 1280 wide', () => {
    const plan = planLadder(source({ duration: 120 }))
    expect(plan.poster).toEqual({ time: 12, width: 1280, height: 720 })
  })

  it('refuses a source without a picture size', () => {
    expect(() => planLadder(source({ width: 0 }))).toThrow(RangeError)
  })
})
