/**
 * Writing an MPD from the manifest model, with fast-xml-parser's XMLBuilder (which escapes every
 * attribute value). Timelines are written as the fewest S runs; a Representation without addressing
 * of its own uses its AdaptationSet's.
 * @module
 */
import { formatDuration } from './duration.ts'
import { compressTimeline } from './timeline.ts'
import {
  type AdaptationSet,
  type Manifest,
  mediaAttributes,
  type Representation,
  type SegmentAddressing,
} from './types.ts'
import { attributes, mpdBuilder, type XmlNode } from './xml.ts'

const MPD_NAMESPACE = 'urn:mpeg:dash:schema:mpd:2011'
/** Segments addressed by SegmentTemplate, every one starting with a random access point. */
const LIVE_PROFILE = 'urn:mpeg:dash:profile:isoff-live:2011'
const CHANNEL_SCHEME = 'urn:mpeg:dash:23003:3:audio_channel_configuration:2011'

/**
 * The MPD text of a static presentation.
 * @example
 * writeMpd({ duration: 6, minBufferTime: 2, periods: [{ id: '0', start: 0, adaptationSets: [videoSet] }] })
 * // '<?xml version="1.0" encoding="utf-8"?>\n<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" …'
 */
export function writeMpd(manifest: Manifest): string {
  const doc = {
    '?xml': attributes({ version: '1.0', encoding: 'utf-8' }),
    MPD: {
      ...attributes({
        xmlns: MPD_NAMESPACE,
        profiles: LIVE_PROFILE,
        type: 'static',
        mediaPresentationDuration: formatDuration(manifest.duration),
        maxSegmentDuration:
          manifest.maxSegmentDuration === undefined ? undefined : formatDuration(manifest.maxSegmentDuration),
        minBufferTime: formatDuration(manifest.minBufferTime),
      }),
      Period: manifest.periods.map((period) => ({
        ...attributes({ id: period.id, start: formatDuration(period.start) }),
        AdaptationSet: period.adaptationSets.map(adaptationSetNode),
      })),
    },
  }
  return mpdBuilder.build(doc) as string
}

function adaptationSetNode(set: AdaptationSet): XmlNode {
  return {
    ...attributes({
      id: set.id,
      contentType: set.contentType,
      mimeType: set.mimeType,
      segmentAlignment: set.segmentAlignment === undefined ? undefined : String(set.segmentAlignment),
      startWithSAP: set.startWithSAP,
      lang: set.lang,
      par: set.par,
      maxWidth: set.maxWidth,
      maxHeight: set.maxHeight,
      maxFrameRate: set.maxFrameRate,
    }),
    ...(set.addressing ? { SegmentTemplate: templateNode(set.addressing) } : {}),
    Representation: set.representations.map(representationNode),
  }
}

function representationNode(rep: Representation): XmlNode {
  // The channel count is an element of its own, not an attribute.
  const { channels, ...media } = mediaAttributes(rep)
  return {
    ...attributes({ id: rep.id, bandwidth: rep.bandwidth, ...media }),
    ...(channels !== undefined
      ? { AudioChannelConfiguration: attributes({ schemeIdUri: CHANNEL_SCHEME, value: channels }) }
      : {}),
    ...(rep.baseUrl !== undefined ? { BaseURL: rep.baseUrl } : {}),
    ...(rep.addressing ? { SegmentTemplate: templateNode(rep.addressing) } : {}),
  }
}

function templateNode(a: SegmentAddressing): XmlNode {
  return {
    ...attributes({
      timescale: a.timescale,
      initialization: a.initialization,
      media: a.media,
      startNumber: a.segments[0]?.number ?? 1,
    }),
    SegmentTimeline: {
      S: compressTimeline(a.segments).map((run) => attributes({ t: run.t, d: run.d, r: run.r, n: run.n })),
    },
  }
}
