/**
 * SegmentTemplate strings (ISO/IEC 23009-1 5.3.9.4.4): expanding `$RepresentationID$`, `$Number$`,
 * `$Time$`, `$Bandwidth$`, `$$` and `%0Nd` widths into a file name, and the reverse, reading the
 * values back out of a name the template made.
 * @module
 */
import { MpdError } from './error.ts'

export interface TemplateValues {
  RepresentationID: string
  Bandwidth: number
  Number?: number
  Time?: number
}

type Token =
  | { literal: string }
  | { name: 'RepresentationID' | 'Number' | 'Bandwidth' | 'Time'; width: number | null }

/** Splits a template into literal text and identifiers, refusing what the standard does not allow. */
function tokens(template: string): Token[] {
  const out: Token[] = []
  let at = 0
  while (at < template.length) {
    const open = template.indexOf('$', at)
    if (open === -1) {
      out.push({ literal: template.slice(at) })
      break
    }
    if (open > at) out.push({ literal: template.slice(at, open) })
    const close = template.indexOf('$', open + 1)
    if (close === -1) throw new MpdError(`Template "${template}" has an unmatched "$".`)
    const token = template.slice(open + 1, close)
    at = close + 1
    if (token === '') {
      out.push({ literal: '$' })
      continue
    }
    const m = /^(RepresentationID|Number|Bandwidth|Time|SubNumber)(?:%0(\d{1,2})d)?$/.exec(token)
    if (!m) throw new MpdError(`Template "${template}" uses "$${token}$", which is not a DASH identifier.`)
    const name = m[1]!
    if (name === 'SubNumber') throw new MpdError(`Template "${template}": $SubNumber$ is not supported.`)
    if (name === 'RepresentationID' && m[2] !== undefined)
      throw new MpdError(`Template "${template}": $RepresentationID$ takes no width.`)
    out.push({
      name: name as 'RepresentationID' | 'Number' | 'Bandwidth' | 'Time',
      width: m[2] === undefined ? null : Number(m[2]),
    })
  }
  return out
}

/**
 * Expands a SegmentTemplate string.
 * @throws MpdError for identifiers the standard does not define, or values the template needs and lacks
 * @example
 * expandTemplate('chunk-$RepresentationID$-$Number%05d$.m4s', { RepresentationID: '0', Bandwidth: 1, Number: 7 })
 * // 'chunk-0-00007.m4s'
 */
export function expandTemplate(template: string, values: TemplateValues): string {
  let out = ''
  for (const token of tokens(template)) {
    if ('literal' in token) {
      out += token.literal
      continue
    }
    if (token.name === 'RepresentationID') {
      out += values.RepresentationID
      continue
    }
    const value = values[token.name]
    if (value === undefined) {
      throw new MpdError(
        token.name === 'Time'
          ? `Template "${template}" uses $Time$, which needs a SegmentTimeline.`
          : `Template "${template}" uses $${token.name}$ where it has no value.`,
      )
    }
    out += String(value).padStart(token.width ?? 0, '0')
  }
  return out
}

/** What a file name made by a template says; only the identifiers the template uses are present. */
export interface TemplateMatch {
  RepresentationID?: string
  Number?: number
  Bandwidth?: number
  Time?: number
}

/**
 * Reads the values back out of a name a template made, or null when the template could not have
 * made it. A Representation id is anything up to the next literal text, without a "/".
 * @example
 * matchTemplate('chunk-$RepresentationID$-$Number%05d$.m4s', 'chunk-v1-00003.m4s') // { RepresentationID: 'v1', Number: 3 }
 * matchTemplate('chunk-$RepresentationID$-$Number%05d$.m4s', 'init-v1.m4s')        // null
 */
export function matchTemplate(template: string, name: string): TemplateMatch | null {
  const names: Exclude<Token, { literal: string }>['name'][] = []
  let source = '^'
  for (const token of tokens(template)) {
    if ('literal' in token) {
      source += token.literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      continue
    }
    names.push(token.name)
    // A %0Nd number has at least N digits (more when it outgrows the width); an id is not empty.
    source += token.name === 'RepresentationID' ? '([^/]+?)' : `(\\d{${token.width ?? 1},})`
  }
  const m = new RegExp(`${source}$`).exec(name)
  if (!m) return null
  const out: TemplateMatch = {}
  names.forEach((key, i) => {
    const value = m[i + 1]!
    if (key === 'RepresentationID') out.RepresentationID = value
    else out[key] = Number(value)
  })
  return out
}
