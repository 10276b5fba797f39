/**
 * @module Seek-bar previews: tiles drawn into JPEG sprite sheets (10 × 10 tiles of about 160 px) by
 * the browser's own encoder, in whatever order the encoders hand them over, each sheet going out as
 * soon as its last tile is in; and at the end the WebVTT thumbnails file that points into them.
 * Both encoders feed it: WebCodecs draws the frames it decoded anyway, ffmpeg.wasm sends raw tiles.
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
