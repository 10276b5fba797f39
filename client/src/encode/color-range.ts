/**
 * @module Decoded frames brought to the colour the movie is published in (color-space.ts) before the
 * browser's encoder sees them: it writes each frame's `colorSpace` into the stream it makes, so
 * that is where the tags are set.
 *
 * Many phones record full-range ("JPEG") 8-bit video (ffmpeg calls it yuvj420p; the browser's decoder
 * hands it over as frames with `colorSpace.fullRange` and the JPEG colour space, sRGB transfer
 * included), and the encoder would carry that range and those tags into the published ladder. Every
 * movie is published in TV range, as the ffmpeg.wasm paths make it (`out_range=tv`): each full-range
 * frame's levels are mapped to TV range here (luma 0–255 to 16–235, chroma to 16–240), the matrix's
 * numbers kept as ffmpeg's scaler keeps them. A frame whose tags say something else than the movie's
 * (an untagged SD source the decoder calls BT.709, say) is copied as it is and tagged right.
 */

type Plane = 'luma' | 'chroma' | 'alpha'

/** The 8-bit YUV layouts a decoder hands over, plane by plane, with each plane's rows per picture row. */
const LAYOUTS: Partial<Record<VideoPixelFormat, { planes: Plane[]; chromaRows: 1 | 2 }>> = {
  I420: { planes: ['luma', 'chroma', 'chroma'], chromaRows: 2 },
  I420A: { planes: ['luma', 'chroma', 'chroma', 'alpha'], chromaRows: 2 },
  NV12: { planes: ['luma', 'chroma'], chromaRows: 2 },
  I422: { planes: ['luma', 'chroma', 'chroma'], chromaRows: 1 },
  I444: { planes: ['luma', 'chroma', 'chroma'], chromaRows: 1 },
}

const LUMA = Uint8Array.from({ length: 256 }, (_, v) => Math.round(16 + (v * 219) / 255))
const CHROMA = Uint8Array.from({ length: 256 }, (_, v) => Math.round(128 + ((v - 128) * 224) / 255))

/** Whether frames of `format` are 8-bit YUV, which this module brings to the movie's colour. */
export function isEightBitYuv(format: string | null): format is VideoPixelFormat {
  return format !== null && format in LAYOUTS
}

/** Whether `frame` is full-range 8-bit YUV, which {@link toTvRange} brings to TV range. */
export function isFullRangeYuv(frame: VideoFrame): boolean {
  return frame.colorSpace.fullRange === true && isEightBitYuv(frame.format)
}

/** Whether `frame` is 8-bit YUV tagged TV range and `colour` already. */
function isIn(frame: VideoFrame, colour: VideoColorSpaceInit): boolean {
  const { matrix, primaries, transfer, fullRange } = frame.colorSpace
  return (
    fullRange === false &&
    matrix === colour.matrix &&
    primaries === colour.primaries &&
    transfer === colour.transfer
  )
}

/**
 * `frame` itself when it needs nothing (or is not 8-bit YUV), else its TV-range copy tagged `colour`,
 * the original closed.
 * @example yield await inColour(sample.toVideoFrame(), frameColorSpace(publishedColour(plan.source)))
 */
export async function inColour(frame: VideoFrame, colour: VideoColorSpaceInit): Promise<VideoFrame> {
  if (!isEightBitYuv(frame.format) || isIn(frame, colour)) return frame
  try {
    return await toTvRange(frame, colour)
  } finally {
    frame.close()
  }
}

/**
 * A TV-range copy of an 8-bit YUV frame tagged `colour` (same format, size, timestamp and display
 * size): full-range levels mapped to TV range, TV-range ones copied as they are; the caller closes both.
 * @example const tv = await toTvRange(frame, frameColorSpace(BT709))
 */
export async function toTvRange(frame: VideoFrame, colour: VideoColorSpaceInit): Promise<VideoFrame> {
  const format = frame.format!
  if (!isEightBitYuv(format)) throw new Error(`${format} frames are not 8-bit YUV`)
  const rect = frame.visibleRect!
  const data = new Uint8Array(frame.allocationSize())
  const planes = await frame.copyTo(data)
  if (isFullRangeYuv(frame)) fullToTvRange(data, format, planes, rect.height)
  return new VideoFrame(data, {
    format,
    codedWidth: rect.width,
    codedHeight: rect.height,
    displayWidth: frame.displayWidth,
    displayHeight: frame.displayHeight,
    timestamp: frame.timestamp,
    ...(frame.duration !== null ? { duration: frame.duration } : {}),
    layout: planes,
    colorSpace: { ...colour, fullRange: false },
  })
}

/**
 * Maps the full-range levels of an 8-bit YUV picture `height` rows tall, laid out in `data` as
 * `planes` say, to TV range in place (alpha left alone).
 * @example fullToTvRange(bytes, 'I420', await frame.copyTo(bytes), frame.visibleRect.height)
 */
export function fullToTvRange(
  data: Uint8Array,
  format: VideoPixelFormat,
  planes: readonly PlaneLayout[],
  height: number,
): void {
  const layout = LAYOUTS[format]
  if (!layout) throw new Error(`${format} frames are not 8-bit YUV`)
  planes.forEach((plane, i) => {
    const kind = layout.planes[i]
    if (kind === 'alpha' || kind === undefined) return
    const rows = kind === 'luma' ? height : Math.ceil(height / layout.chromaRows)
    const table = kind === 'luma' ? LUMA : CHROMA
    const end = Math.min(data.length, plane.offset + plane.stride * rows)
    for (let k = plane.offset; k < end; k++) data[k] = table[data[k]!]!
  })
}
