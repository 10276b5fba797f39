/**
 * @module Seek-bar previews: tiles drawn into JPEG sprite sheets (10 × 10 tiles of about 160 px) by
 * the browser's own encoder, in whatever order the encoders hand them over, each sheet going out as
 * soon as its last tile is in; and at the end the WebVTT thumbnails file that points into them.
 * Both encoders feed it: WebCodecs scales down the frames it decoded anyway ({@link TileScaler}),
 * ffmpeg.wasm sends raw tiles.
 */
import { spriteName, THUMBNAILS_VTT_NAME } from '../../../server/lib/dash/names.ts'
import { writeWebVtt } from '../../../server/lib/webvtt.ts'
import type { EncodedFile, ThumbnailPlan } from './types.ts'

/** Draws one tile into its cell of a sheet. */
export type TilePainter = (
  context: OffscreenCanvasRenderingContext2D,
  x: number,
  y: number,
  width: number,
  height: number,
) => void

interface Sheet {
  canvas: OffscreenCanvas
  context: OffscreenCanvasRenderingContext2D
  tiles: Set<number>
}

const QUALITY = 0.75

export class SpriteSheets {
  private readonly open = new Map<number, Sheet>()
  private readonly written = new Set<number>()
  private readonly pending: Promise<void>[] = []
  /** Bytes of every sheet written, for the manifest's bandwidth. */
  bytes = 0

  constructor(
    private readonly plan: ThumbnailPlan,
    private readonly emit: (file: Omit<EncodedFile, 'contentType'>) => void,
    private readonly fail: (error: unknown) => void,
  ) {}

  private get perSheet(): number {
    return this.plan.columns * this.plan.rows
  }

  /** Draws tile `index` (tile i shows the movie at i × interval seconds). */
  draw(index: number, paint: TilePainter): void {
    const number = Math.floor(index / this.perSheet)
    if (this.written.has(number)) return
    const sheet = this.sheet(number)
    const cell = index % this.perSheet
    const { width, height, columns } = this.plan
    paint(sheet.context, (cell % columns) * width, Math.floor(cell / columns) * height, width, height)
    sheet.tiles.add(cell)
    if (sheet.tiles.size === this.perSheet) this.write(number)
  }

  /**
   * Writes every sheet not yet written that `tiles` tiles need (gaps stay black), then the WebVTT
   * thumbnails file; resolves once all of them are out.
   * @returns the number of sheets
   */
  async finish(tiles: number, duration: number): Promise<number> {
    const sheets = Math.ceil(tiles / this.perSheet)
    for (let n = 0; n < sheets; n++) if (!this.written.has(n)) this.write(n)
    await Promise.all(this.pending)
    const { width, height, columns, interval } = this.plan
    const cues = Array.from({ length: tiles }, (_, i) => {
      const cell = i % this.perSheet
      const x = (cell % columns) * width
      const y = Math.floor(cell / columns) * height
      return {
        start: Math.round(i * interval * 1000),
        end: Math.round(Math.min((i + 1) * interval, Math.max(duration, (i + 0.001) * interval)) * 1000),
        text: `${spriteName(Math.floor(i / this.perSheet) + 1)}#xywh=${x},${y},${width},${height}`,
      }
    })
    this.emit({
      path: THUMBNAILS_VTT_NAME,
      bytes: new TextEncoder().encode(writeWebVtt(cues)),
      kind: 'thumbnails',
    })
    return sheets
  }

  private sheet(number: number): Sheet {
    let sheet = this.open.get(number)
    if (!sheet) {
      const { width, height, columns, rows } = this.plan
      const canvas = new OffscreenCanvas(width * columns, height * rows)
      const context = canvas.getContext('2d')
      if (!context) throw new Error('This browser cannot draw the preview images.')
      context.fillStyle = '#000'
      context.fillRect(0, 0, canvas.width, canvas.height)
      sheet = { canvas, context, tiles: new Set() }
      this.open.set(number, sheet)
    }
    return sheet
  }

  private write(number: number): void {
    const sheet = this.sheet(number)
    this.open.delete(number)
    this.written.add(number)
    this.pending.push(
      sheet.canvas
        .convertToBlob({ type: 'image/jpeg', quality: QUALITY })
        .then((blob) => blob.arrayBuffer())
        .then((buffer) => {
          this.bytes += buffer.byteLength
          this.emit({ path: spriteName(number + 1), bytes: new Uint8Array(buffer), kind: 'sprite' })
        })
        .catch((error: unknown) => this.fail(error)),
    )
  }
}

/**
 * Shrinks an RGBA picture to `width` × `height` by averaging the source pixels under each target
 * pixel (an area filter: no aliasing of fine lines, whatever the ratio).
 * @example shrinkRgba(frameBytes, 1920, 1080, 160, 90) // a 160 × 90 ImageData's bytes
 */
export function shrinkRgba(
  source: Uint8Array,
  sourceWidth: number,
  sourceHeight: number,
  width: number,
  height: number,
): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(width * height * 4)
  // The source columns of target column x are [xs[x], xs[x + 1]) (one at least when enlarging).
  const edges = (from: number, to: number) =>
    Array.from({ length: to + 1 }, (_, i) => Math.floor((i * from) / to))
  const xs = edges(sourceWidth, width)
  const ys = edges(sourceHeight, height)
  const sums = new Float64Array(width * 3)
  for (let y = 0; y < height; y++) {
    sums.fill(0)
    const y0 = ys[y]!
    const y1 = Math.max(y0 + 1, ys[y + 1]!)
    for (let row = y0; row < y1; row++) {
      const base = row * sourceWidth * 4
      for (let x = 0; x < width; x++) {
        const x1 = Math.max(xs[x]! + 1, xs[x + 1]!)
        let r = 0
        let g = 0
        let b = 0
        for (let k = base + xs[x]! * 4, end = base + x1 * 4; k < end; k += 4) {
          r += source[k]!
          g += source[k + 1]!
          b += source[k + 2]!
        }
        sums[x * 3] = sums[x * 3]! + r
        sums[x * 3 + 1] = sums[x * 3 + 1]! + g
        sums[x * 3 + 2] = sums[x * 3 + 2]! + b
      }
    }
    for (let x = 0; x < width; x++) {
      const count = (y1 - y0) * (Math.max(xs[x]! + 1, xs[x + 1]!) - xs[x]!)
      const o = (y * width + x) * 4
      out[o] = Math.round(sums[x * 3]! / count)
      out[o + 1] = Math.round(sums[x * 3 + 1]! / count)
      out[o + 2] = Math.round(sums[x * 3 + 2]! / count)
      out[o + 3] = 255
    }
  }
  return out
}

/**
 * Preview tiles made from decoded frames without drawing them on a canvas. Chromium keeps every
 * `VideoFrame` drawn on a canvas as a full-size RGBA picture in its discardable image cache, which
 * the renderer holds until that cache reaches its 512 MB limit: 8 MB per 1080p tile, so a long
 * source's previews filled it while a 10 s clip's ten tiles did not (bench/encode-memory.ts). A copy
 * of the frame as RGBA, shrunk here, is gone once the tile is drawn; one buffer serves every tile.
 */
export class TileScaler {
  private buffer: Uint8Array<ArrayBuffer> | null = null
  /** Set once the browser cannot copy frames as RGBA: tiles are drawn from the frame instead. */
  private unsupported = false

  /**
   * A painter for the tile from `frame` (which the caller keeps open until the painter has run).
   * @example pipeline.tile(i, await scaler.painter(frame, plan.thumbnails))
   */
  async painter(frame: VideoFrame, size: { width: number; height: number }): Promise<TilePainter> {
    const pixels = this.unsupported ? null : await this.shrink(frame, size).catch(() => null)
    if (pixels) return (context, x, y) => context.putImageData(pixels, x, y)
    this.unsupported = true
    return (context, x, y, width, height) => context.drawImage(frame, x, y, width, height)
  }

  private async shrink(frame: VideoFrame, size: { width: number; height: number }): Promise<ImageData> {
    const copy = { format: 'RGBA', colorSpace: 'srgb' } as VideoFrameCopyToOptions
    const bytes = frame.allocationSize(copy)
    if (this.buffer?.byteLength !== bytes) this.buffer = new Uint8Array(bytes)
    const [plane] = await frame.copyTo(this.buffer, copy)
    const rect = frame.visibleRect
    const width = rect?.width ?? frame.codedWidth
    const height = rect?.height ?? frame.codedHeight
    if (plane?.offset !== 0 || plane.stride !== width * 4) throw new Error('unexpected RGBA layout')
    const pixels = shrinkRgba(this.buffer, width, height, size.width, size.height)
    return new ImageData(pixels, size.width, size.height)
  }
}
