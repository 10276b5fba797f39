/** The H.264 codec strings the WebCodecs backend asks the browser for, by rendition size and rate. */
import { describe, expect, it } from 'vitest'
import { avcCodecs } from '../../client/src/encode/webcodecs-backend.ts'

const at = (width: number, height: number, fps: number) =>
  avcCodecs({ width, height, frameRate: { num: fps, den: 1 } })

describe('avcCodecs', () => {
  it('tries High, then Main, then Constrained Baseline at one level', () => {
    expect(at(1280, 720, 30)).toEqual(['avc1.64001f', 'avc1.4d001f', 'avc1.42e01f'])
  })

  it('picks the lowest level whose frame size and macroblock rate fit', () => {
    expect(at(426, 240, 30)[0]).toBe('avc1.64001e') // 3.0
    expect(at(854, 480, 30)[0]).toBe('avc1.64001f') // 3.1: 48,600 macroblocks a second is over 3.0's 40,500
    expect(at(1280, 720, 60)[0]).toBe('avc1.640020') // 3.2
    expect(at(1920, 1080, 30)[0]).toBe('avc1.640028') // 4.0
    expect(at(1920, 1080, 60)[0]).toBe('avc1.64002a') // 4.2
    expect(at(3840, 2160, 30)[0]).toBe('avc1.640033') // 5.1
  })

  it('counts the 29.97 fps of broadcast video as a little under 30', () => {
    expect(avcCodecs({ width: 1920, height: 1080, frameRate: { num: 30000, den: 1001 } })[0]).toBe(
      'avc1.640028',
    )
  })
})
