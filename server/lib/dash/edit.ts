/**
 * Changing the subtitle tracks of a published manifest without touching anything else in it: the
 * manifest is read as an ordered XML tree (every element, attribute and comment kept as written,
 * entities left encoded), its WebVTT AdaptationSets are swapped for new ones built by the writer,
 * and the tree is written back. Whatever addressing, extensions or ordering the rest of the
 * manifest uses comes through unchanged, so video and audio play exactly as before.
 * @module
 */
import { XMLBuilder, XMLParser } from 'fast-xml-parser'
import { MpdError } from './error.ts'
import type { AdaptationSet } from './types.ts'
import { adaptationSetNode } from './write.ts'
import { mpdBuilder } from './xml.ts'

type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, string> }

const ORDERED = {
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  // Text and attribute values stay exactly as written (still entity-encoded) on the way through.
  processEntities: false,
  htmlEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  commentPropName: '#comment',
} as const

const parser = new XMLParser({ ...ORDERED, maxNestedTags: 64 })
const builder = new XMLBuilder({ ...ORDERED, format: true, indentBy: '  ', suppressEmptyNode: true })

/** The element name of an ordered node (its one key besides ':@'). */
function nameOf(node: OrderedNode): string | undefined {
  return Object.keys(node).find((k) => k !== ':@')
}

function childrenOf(node: OrderedNode): OrderedNode[] {
  const name = nameOf(node)
  const value = name ? node[name] : undefined
  return Array.isArray(value) ? (value as OrderedNode[]) : []
}

/** A sidecar WebVTT set, the only kind of text set the subtitle editor manages. */
function isWebVttSet(node: OrderedNode): boolean {
  return nameOf(node) === 'AdaptationSet' && node[':@']?.['@mimeType'] === 'text/vtt'
}

/**
 * The manifest with its WebVTT AdaptationSets replaced by `sets` (which take the place of the first
 * one removed, or go before any image set, or last). Set ids already in use are not reused: each
 * new set takes the next free number.
 * @throws MpdError for a manifest that is not one static Period, which the editor does not change
 * @example replaceTextSets(xml, [textAdaptationSet('3', { id: 's0', language: 'en', … })])
 */
export function replaceTextSets(xml: string, sets: readonly AdaptationSet[]): string {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new MpdError('The manifest has a DOCTYPE or ENTITY declaration.')
  const tree = parser.parse(xml) as OrderedNode[]
  const mpd = tree.find((n) => nameOf(n) === 'MPD')
  if (!mpd) throw new MpdError('The manifest has no MPD root element.')
  const periods = childrenOf(mpd).filter((n) => nameOf(n) === 'Period')
  if (periods.length !== 1) throw new MpdError('Subtitles can only be changed in a manifest with one Period.')
  const period = periods[0]!
  const children = childrenOf(period)

  const firstRemoved = children.findIndex(isWebVttSet)
  const kept = children.filter((n) => !isWebVttSet(n))
  const used = kept
    .filter((n) => nameOf(n) === 'AdaptationSet')
    .map((n) => Number(n[':@']?.['@id']))
    .filter((id) => Number.isInteger(id))
  let next = Math.max(-1, ...used) + 1
  const renumbered = sets.map((set) => ({ ...set, id: String(next++) }))
  const inserted =
    renumbered.length === 0
      ? []
      : (parser.parse(
          mpdBuilder.build({ AdaptationSet: renumbered.map(adaptationSetNode) }) as string,
        ) as OrderedNode[])

  let at: number
  if (firstRemoved !== -1) at = children.slice(0, firstRemoved).filter((n) => !isWebVttSet(n)).length
  else {
    const image = kept.findIndex(
      (n) => nameOf(n) === 'AdaptationSet' && n[':@']?.['@contentType'] === 'image',
    )
    at = image === -1 ? kept.length : image
  }
  period[nameOf(period)!] = [...kept.slice(0, at), ...inserted, ...kept.slice(at)]
  return builder.build(tree) as string
}
