/**
 * @module The colour space a movie is published in, decided once from the source, so that every
 * rendition says the same whoever encodes it (the browser's encoder, x264 in ffmpeg.wasm, the hybrid
 * path): a player switching renditions must not see the colours change.
 *
 * Every path keeps the source's Y'CbCr numbers (only full range is brought to TV range,
 * color-range.ts) and tags the output with what they mean: BT.709 for HD, BT.601 for SD material
 * (DVD rips, old phones and cameras), which players convert with its own matrix. Converting SD to
 * BT.709 instead would cost a colour filter in wasm and a pass over every pixel in the page for no
 * visible gain: Chromium (MSE), Safari and ffmpeg all honour the tags.
 */
import type { ProbeResult } from './types.ts'

/** Tags every rendition of one movie carries, in the names WebCodecs and ffmpeg share; always TV range. */
export interface PublishedColour {
  /** The Y'CbCr matrix: BT.709, or BT.601 (smpte170m and bt470bg name the same numbers). */
  matrix: 'bt709' | 'smpte170m' | 'bt470bg'
  /** BT.709, or BT.601's 525-line (NTSC, smpte170m) or 625-line (PAL, bt470bg) primaries. */
  primaries: 'bt709' | 'smpte170m' | 'bt470bg'
  /** BT.709's curve, which BT.601's (smpte170m) is too. */
  transfer: 'bt709' | 'smpte170m'
}

/** HD video, and everything that is neither BT.709 nor BT.601 (BT.2020 is kept to 8-bit BT.709). */
export const BT709: PublishedColour = { matrix: 'bt709', primaries: 'bt709', transfer: 'bt709' }

const SD_SYSTEMS = ['smpte170m', 'bt470bg'] as const
type SdSystem = (typeof SD_SYSTEMS)[number]
const isSd = (tag: string | null | undefined): tag is SdSystem => SD_SYSTEMS.includes(tag as SdSystem)

/**
 * The colour `source` is published in: BT.601 where its matrix tag says so, or, untagged, where
 * players take it for BT.601 (mpv and ffmpeg's rule: narrower than 1280 and at most 576 lines);
 * BT.709 otherwise. BT.601's primaries are the source's when it names them, else those of its
 * matrix tag, else PAL's for 576 lines and NTSC's for the rest.
 * @example publishedColour({ width: 720, height: 576 }) // { matrix: 'bt470bg', primaries: 'bt470bg', transfer: 'smpte170m' }
 */
export function publishedColour(source: Pick<ProbeResult, 'width' | 'height' | 'colour'>): PublishedColour {
  const { matrix = null, primaries = null } = source.colour ?? {}
  const untaggedSd = matrix === null && source.width < 1280 && source.height <= 576
  if (!isSd(matrix) && !untaggedSd) return BT709
  const system: SdSystem = isSd(primaries)
    ? primaries
    : isSd(matrix)
      ? matrix
      : source.height === 576
        ? 'bt470bg'
        : 'smpte170m'
  return {
    matrix: isSd(matrix) ? matrix : system,
    primaries: primaries === 'bt709' ? 'bt709' : system,
    transfer: 'smpte170m',
  }
}

/** The tags as a `VideoFrame`'s colour space (TV range), which the browser's encoder writes into the stream. */
export function frameColorSpace(colour: PublishedColour): VideoColorSpaceInit {
  return { ...colour, fullRange: false }
}

/** ffmpeg's output options that tag a stream with `colour`, in TV range. */
export function colourTagArgs(colour: PublishedColour): string[] {
  return [
    ...['-color_range', 'tv'],
    ...['-colorspace', colour.matrix],
    ...['-color_primaries', colour.primaries],
    ...['-color_trc', colour.transfer],
  ]
}

/** The scale filter's name for `colour`'s matrix, for pictures that become Y'CbCr in ffmpeg (RGB frames). */
export function scaleMatrix(colour: PublishedColour): 'bt709' | 'bt601' {
  return colour.matrix === 'bt709' ? 'bt709' : 'bt601'
}
