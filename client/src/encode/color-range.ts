/**
 * @module Full-range ("JPEG") pictures brought to TV range. Many phones record full-range 8-bit
 * video (ffmpeg calls it yuvj420p; the browser's decoder hands it over as frames with
 * `colorSpace.fullRange` and the JPEG colour space, sRGB transfer included), and the browser's
 * encoder would carry that range and those tags into the published ladder. Everything else is
 * published as TV-range BT.709, as the ffmpeg.wasm paths make it (`out_range=tv`): each full-range
 * frame's levels are mapped to TV range here (luma 0–255 to 16–235, chroma to 16–240), the matrix's
 * numbers kept as ffmpeg's scaler keeps them, and the frame tagged BT.709.
 */

/** The tags of every published picture: BT.709, TV range. */
export const TV_BT709: VideoColorSpaceInit = {
  primaries: 'bt709',
  transfer: 'bt709',
  matrix: 'bt709',
  fullRange: false,
}

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

/** Whether `frame` is full-range 8-bit YUV, which {@link toTvRange} brings to TV range. */
export function isFullRangeYuv(frame: VideoFrame): boolean {
  return frame.colorSpace.fullRange === true && frame.format !== null && frame.format in LAYOUTS
}

/**
 * `frame` itself when it needs nothing, else its TV-range copy, the original closed.
 * @example yield await inTvRange(sample.toVideoFrame())
 */
export async function inTvRange(frame: VideoFrame): Promise<VideoFrame> {
  if (!isFullRangeYuv(frame)) return frame
  try {
    return await toTvRange(frame)
  } finally {
    frame.close()
  }
}

/**
 * A TV-range BT.709 copy of a full-range YUV frame (same format, size, timestamp and display size);
 * the caller closes both.
 * @example const tv = isFullRangeYuv(frame) ? await toTvRange(frame) : frame
 */
export async function toTvRange(frame: VideoFrame): Promise<VideoFrame> {
  const format = frame.format!
  const layout = LAYOUTS[format]
  if (!layout) throw new Error(`${format} frames are not 8-bit YUV`)
  const rect = frame.visibleRect!
  const data = new Uint8Array(frame.allocationSize())
  const planes = await frame.copyTo(data)
  planes.forEach((plane, i) => {
    const kind = layout.planes[i]
    if (kind === 'alpha' || kind === undefined) return
    const rows = kind === 'luma' ? rect.height : Math.ceil(rect.height / layout.chromaRows)
    const table = kind === 'luma' ? LUMA : CHROMA
    const end = Math.min(data.length, plane.offset + plane.stride * rows)
    for (let k = plane.offset; k < end; k++) data[k] = table[data[k]!]!
  })
  return new VideoFrame(data, {
    format,
    codedWidth: rect.width,
    codedHeight: rect.height,
    displayWidth: frame.displayWidth,
    displayHeight: frame.displayHeight,
    timestamp: frame.timestamp,
    ...(frame.duration !== null ? { duration: frame.duration } : {}),
    layout: planes,
    colorSpace: TV_BT709,
  })
}
