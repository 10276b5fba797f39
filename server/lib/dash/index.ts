/**
 * MPEG-DASH for both sides: the encoder in the browser writes manifests with it, the server reads
 * them with it at publish. Runtime-agnostic (no `node:*`, no DOM beyond `URL` and `TextEncoder`).
 *
 * - `types.ts`: the manifest model (Periods, AdaptationSets, Representations, timelines in ticks)
 * - `names.ts`: the file names of an encoded movie, spelled once
 * - `duration.ts`, `template.ts`, `timeline.ts`: ISO 8601 durations, SegmentTemplate strings,
 *   SegmentTimeline expansion and compression
 * - `read.ts`: the defensive reader publish trusts; `write.ts`: the writer the encoder uses
 * - `hls.ts`: HLS playlists derived from a manifest read, over the same CMAF segments
 * - `tracks.ts`: subtitle (text) and seek-bar preview (image) AdaptationSets; `edit.ts`: swapping
 *   the subtitle sets of a published manifest, everything else left as written
 *
 * @example
 * const mpd = parseMpd(xml)                   // throws MpdError on anything unsafe or unsupported
 * const needed = mpdFiles(mpd)                // every init and media segment it names
 * const text = writeMpd({ duration, minBufferTime, periods })
 * @module
 */
export { measuredBandwidth } from './bandwidth.ts'
export { formatDuration, parseIsoDuration } from './duration.ts'
export { replaceTextSets } from './edit.ts'
export { MpdError } from './error.ts'
export { type HlsFile, type HlsOptions, type HlsPlaylists, hlsPlaylists, hlsUnsupported } from './hls.ts'
export {
  hlsMasterName,
  hlsMediaName,
  INIT_TEMPLATE,
  initName,
  isHlsName,
  isSubtitleName,
  MANIFEST_NAME,
  MEDIA_TEMPLATE,
  manifestName,
  manifestVersion,
  mediaName,
  POSTER_NAME,
  parseSegmentName,
  type SegmentName,
  SPRITE_TEMPLATE,
  spriteName,
  subtitleName,
  THUMBNAILS_VTT_NAME,
} from './names.ts'
export {
  MAX_MPD_BYTES,
  MAX_MPD_SEGMENTS,
  type Mpd,
  type MpdRepresentation,
  mpdFiles,
  type ParseMpdOptions,
  parseMpd,
} from './read.ts'
export { expandTemplate, matchTemplate, type TemplateMatch, type TemplateValues } from './template.ts'
export {
  alignedTimeline,
  compressTimeline,
  type ExpandOptions,
  expandTimeline,
  type TimelineRun,
  timelineSeconds,
} from './timeline.ts'
export {
  ROLE_SCHEME,
  type SpriteGrid,
  SUBTITLE_ROLES,
  type SubtitleRole,
  type SubtitleTrack,
  THUMBNAIL_TILE_SCHEME,
  textAdaptationSet,
  thumbnailAdaptationSet,
} from './tracks.ts'
export type * from './types.ts'
export { mediaAttributes } from './types.ts'
export { writeMpd } from './write.ts'
