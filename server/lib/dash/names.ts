/**
 * The file names of an encoded movie, spelled here and nowhere else: the manifest and its later
 * versions, the poster, the init and media segment templates every encoder instance and the merged
 * manifest use, the subtitle sidecars and the seek-bar preview sprites.
 *
 * What may change after publishing (subtitles, hence the manifest) changes under a NEW name:
 * subtitle files are named by their content's hash and manifests by a version number, so every
 * published name keeps meaning the same bytes and caches may keep them.
 * @module
 */
import { expandTemplate, matchTemplate } from './template.ts'

/** The manifest a movie is published with. */
export const MANIFEST_NAME = 'manifest.mpd'
/**
 * Later versions of a movie's manifest (after its subtitles changed): version 1 is
 * {@link MANIFEST_NAME}, version n > 1 is `manifest-v<n>.mpd`.
 * @example manifestName(3) // 'manifest-v3.mpd'
 */
export function manifestName(version: number): string {
  return version <= 1 ? MANIFEST_NAME : `manifest-v${version}.mpd`
}

/**
 * The version of a manifest name, or null for a name that is not one of ours.
 * @example manifestVersion('manifest.mpd') // 1
 * @example manifestVersion('manifest-v3.mpd') // 3
 */
export function manifestVersion(name: string): number | null {
  if (name === MANIFEST_NAME) return 1
  const m = /^manifest-v([1-9]\d{0,8})\.mpd$/.exec(name)
  return m ? Number(m[1]) : null
}

/**
 * A subtitle track's WebVTT file: its language and the first 8 hex digits of its SHA-256, so a
 * replaced subtitle gets a new name and the old one never changes meaning.
 * @example subtitleName('ja', 'a1b2c3d4e5…') // 'subs-ja-a1b2c3d4.vtt'
 */
export function subtitleName(language: string | null, sha256: string): string {
  const lang = language && /^[A-Za-z0-9-]{1,35}$/.test(language) ? language : 'und'
  return `subs-${lang}-${sha256.slice(0, 8).toLowerCase()}.vtt`
}

/** Whether a name is a subtitle file {@link subtitleName} made. */
export function isSubtitleName(name: string): boolean {
  return /^subs-[A-Za-z0-9-]{1,35}-[0-9a-f]{8}\.vtt$/.test(name)
}

/**
 * The HLS multivariant playlist of a manifest version: `master.m3u8` beside `manifest.mpd`,
 * `master-v<n>.m3u8` beside `manifest-v<n>.mpd`, so a subtitle change gets a new entry point too.
 * @example hlsMasterName(3) // 'master-v3.m3u8'
 */
export function hlsMasterName(version: number): string {
  return version <= 1 ? 'master.m3u8' : `master-v${version}.m3u8`
}

/**
 * An HLS media playlist: `hls-<key>.m3u8`, where the key is a Representation id (video, audio:
 * the same bytes in every manifest version) or a subtitle file's name (which changes with its content).
 * @example hlsMediaName('v0') // 'hls-v0.m3u8'
 */
export function hlsMediaName(key: string): string {
  return `hls-${key}.m3u8`
}

/** Whether a name is a playlist the server writes ({@link hlsMasterName}, {@link hlsMediaName}). */
export function isHlsName(name: string): boolean {
  return /^(master(-v[1-9]\d{0,8})?|hls-[A-Za-z0-9._-]+)\.m3u8$/.test(name)
}

/** SegmentTemplate@media of the seek-bar preview sprite sheets (JPEG grids of tiles). */
export const SPRITE_TEMPLATE = 'thumbs-$Number%05d$.jpg'
/** The same tiles as a WebVTT thumbnails file (`#xywh=` fragments), for players without DASH thumbnails. */
export const THUMBNAILS_VTT_NAME = 'thumbs.vtt'

/**
 * Sprite sheet `number` (from 1).
 * @example spriteName(2) // 'thumbs-00002.jpg'
 */
export function spriteName(number: number): string {
  return expandTemplate(SPRITE_TEMPLATE, { RepresentationID: '', Bandwidth: 0, Number: number })
}

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
