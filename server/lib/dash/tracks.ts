/**
 * The AdaptationSets beside video and audio, built the one way the encoder and the server (when a
 * subtitle changes after publishing) both build them: a subtitle track is a text set holding one
 * sidecar WebVTT file, and the seek-bar previews are a DASH-IF thumbnail set (DASH-IF IOP 4.3,
 * 6.2.6) of JPEG sprite sheets addressed by a fixed-duration SegmentTemplate.
 * @module
 */
import { SPRITE_TEMPLATE } from './names.ts'
import type { AdaptationSet } from './types.ts'

/** The scheme of Role@value (ISO/IEC 23009-1 5.8.5.5). */
export const ROLE_SCHEME = 'urn:mpeg:dash:role:2011'
/** The DASH-IF scheme whose value says how many tiles a thumbnail image holds: "10x10". */
export const THUMBNAIL_TILE_SCHEME = 'http://dashif.org/thumbnail_tile'

/**
 * What a subtitle track is for: dialogue for people who do not understand the audio, only the
 * parts the audio does not translate (signs, foreign lines: shown even with subtitles off), or the
 * dialogue and sounds for people who cannot hear it.
 */
export const SUBTITLE_ROLES = ['subtitle', 'forced-subtitle', 'caption'] as const
export type SubtitleRole = (typeof SUBTITLE_ROLES)[number]

/** One subtitle track as the manifest lists it. */
export interface SubtitleTrack {
  /** Representation id, e.g. "s0". */
  id: string
  /** RFC 5646 tag, or null when nobody knows. */
  language: string | null
  /** For people: "English", "English (signs & songs)". */
  label: string
  role: SubtitleRole
  /** The WebVTT file inside the movie. */
  path: string
  /** Bits per second the file costs when spread over the movie. */
  bandwidth: number
}

/**
 * A text AdaptationSet holding one sidecar WebVTT file.
 * @example textAdaptationSet('3', { id: 's0', language: 'en', label: 'English', role: 'subtitle', path: 'subs-en-0a1b2c3d.vtt', bandwidth: 256 })
 */
export function textAdaptationSet(setId: string, track: SubtitleTrack): AdaptationSet {
  return {
    id: setId,
    contentType: 'text',
    mimeType: 'text/vtt',
    ...(track.language ? { lang: track.language } : {}),
    labels: [track.label],
    roles: [track.role],
    representations: [
      { id: track.id, bandwidth: Math.max(1, Math.ceil(track.bandwidth)), baseUrl: track.path },
    ],
  }
}

/** The tiles of the seek-bar previews: where each one sits and how long it stands for. */
export interface SpriteGrid {
  columns: number
  rows: number
  /** One tile's size in pixels. */
  tileWidth: number
  tileHeight: number
  /** How long one tile stands for, in ticks of `timescale`. */
  tileDuration: number
  timescale: number
}

/**
 * The thumbnail AdaptationSet: sheet n covers `columns × rows` tiles of `tileDuration` each, read
 * left to right, top to bottom. The last sheet may be only partly filled.
 */
export function thumbnailAdaptationSet(setId: string, grid: SpriteGrid, bandwidth: number): AdaptationSet {
  return {
    id: setId,
    contentType: 'image',
    mimeType: 'image/jpeg',
    addressing: {
      timescale: grid.timescale,
      duration: grid.tileDuration * grid.columns * grid.rows,
      startNumber: 1,
      media: SPRITE_TEMPLATE,
    },
    representations: [
      {
        id: 'thumbnails',
        bandwidth: Math.max(1, Math.ceil(bandwidth)),
        width: grid.columns * grid.tileWidth,
        height: grid.rows * grid.tileHeight,
        essentialProperties: [{ schemeIdUri: THUMBNAIL_TILE_SCHEME, value: `${grid.columns}x${grid.rows}` }],
      },
    ],
  }
}
