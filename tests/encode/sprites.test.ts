/**
 * Shrinking a decoded frame's RGBA copy into a preview tile (sprites.ts): every source pixel counts
 * once, whatever the ratio, so fine lines neither vanish nor alias.
 */
import { describe, expect, it } from 'vitest'
import { shrinkRgba } from '../../client/src/encode/sprites.ts'

/** An RGBA picture whose pixel (x, y) is `color(x, y)` (opaque). */
function picture(width: number, height: number, color: (x: number, y: number) => [number, number, number]) {
  const bytes = new Uint8Array(width * height * 4)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) bytes.set([...color(x, y), 255], (y * width + x) * 4)
  }
  return bytes
}

const pixel = (bytes: Uint8ClampedArray, width: number, x: number, y: number) =>
  Array.from(bytes.subarray((y * width + x) * 4, (y * width + x) * 4 + 4))

describe('shrinking a frame into a preview tile', () => {
  it('averages each block of pixels into one, opaque', () => {
    // 4 × 2: the left 2 × 2 block black and white in a checkerboard, the right one all red.
    const source = picture(4, 2, (x, y) => (x >= 2 ? [200, 0, 0] : (x + y) % 2 ? [255, 255, 255] : [0, 0, 0]))
    const out = shrinkRgba(source, 4, 2, 2, 1)
    expect(out.length).toBe(2 * 4)
    expect(pixel(out, 2, 0, 0)).toEqual([128, 128, 128, 255])
    expect(pixel(out, 2, 1, 0)).toEqual([200, 0, 0, 255])
  })

  it('keeps a one-pixel line as a faint line at a ratio that is not whole (1920 × 1080 to 160 × 90)', () => {
    // A white vertical line at x = 1000 on black: 1000 / 12 falls in tile column 83.
    const source = picture(1920, 1080, (x) => (x === 1000 ? [255, 255, 255] : [0, 0, 0]))
    const out = shrinkRgba(source, 1920, 1080, 160, 90)
    const row = Array.from({ length: 160 }, (_, x) => pixel(out, 160, x, 45)[0])
    expect(row[83]).toBe(Math.round(255 / 12))
    expect(row.filter((v) => v !== 0)).toHaveLength(1)
  })

  it('enlarges a picture smaller than the tile by repeating its pixels', () => {
    const source = picture(2, 1, (x) => (x === 0 ? [10, 20, 30] : [40, 50, 60]))
    const out = shrinkRgba(source, 2, 1, 4, 2)
    expect([0, 1, 2, 3].map((x) => pixel(out, 4, x, 1))).toEqual([
      [10, 20, 30, 255],
      [10, 20, 30, 255],
      [40, 50, 60, 255],
      [40, 50, 60, 255],
    ])
  })
})
