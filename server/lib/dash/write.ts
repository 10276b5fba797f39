/**
 * Writing an MPD from the manifest model, with fast-xml-parser's XMLBuilder (which escapes every
 * attribute value). Timelines are written as the fewest S runs; a Representation without addressing
 * of its own uses its AdaptationSet's.
 * @module
 */
import { formatDuration } from './duration.ts'
import { compressTimeline } from './timeline.ts'
import { ROLE_SCHEME } from './tracks.ts'
import {
  type AdaptationSet,
  type Descriptor,
  type FixedAddressing,
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

/** An AdaptationSet element as the builder takes it (also for the manifest editor, edit.ts). */
export function adaptationSetNode(set: AdaptationSet): XmlNode {
  // Children in the schema's order: Label (RepresentationBase), Role, SegmentTemplate, Representation.
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
    ...(set.labels?.length ? { Label: set.labels } : {}),
    ...(set.roles?.length
      ? { Role: set.roles.map((value) => descriptorNode({ schemeIdUri: ROLE_SCHEME, value })) }
      : {}),
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
    ...(rep.essentialProperties?.length
      ? { EssentialProperty: rep.essentialProperties.map(descriptorNode) }
      : {}),
    ...(rep.baseUrl !== undefined ? { BaseURL: rep.baseUrl } : {}),
    ...(rep.addressing ? { SegmentTemplate: templateNode(rep.addressing) } : {}),
  }
}

function descriptorNode(d: Descriptor): XmlNode {
  return attributes({ schemeIdUri: d.schemeIdUri, value: d.value })
}

function templateNode(a: SegmentAddressing | FixedAddressing): XmlNode {
  if ('duration' in a) {
    return attributes({
      timescale: a.timescale,
      duration: a.duration,
      startNumber: a.startNumber,
      media: a.media,
    })
  }
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
