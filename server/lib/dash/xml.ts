/**
 * The one fast-xml-parser setup for MPDs, reading and writing: attributes as `@name`, child
 * elements by name, text as `#text`.
 * @module
 */
import { XMLBuilder, XMLParser } from 'fast-xml-parser'

/** An element as fast-xml-parser represents it. */
export type XmlNode = Record<string, unknown>

const ATTRIBUTE_PREFIX = '@'

/** Elements that may repeat, so they always come back as arrays. */
const REPEATED = new Set([
  'Period',
  'AdaptationSet',
  'Representation',
  'S',
  'SegmentURL',
  'BaseURL',
  'SegmentTemplate',
  'SegmentList',
  'SegmentBase',
  'Label',
  'Role',
  'EssentialProperty',
])

/** The reader's parser; the manifest comes from an uploader, so nothing in it may expand. */
export const mpdParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: ATTRIBUTE_PREFIX,
  // Entities stay as text; the five predefined ones and character references are decoded by
  // the reader's decodeXmlText, which cannot expand anything.
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  maxNestedTags: 64,
  isArray: (name) => REPEATED.has(name),
})

/** The writer's builder: it escapes attribute values itself. */
export const mpdBuilder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: ATTRIBUTE_PREFIX,
  format: true,
  indentBy: '  ',
  suppressEmptyNode: true,
  suppressBooleanAttributes: false,
})

/** An element's attributes keyed as the parser and builder spell them; undefined values are left out. */
export function attributes(values: Record<string, string | number | undefined | null>): XmlNode {
  const out: XmlNode = {}
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined && value !== null && value !== '') out[`${ATTRIBUTE_PREFIX}${name}`] = value
  }
  return out
}

/** The attributes of a parsed element, by name without the prefix (still entity-encoded). */
export function rawAttributes(node: XmlNode): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(node)) {
    if (k.startsWith(ATTRIBUTE_PREFIX) && typeof v === 'string') out[k.slice(ATTRIBUTE_PREFIX.length)] = v
  }
  return out
}
