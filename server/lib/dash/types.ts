/**
 * The manifest model: what the writer takes and the reader gives back.
 *
 * A presentation is Periods of AdaptationSets of Representations, as in ISO/IEC 23009-1. Segment
 * times are integers in the track's own timescale (ticks), never floating-point seconds, so a
 * timeline read back is the timeline written. Text (WebVTT) and image (thumbnail) sets are
 * AdaptationSets with another `contentType`; a Representation that is one file (a sidecar `.vtt`)
 * has a `baseUrl` instead of segment addressing. HLS playlists derive from the same model.
 * @module
 */

/** What an AdaptationSet carries. */
export type ContentKind = 'video' | 'audio' | 'text' | 'image' | 'other'

/** One media segment: its number in file names and its place on the timeline, in ticks. */
export interface TimelineSegment {
  number: number
  start: number
  duration: number
}

/** A Representation's media segments with the timescale their ticks count in. */
export interface Timeline {
  timescale: number
  segments: TimelineSegment[]
}

/** Attributes of a Representation that describe its media (codecs, picture, sound). */
export interface MediaAttributes {
  codecs?: string
  width?: number
  height?: number
  /** Sample (pixel) aspect ratio, "1:1". */
  sar?: string
  /** "30", "30000/1001". */
  frameRate?: string
  audioSamplingRate?: number
  /** AudioChannelConfiguration@value (MPEG-DASH 23003-3 scheme): the channel count. */
  channels?: number
}

/** Only the media attributes of anything that has them (a Representation read, an encoded track). */
export function mediaAttributes(from: MediaAttributes): MediaAttributes {
  const { codecs, width, height, sar, frameRate, audioSamplingRate, channels } = from
  const all: MediaAttributes = { codecs, width, height, sar, frameRate, audioSamplingRate, channels }
  return Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined)) as MediaAttributes
}

/** SegmentTemplate addressing with a SegmentTimeline; `@startNumber` is the first segment's number. */
export interface SegmentAddressing extends Timeline {
  /** Template of the init segment's name, e.g. `init-$RepresentationID$.m4s`. */
  initialization?: string
  /** Template of the media segments' names, e.g. `chunk-$RepresentationID$-$Number%05d$.m4s`. */
  media: string
}

/**
 * SegmentTemplate addressing with a fixed `@duration` and no timeline: segment n (from
 * `startNumber`) covers [(n - startNumber) × duration, …) until the Period ends. Thumbnail sprite
 * sheets are addressed this way, as DASH-IF IOP 6.2.6 and players expect.
 */
export interface FixedAddressing {
  timescale: number
  /** Ticks every segment lasts (the last one may be cut short by the Period's end). */
  duration: number
  startNumber: number
  media: string
}

/** A descriptor element (Role, EssentialProperty, …): a scheme and a value in it. */
export interface Descriptor {
  schemeIdUri: string
  value?: string
}

export interface Representation extends MediaAttributes {
  id: string
  /** Bits per second a player must be able to fetch to play it without stalling. */
  bandwidth: number
  /** Its own addressing; without it, the AdaptationSet's applies. */
  addressing?: SegmentAddressing | FixedAddressing
  /** One whole file (a sidecar WebVTT, say) instead of segments. */
  baseUrl?: string
  /** EssentialProperty elements, e.g. the thumbnail grid (`http://dashif.org/thumbnail_tile`, "10x10"). */
  essentialProperties?: Descriptor[]
}

export interface AdaptationSet {
  id: string
  contentType: ContentKind
  mimeType: string
  /** RFC 5646 language tag (audio and text), e.g. "ja", "pt-BR". */
  lang?: string
  /** Label elements: names for people ("Japanese", "English (signs)"). */
  labels?: string[]
  /** Role@value in the `urn:mpeg:dash:role:2011` scheme: main, alternate, subtitle, forced-subtitle, caption… */
  roles?: string[]
  /** True when segments with the same number start together in every Representation. */
  segmentAlignment?: boolean
  startWithSAP?: number
  /** Picture aspect ratio, "16:9". */
  par?: string
  maxWidth?: number
  maxHeight?: number
  maxFrameRate?: string
  /** Addressing every Representation shares, written once at the set's level. */
  addressing?: SegmentAddressing | FixedAddressing
  representations: Representation[]
}

export interface Period {
  id: string
  /** Seconds from the start of the presentation. */
  start: number
  adaptationSets: AdaptationSet[]
}

/** A static (on-demand) presentation, as the encoder writes it. */
export interface Manifest {
  /** Seconds. */
  duration: number
  /** Seconds; the longest segment of any Representation. */
  maxSegmentDuration?: number
  /** Seconds a player buffers before it starts. */
  minBufferTime: number
  periods: Period[]
}
