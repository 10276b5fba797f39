/**
 * @module Sources recorded sideways turned upright before the encoders see them: a phone held upright
 * stores a landscape picture and a rotation in its container (90, 180 or 270 degrees clockwise),
 * which every rendition must have applied, since a DASH player ignores it.
 *
 * Each decoded frame is copied out in its own pixel format, its planes turned in JS (5–15 ms for a
 * 1080p 4:2:0 frame in Node on a busy 2-core machine), and handed on as a new frame at the source's
 * upright size (the encoders scale it to their rungs, as they scale every frame), tagged with the
 * movie's colour like any other frame (color-range.ts). Drawing the frame on a canvas instead, as this did, cost three ways: Chromium keeps
 * every `VideoFrame` drawn on a canvas as a full-size picture in its 512 MB discardable cache
 * (`TileScaler` in sprites.ts tells the story), about 500 MB more for the tab within 60 frames; the
 * canvas hands over RGB, which the browser's encoder turns back into Y'CbCr with its own matrix and
 * tags full range and sRGB, unlike x264's rungs of the same movie; and the canvas converts an untagged
 * SD source with BT.709, shifting its hues.
 */
import { fullToTvRange, isEightBitYuv, isFullRangeYuv } from './color-range.ts'

export type QuarterTurns = 90 | 180 | 270

type Samples = Uint8Array | Uint16Array | Uint32Array

/** One plane of a picture: `width` × `height` samples, each row `stride` samples after the last. */
export interface PlaneShape {
  width: number
  height: number
  stride: number
}

/** Tiles of this many samples square keep both the rows read and the rows written in the cache. */
const TILE = 32

/**
 * Writes `source` (a plane shaped `from`) turned `rotation` degrees clockwise into `target`, whose rows
 * are `targetStride` samples apart (height × width samples for a quarter turn). A sample is whatever
 * one element holds: a byte, a 10-bit value, an interleaved pair of chroma bytes, a whole RGBA pixel.
 * @example rotatePlane(luma, { width: 1920, height: 1080, stride: 1920 }, upright, 1080, 90)
 */
export function rotatePlane<T extends Samples>(
  source: T,
  from: PlaneShape,
  target: T,
  targetStride: number,
  rotation: QuarterTurns,
): void {
  const { width, height, stride } = from
  if (rotation === 180) {
    for (let y = 0; y < height; y++) {
      const row = (height - 1 - y) * stride + width - 1
      const out = y * targetStride
      for (let x = 0; x < width; x++) target[out + x] = source[row - x]!
    }
    return
  }
  // Target row ty is source column ty (90°: read bottom to top) or width - 1 - ty (270°: top to bottom).
  for (let ty0 = 0; ty0 < width; ty0 += TILE) {
    const ty1 = Math.min(width, ty0 + TILE)
    for (let tx0 = 0; tx0 < height; tx0 += TILE) {
      const tx1 = Math.min(height, tx0 + TILE)
      for (let ty = ty0; ty < ty1; ty++) {
        const out = ty * targetStride
        if (rotation === 90) {
          let k = (height - 1 - tx0) * stride + ty
          for (let tx = tx0; tx < tx1; tx++, k -= stride) target[out + tx] = source[k]!
        } else {
          let k = tx0 * stride + width - 1 - ty
          for (let tx = tx0; tx < tx1; tx++, k += stride) target[out + tx] = source[k]!
        }
      }
    }
  }
}

/** A plane of a pixel format: bytes per sample and how many picture pixels one sample spans each way. */
interface PlaneKind {
  bytes: 1 | 2 | 4
  /** 2 where the plane has half as many samples as the picture has columns (or rows), else 1. */
  across: 1 | 2
  down: 1 | 2
}

const LUMA8: PlaneKind = { bytes: 1, across: 1, down: 1 }
const CHROMA8: PlaneKind = { bytes: 1, across: 2, down: 2 }
const LUMA16: PlaneKind = { bytes: 2, across: 1, down: 1 }
const CHROMA16: PlaneKind = { bytes: 2, across: 2, down: 2 }
const PIXEL32: PlaneKind = { bytes: 4, across: 1, down: 1 }

/**
 * The pixel formats turned as they are, plane by plane: 4:2:0 and 4:4:4 (4:2:2 would turn into a
 * 4:4:0 no frame can hold), NV12's interleaved chroma as 16-bit pairs, RGB as 32-bit pixels.
 * Anything else is copied out as RGBA first.
 */
const FORMATS: Record<string, PlaneKind[]> = {
  I420: [LUMA8, CHROMA8, CHROMA8],
  I420A: [LUMA8, CHROMA8, CHROMA8, LUMA8],
  I444: [LUMA8, LUMA8, LUMA8],
  I444A: [LUMA8, LUMA8, LUMA8, LUMA8],
  NV12: [LUMA8, { bytes: 2, across: 2, down: 2 }],
  I420P10: [LUMA16, CHROMA16, CHROMA16],
  I420P12: [LUMA16, CHROMA16, CHROMA16],
  I444P10: [LUMA16, LUMA16, LUMA16],
  I444P12: [LUMA16, LUMA16, LUMA16],
  RGBA: [PIXEL32],
  RGBX: [PIXEL32],
  BGRA: [PIXEL32],
  BGRX: [PIXEL32],
}

/** The planes of a `width` × `height` picture of `kinds`, packed one after another from 4-byte boundaries. */
function packedPlanes(kinds: PlaneKind[], width: number, height: number) {
  let offset = 0
  const planes = kinds.map((kind) => {
    const shape = {
      width: Math.ceil(width / kind.across),
      height: Math.ceil(height / kind.down),
      stride: Math.ceil(width / kind.across),
    }
    const layout: PlaneLayout = { offset, stride: shape.stride * kind.bytes }
    offset += Math.ceil((layout.stride * shape.height) / 4) * 4
    return { kind, shape, layout }
  })
  return { planes, bytes: offset }
}

/** The samples of one plane of `buffer`. */
function samples(buffer: ArrayBuffer, kind: PlaneKind, layout: PlaneLayout, shape: PlaneShape): Samples {
  const length = (layout.stride / kind.bytes) * (shape.height - 1) + shape.width
  if (kind.bytes === 1) return new Uint8Array(buffer, layout.offset, length)
  if (kind.bytes === 2) return new Uint16Array(buffer, layout.offset, length)
  return new Uint32Array(buffer, layout.offset, length)
}

/**
 * Turns the frames of a rotated source upright, reusing its two buffers (the source frame's copy and
 * the turned picture, which each new frame copies).
 */
export class FrameRotator {
  private source = new ArrayBuffer(0)
  private target = new ArrayBuffer(0)

  /** @param colour the movie's colour (color-space.ts), which every 8-bit Y'CbCr frame is tagged with */
  constructor(
    private readonly rotation: QuarterTurns,
    private readonly colour: VideoColorSpaceInit,
  ) {}

  /**
   * `frame` turned upright in its own pixel format (8-bit Y'CbCr in TV range and tagged with the
   * movie's colour, as `inColour` brings unrotated frames), same timestamp; `frame` is closed.
   * @example yield await rotator.upright(sample.toVideoFrame())
   */
  async upright(frame: VideoFrame): Promise<VideoFrame> {
    try {
      const known = frame.format !== null ? FORMATS[frame.format] : undefined
      const format = known ? frame.format! : 'RGBA'
      const kinds = known ?? FORMATS.RGBA!
      const rect = frame.visibleRect!
      const { width, height } = rect
      const from = packedPlanes(kinds, width, height)
      if (this.source.byteLength < from.bytes) this.source = new ArrayBuffer(from.bytes)
      const layout = from.planes.map((p) => p.layout)
      await frame.copyTo(new Uint8Array(this.source, 0, from.bytes), known ? { layout } : { layout, format })

      const quarter = this.rotation !== 180
      const [w, h] = quarter ? [height, width] : [width, height]
      const to = packedPlanes(kinds, w, h)
      if (this.target.byteLength < to.bytes) this.target = new ArrayBuffer(to.bytes)
      for (const [i, { kind, shape, layout: at }] of from.planes.entries()) {
        const out = to.planes[i]!
        const source = samples(this.source, kind, at, shape)
        const target = samples(this.target, kind, out.layout, out.shape)
        rotatePlane(source, shape, target, out.shape.stride, this.rotation)
      }
      const data = new Uint8Array(this.target, 0, to.bytes)
      const layouts = to.planes.map((p) => p.layout)
      const yuv = isEightBitYuv(format)
      if (yuv && isFullRangeYuv(frame)) fullToTvRange(data, format, layouts, h)
      return new VideoFrame(data, {
        format: format as VideoPixelFormat,
        codedWidth: w,
        codedHeight: h,
        displayWidth: quarter ? frame.displayHeight : frame.displayWidth,
        displayHeight: quarter ? frame.displayWidth : frame.displayHeight,
        timestamp: frame.timestamp,
        ...(frame.duration !== null ? { duration: frame.duration } : {}),
        layout: layouts,
        // The decoder's tags stay on what inColour leaves alone too; RGBA copies are sRGB.
        ...(yuv
          ? { colorSpace: { ...this.colour, fullRange: false } }
          : known
            ? { colorSpace: frame.colorSpace.toJSON() }
            : {}),
      })
    } finally {
      frame.close()
    }
  }
}
