/**
 * The file names of an encoded movie, spelled here and nowhere else: the manifest, the poster, and
 * the init and media segment templates every encoder instance and the merged manifest use.
 * @module
 */
import { expandTemplate, matchTemplate } from './template.ts'

/** The manifest a movie is published with. */
export const MANIFEST_NAME = 'manifest.mpd'
/** The poster the encoder uploads first. */
export const POSTER_NAME = 'poster.jpg'
/** SegmentTemplate@initialization. */
export const INIT_TEMPLATE = 'init-$RepresentationID$.m4s'
/** SegmentTemplate@media: numbers five digits wide, so names sort in play order. */
export const MEDIA_TEMPLATE = 'chunk-$RepresentationID$-$Number%05d$.m4s'

/**
 * The init segment of a Representation.
 * @example initName('v1') // 'init-v1.m4s'
 */
export function initName(id: string): string {
  return expandTemplate(INIT_TEMPLATE, { RepresentationID: id, Bandwidth: 0 })
}

/**
 * Media segment `number` of a Representation.
 * @example mediaName('v1', 3) // 'chunk-v1-00003.m4s'
 */
export function mediaName(id: string, number: number): string {
  return expandTemplate(MEDIA_TEMPLATE, { RepresentationID: id, Bandwidth: 0, Number: number })
}

export type SegmentName = { kind: 'init'; id: string } | { kind: 'media'; id: string; number: number }

/**
 * What a segment file name is: an init segment or a numbered media segment, and of which
 * Representation; null for any other name.
 * @example parseSegmentName('chunk-0-00012.m4s') // { kind: 'media', id: '0', number: 12 }
 * @example parseSegmentName('init-a0.m4s')       // { kind: 'init', id: 'a0' }
 */
export function parseSegmentName(name: string): SegmentName | null {
  const media = matchTemplate(MEDIA_TEMPLATE, name)
  if (media?.RepresentationID !== undefined && media.Number !== undefined) {
    return { kind: 'media', id: media.RepresentationID, number: media.Number }
  }
  const init = matchTemplate(INIT_TEMPLATE, name)
  if (init?.RepresentationID !== undefined) return { kind: 'init', id: init.RepresentationID }
  return null
}
