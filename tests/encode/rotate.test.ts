/**
 * Turning a plane of a rotated source's frame upright (rotate.ts): every sample lands where a
 * clockwise turn puts it, rows padded past the picture's width are read and written as padding, and
 * a sample of any width (bytes, 10-bit values, NV12's chroma pairs, RGBA pixels) moves whole.
 */
import { describe, expect, it } from 'vitest'
import { type QuarterTurns, rotatePlane } from '../../client/src/encode/rotate.ts'

/**
 * A 3 × 2 picture, rows of `stride` samples (padding 0):
 *   1 2 3
 *   4 5 6
 */
function picture<T extends Uint8Array | Uint16Array | Uint32Array>(
  make: (n: number) => T,
  stride: number,
  value = (v: number) => v,
) {
  const plane = make(stride * 2)
  for (let y = 0; y < 2; y++) for (let x = 0; x < 3; x++) plane[y * stride + x] = value(y * 3 + x + 1)
  return plane
}

/** The rows of a `width`-wide picture in a plane whose rows are `stride` samples apart. */
function rows(plane: ArrayLike<number>, width: number, height: number, stride: number): number[][] {
  return Array.from({ length: height }, (_, y) =>
    Array.from({ length: width }, (_, x) => plane[y * stride + x]!),
  )
}

const TURNED: Record<QuarterTurns, number[][]> = {
  // Clockwise: the left column, read bottom to top, becomes the top row.
  90: [
    [4, 1],
    [5, 2],
    [6, 3],
  ],
  180: [
    [6, 5, 4],
    [3, 2, 1],
  ],
  // Counter-clockwise: the right column, read top to bottom, becomes the top row.
  270: [
    [3, 6],
    [2, 5],
    [1, 4],
  ],
}

describe('turning a plane upright', () => {
  it.each([90, 180, 270] as const)('turns a picture %i° clockwise', (rotation) => {
    const source = picture((n) => new Uint8Array(n), 3)
    const [width, height] = rotation === 180 ? [3, 2] : [2, 3]
    const target = new Uint8Array(width * height)
    rotatePlane(source, { width: 3, height: 2, stride: 3 }, target, width, rotation)
    expect(rows(target, width, height, width)).toEqual(TURNED[rotation])
  })

  it.each([90, 180, 270] as const)(
    'reads and writes padded rows at %i°, leaving the padding alone',
    (rotation) => {
      // Source rows 5 samples apart, target rows 4 apart, padding filled with 99 on both sides.
      const source = picture((n) => new Uint8Array(n).fill(99), 5)
      const [width, height] = rotation === 180 ? [3, 2] : [2, 3]
      const target = new Uint8Array(4 * height).fill(99)
      rotatePlane(source, { width: 3, height: 2, stride: 5 }, target, 4, rotation)
      expect(rows(target, width, height, 4)).toEqual(TURNED[rotation])
      expect(rows(target, 4, height, 4).map((row) => row.slice(width))).toEqual(
        Array.from({ length: height }, () => Array(4 - width).fill(99)),
      )
    },
  )

  it('moves wide samples whole: 10-bit values, chroma pairs, RGBA pixels', () => {
    const pair = (v: number) => v * 0x0101 + 0x8000
    const pixel = (v: number) => (v * 0x01010101 + 0x80000000) >>> 0
    const pairs = picture((n) => new Uint16Array(n), 3, pair)
    const turnedPairs = new Uint16Array(6)
    rotatePlane(pairs, { width: 3, height: 2, stride: 3 }, turnedPairs, 2, 90)
    expect(rows(turnedPairs, 2, 3, 2)).toEqual(TURNED[90].map((row) => row.map(pair)))
    const pixels = picture((n) => new Uint32Array(n), 3, pixel)
    const turnedPixels = new Uint32Array(6)
    rotatePlane(pixels, { width: 3, height: 2, stride: 3 }, turnedPixels, 2, 270)
    expect(rows(turnedPixels, 2, 3, 2)).toEqual(TURNED[270].map((row) => row.map(pixel)))
  })

  it('turns a picture larger than one tile, with sides that are not a multiple of it, the same as one sample at a time', () => {
    const [width, height] = [70, 45]
    const source = Uint8Array.from({ length: width * height }, (_, i) => (i * 7919) % 251)
    for (const rotation of [90, 270] as const) {
      const target = new Uint8Array(width * height)
      rotatePlane(source, { width, height, stride: width }, target, height, rotation)
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          // Where (x, y) goes: 90° to column height - 1 - y of row x; 270° to column y of row width - 1 - x.
          const at = rotation === 90 ? x * height + (height - 1 - y) : (width - 1 - x) * height + y
          if (target[at] !== source[y * width + x])
            expect({ rotation, x, y, got: target[at] }).toEqual(source[y * width + x])
        }
      }
    }
  })
})
