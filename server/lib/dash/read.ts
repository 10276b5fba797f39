/**
 * Reading an MPD: which files it needs, and what it says about each Representation (media
 * attributes, timeline). Publish validates uploads with it; the encoder reads the manifests ffmpeg's
 * DASH muxer writes in each instance with it.
 *
 * The manifest comes from an uploader, so parsing is defensive: a size limit, no DOCTYPE at all
 * (that is where entity-expansion bombs and external entities live, and no MPD needs one), entity
 * processing switched off in the parser, a cap on nesting, and a cap on how many segments the
 * manifest may name before any list is built (a ten-line SegmentTimeline can claim a billion).
 *
 * Addressing supported (ISO/IEC 23009-1): SegmentTemplate with `@duration` or a SegmentTimeline
 * (`$RepresentationID$`, `$Number$`, `$Time$`, `$Bandwidth$`, `$$`, `%0Nd` widths, `@startNumber`,
 * `@endNumber`, `S@t/@d/@r/@n` including `r="-1"`), SegmentList, SegmentBase, and a bare BaseURL,
 * each inherited Period → AdaptationSet → Representation, with BaseURL resolved level by level.
 * @module
 */
import { checkUrlPath } from '../paths.ts'
import { parseIsoDuration } from './duration.ts'
import { MpdError } from './error.ts'
import { expandTemplate } from './template.ts'
import { expandTimeline, type TimelineRun } from './timeline.ts'
import { ROLE_SCHEME, THUMBNAIL_TILE_SCHEME } from './tracks.ts'
import {
  type ContentKind,
  type MediaAttributes,
  mediaAttributes,
  type Timeline,
  type TimelineSegment,
} from './types.ts'
import { mpdParser, rawAttributes, type XmlNode } from './xml.ts'

export const MAX_MPD_BYTES = 4 * 1024 * 1024
export const MAX_MPD_SEGMENTS = 500_000
/** No ladder needs more; 40,000 Representations made a 2.3 MB catalog entry. */
export const MAX_MPD_REPRESENTATIONS = 64

/** A Representation as read, with everything it inherits from its AdaptationSet and Period. */
export interface MpdRepresentation extends MediaAttributes {
  id: string
  periodId: string | null
  adaptationSetId: string | null
  kind: ContentKind
  mimeType?: string
  lang?: string
  /** Label texts of its AdaptationSet (or its own), e.g. ["Japanese"]. */
  labels: string[]
  /** Role@value of its AdaptationSet in the DASH role scheme: "main", "subtitle", "forced-subtitle"… */
  roles: string[]
  /** The thumbnail grid (DASH-IF thumbnail_tile) of an image Representation, e.g. { columns: 10, rows: 10 }. */
  tiles: { columns: number; rows: number } | null
  bandwidth: number
  /** Path of the initialization segment inside the movie, or null when the media carries its own. */
  initialization: string | null
  /** Paths of the media segments inside the movie, in presentation order, without repeats. */
  segments: string[]
  /**
   * With SegmentTemplate addressing, every media segment's number, start and duration in ticks of
   * `timescale` (from the SegmentTimeline, or from `@duration`); null for other addressing.
   */
  timeline: Timeline | null
}

export interface Mpd {
  type: 'static' | 'dynamic'
  /** Seconds, from `@mediaPresentationDuration` or else the end of the last Period; null when unknown. */
  duration: number | null
  representations: MpdRepresentation[]
}

export interface ParseMpdOptions {
  /** Path of the manifest inside the movie; relative URLs resolve against it. Default `manifest.mpd`. */
  manifestPath?: string
  maxBytes?: number
  /** Segments the manifest may name in all, counted before any list is built. */
  maxSegments?: number
  maxRepresentations?: number
}

type Attrs = Record<string, string>

/**
 * Parses a manifest and lists every file it needs.
 * @throws MpdError with a message fit to show the uploader.
 * @example
 * const mpd = parseMpd(await blob.text(), { manifestPath: 'manifest.mpd' })
 * mpd.representations[0].segments // ['chunk-v0-00001.m4s', …]
 * mpd.representations[0].timeline // { timescale: 90000, segments: [{ number: 1, start: 0, duration: 180000 }, …] }
 */
export function parseMpd(input: string | Uint8Array, opts: ParseMpdOptions = {}): Mpd {
  const maxBytes = opts.maxBytes ?? MAX_MPD_BYTES
  const byteLength = typeof input === 'string' ? new TextEncoder().encode(input).byteLength : input.byteLength
  if (byteLength > maxBytes)
    throw new MpdError(`The manifest is ${byteLength} bytes; the limit is ${maxBytes}.`)
  let xml: string
  try {
    xml = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input)
  } catch {
    throw new MpdError('The manifest is not valid UTF-8.')
  }
  // Refused before the parser sees it: no MPD needs a DTD, and DTDs are where entity bombs and
  // external entities come from.
  if (/<!DOCTYPE|<!ENTITY/i.test(xml))
    throw new MpdError('The manifest has a DOCTYPE or ENTITY declaration; MPDs may not.')

  let doc: XmlNode
  try {
    doc = mpdParser.parse(xml, true) as XmlNode
  } catch (err) {
    throw new MpdError(`The manifest is not well-formed XML: ${(err as Error).message.split('\n')[0]}`)
  }
  const root = doc.MPD
  if (!isNode(root)) throw new MpdError('The manifest has no MPD root element.')
  return readMpd(root, {
    manifestPath: opts.manifestPath ?? 'manifest.mpd',
    budget: { left: opts.maxSegments ?? MAX_MPD_SEGMENTS },
    maxRepresentations: opts.maxRepresentations ?? MAX_MPD_REPRESENTATIONS,
  })
}

/**
 * Every file a manifest needs, init segments first within each Representation, without repeats.
 * @example mpdFiles(parseMpd(xml)) // ['init-v0.m4s', 'chunk-v0-00001.m4s', …]
 */
export function mpdFiles(mpd: Mpd): string[] {
  const seen = new Set<string>()
  for (const rep of mpd.representations) {
    if (rep.initialization) seen.add(rep.initialization)
    for (const s of rep.segments) seen.add(s)
  }
  return [...seen]
}

// ───────────────────────────── reading the tree ─────────────────────────────

interface Context {
  manifestPath: string
  budget: { left: number }
  maxRepresentations: number
}

/** Segment information found at one level; lower levels override higher ones attribute by attribute. */
interface SegmentInfo {
  kind: 'template' | 'list' | 'base'
  attrs: Attrs
  timeline: XmlNode[] | null
  initialization: Attrs | null
  segmentUrls: Attrs[] | null
}

interface Scope {
  /** Absolute URL of the current base, under the fake origin used for resolution. */
  base: string
  segmentInfo: SegmentInfo[]
  attrs: Attrs
  /** AudioChannelConfiguration@value found at this level or above. */
  channels?: string
  /** An AdaptationSet's Labels, Roles and thumbnail grid, which its Representations share. */
  labels?: string[]
  roles?: string[]
  tiles?: { columns: number; rows: number } | null
}

// Resolution happens against a stand-in for the movie's real URL, so that a reference which would
// climb out of /media/<id>/ in a player climbs out of /m/ here too and is caught.
const ORIGIN = 'https://movie.invalid'
const ROOT = '/m/'

function readMpd(root: XmlNode, ctx: Context): Mpd {
  const mpdAttrs = attrsOf(root)
  const type = mpdAttrs.type ?? 'static'
  if (type !== 'static' && type !== 'dynamic')
    throw new MpdError(`MPD@type "${type}" is neither static nor dynamic.`)
  const totalDuration =
    mpdAttrs.mediaPresentationDuration !== undefined
      ? parseIsoDuration(mpdAttrs.mediaPresentationDuration)
      : null

  const manifestUrl = new URL(`${ROOT}${ctx.manifestPath}`, ORIGIN).href
  const mpdBase = resolveBase(manifestUrl, root)
  const periods = children(root, 'Period')
  if (periods.length === 0) throw new MpdError('The manifest has no Period.')
  // Content steering sends players to other locations than this movie's own files.
  if (children(root, 'ContentSteering').length > 0)
    throw new MpdError('ContentSteering is not accepted: every file must come from this movie.')

  const representations: MpdRepresentation[] = []
  let start = 0
  let end: number | null = 0
  periods.forEach((period, index) => {
    const pAttrs = attrsOf(period)
    if (pAttrs.href !== undefined) throw new MpdError('Remote (xlink) Periods are not supported.')
    if (pAttrs.start !== undefined) start = parseIsoDuration(pAttrs.start)
    const next = periods[index + 1]
    const nextStart =
      next && attrsOf(next).start !== undefined ? parseIsoDuration(attrsOf(next).start!) : null
    const duration =
      pAttrs.duration !== undefined
        ? parseIsoDuration(pAttrs.duration)
        : nextStart !== null
          ? nextStart - start
          : totalDuration !== null
            ? totalDuration - start
            : null
    const periodScope: Scope = {
      base: resolveBase(mpdBase, period),
      segmentInfo: segmentInfoOf(period),
      attrs: {},
    }
    for (const set of children(period, 'AdaptationSet')) {
      const sAttrs = attrsOf(set)
      if (sAttrs.href !== undefined) throw new MpdError('Remote (xlink) AdaptationSets are not supported.')
      const setScope: Scope = {
        base: resolveBase(periodScope.base, set),
        segmentInfo: [...periodScope.segmentInfo, ...segmentInfoOf(set)],
        attrs: sAttrs,
        ...channelsOf(set),
        labels: labelsOf(set),
        roles: rolesOf(set),
        tiles: tilesOf(set),
      }
      const reps = children(set, 'Representation')
      if (reps.length === 0) throw new MpdError('An AdaptationSet has no Representation.')
      for (const rep of reps) {
        if (representations.length >= ctx.maxRepresentations)
          throw new MpdError(
            `The manifest has more than ${ctx.maxRepresentations} Representations; that is the limit.`,
          )
        representations.push(readRepresentation(rep, setScope, pAttrs.id ?? null, duration, ctx))
      }
    }
    end = duration === null ? null : start + duration
    start = end ?? start
  })

  return { type, duration: totalDuration ?? end, representations }
}

function readRepresentation(
  rep: XmlNode,
  parent: Scope,
  periodId: string | null,
  periodDuration: number | null,
  ctx: Context,
): MpdRepresentation {
  const own = attrsOf(rep)
  const id = own.id
  if (!id) throw new MpdError('A Representation has no @id.')
  const bandwidth = Number(own.bandwidth)
  if (!Number.isInteger(bandwidth) || bandwidth < 0)
    throw new MpdError(`Representation "${id}" has no valid @bandwidth.`)
  // Common attributes may sit on the AdaptationSet and apply to every Representation in it.
  const pick = (name: string) => own[name] ?? parent.attrs[name]
  const mimeType = pick('mimeType')
  const codecs = pick('codecs')
  const scope: Scope = {
    base: resolveBase(parent.base, rep),
    segmentInfo: [...parent.segmentInfo, ...segmentInfoOf(rep)],
    attrs: own,
  }
  const { initialization, segments, timeline } = segmentsOf(
    scope,
    id,
    bandwidth,
    periodDuration,
    ctx,
    hasBaseUrl(rep),
  )
  const media: MediaAttributes = {
    codecs,
    width: positiveInt(pick('width')),
    height: positiveInt(pick('height')),
    sar: pick('sar'),
    frameRate: pick('frameRate'),
    audioSamplingRate: positiveInt(pick('audioSamplingRate')),
    channels: positiveInt(channelsOf(rep).channels ?? parent.channels),
  }
  const labels = [...labelsOf(rep), ...(parent.labels ?? [])]
  return {
    id,
    periodId,
    adaptationSetId: parent.attrs.id ?? null,
    kind: kindOf(mimeType, parent.attrs.contentType ?? own.contentType, codecs),
    ...(mimeType !== undefined ? { mimeType } : {}),
    ...(pick('lang') !== undefined ? { lang: pick('lang') } : {}),
    labels,
    roles: [...rolesOf(rep), ...(parent.roles ?? [])],
    tiles: tilesOf(rep) ?? parent.tiles ?? null,
    bandwidth,
    ...mediaAttributes(media),
    initialization,
    segments,
    timeline,
  }
}

function segmentsOf(
  scope: Scope,
  id: string,
  bandwidth: number,
  periodDuration: number | null,
  ctx: Context,
  repHasBase: boolean,
): { initialization: string | null; segments: string[]; timeline: Timeline | null } {
  const info = mergeSegmentInfo(scope.segmentInfo)
  const where = `Representation "${id}"`
  const local = (ref: string) => toMoviePath(ref, scope.base, where)
  const baseFile = () => {
    // With no media URL of its own, the Representation's BaseURL is the media file.
    if (!repHasBase && scope.base.endsWith('/'))
      throw new MpdError(`${where} has no BaseURL naming its media file.`)
    return toMoviePath(scope.base, scope.base, where)
  }
  const spend = (n: number) => {
    ctx.budget.left -= n
    if (ctx.budget.left < 0) throw new MpdError('The manifest names more segments than the server accepts.')
  }

  if (!info) {
    spend(1)
    return { initialization: null, segments: [baseFile()], timeline: null }
  }

  if (info.kind === 'base') {
    spend(1)
    const init = info.initialization?.sourceURL
    return { initialization: init ? local(init) : null, segments: [baseFile()], timeline: null }
  }

  if (info.kind === 'list') {
    const urls = info.segmentUrls ?? []
    if (urls.length === 0) throw new MpdError(`${where} has a SegmentList with no SegmentURL.`)
    spend(urls.length)
    const init = info.initialization?.sourceURL
    return {
      initialization: init ? local(init) : null,
      segments: unique(urls.map((u) => (u.media ? local(u.media) : baseFile()))),
      timeline: null,
    }
  }

  const a = info.attrs
  const values = { RepresentationID: id, Bandwidth: bandwidth }
  const initTemplate = a.initialization ?? info.initialization?.sourceURL
  const initialization = initTemplate ? local(expandTemplate(initTemplate, values)) : null
  const media = a.media
  if (!media) throw new MpdError(`${where} has a SegmentTemplate without @media.`)
  const timescale = a.timescale === undefined ? 1 : Number(a.timescale)
  const startNumber = a.startNumber === undefined ? 1 : Number(a.startNumber)
  if (!(timescale > 0) || !Number.isInteger(startNumber) || startNumber < 0) {
    throw new MpdError(`${where} has an invalid @timescale or @startNumber.`)
  }
  const pto = a.presentationTimeOffset === undefined ? 0 : Number(a.presentationTimeOffset)

  let entries: TimelineSegment[]
  if (info.timeline) {
    const periodEnd = periodDuration === null ? null : pto + periodDuration * timescale
    entries = expandTimeline(info.timeline.map(runOf), { startNumber, end: periodEnd, where, spend })
  } else {
    const duration = Number(a.duration)
    if (!(duration > 0))
      throw new MpdError(`${where} has a SegmentTemplate with neither @duration nor SegmentTimeline.`)
    let count: number
    if (a.endNumber !== undefined) {
      count = Number(a.endNumber) - startNumber + 1
    } else {
      if (periodDuration === null)
        throw new MpdError(`${where}: the Period's duration is unknown, so its segments cannot be counted.`)
      // A hair of tolerance: 10.000000001 s of 2 s segments is five segments, not six.
      count = Math.ceil((periodDuration * timescale) / duration - 1e-6)
    }
    if (!Number.isInteger(count) || count < 1) throw new MpdError(`${where} names no media segments.`)
    spend(count)
    entries = Array.from({ length: count }, (_, i) => ({
      number: startNumber + i,
      start: pto + i * duration,
      duration,
    }))
  }
  const segments = entries.map((s) =>
    local(
      expandTemplate(media, {
        ...values,
        Number: s.number,
        ...(info.timeline ? { Time: s.start } : {}),
      }),
    ),
  )
  return { initialization, segments: unique(segments), timeline: { timescale, segments: entries } }
}

/** An S element's attributes as numbers (NaN where they are not numbers, for the timeline to refuse). */
function runOf(node: XmlNode): TimelineRun {
  const s = attrsOf(node)
  return {
    d: Number(s.d),
    ...(s.t !== undefined ? { t: Number(s.t) } : {}),
    ...(s.r !== undefined ? { r: Number(s.r) } : {}),
    ...(s.n !== undefined ? { n: Number(s.n) } : {}),
  }
}

function mergeSegmentInfo(levels: SegmentInfo[]): SegmentInfo | null {
  const lowest = levels.at(-1)
  if (!lowest) return null
  // The lowest level decides the addressing scheme; higher levels of the same kind supply defaults.
  const same = levels.filter((l) => l.kind === lowest.kind)
  const merged: SegmentInfo = {
    kind: lowest.kind,
    attrs: {},
    timeline: null,
    initialization: null,
    segmentUrls: null,
  }
  for (const level of same) {
    Object.assign(merged.attrs, level.attrs)
    merged.timeline = level.timeline ?? merged.timeline
    merged.initialization = level.initialization ?? merged.initialization
    merged.segmentUrls = level.segmentUrls ?? merged.segmentUrls
  }
  return merged
}

function segmentInfoOf(node: XmlNode): SegmentInfo[] {
  const out: SegmentInfo[] = []
  const kinds = [
    ['SegmentBase', 'base'],
    ['SegmentList', 'list'],
    ['SegmentTemplate', 'template'],
  ] as const
  for (const [name, kind] of kinds) {
    const [el, extra] = children(node, name)
    if (!el) continue
    if (extra) throw new MpdError(`An element has more than one ${name}.`)
    if (out.length > 0) throw new MpdError(`An element mixes ${out[0]!.kind} and ${kind} addressing.`)
    const timelineNode = firstChild(el, 'SegmentTimeline')
    const init = firstChild(el, 'Initialization')
    out.push({
      kind,
      attrs: attrsOf(el),
      timeline: timelineNode ? children(timelineNode, 'S') : null,
      initialization: init ? attrsOf(init) : null,
      segmentUrls:
        kind === 'list' && children(el, 'SegmentURL').length > 0
          ? children(el, 'SegmentURL').map(attrsOf)
          : null,
    })
    if (timelineNode && children(timelineNode, 'S').length === 0)
      throw new MpdError('A SegmentTimeline has no S element.')
  }
  return out
}

function channelsOf(node: XmlNode): { channels?: string } {
  const config = firstChild(node, 'AudioChannelConfiguration')
  const value = config ? attrsOf(config).value : undefined
  return value !== undefined ? { channels: value } : {}
}

function labelsOf(node: XmlNode): string[] {
  return texts(node, 'Label')
    .map((t) => decodeXmlText(t).trim())
    .filter((t) => t !== '')
}

function rolesOf(node: XmlNode): string[] {
  return children(node, 'Role')
    .map(attrsOf)
    .filter((a) => a.schemeIdUri === ROLE_SCHEME && a.value !== undefined)
    .map((a) => a.value!)
}

// The IOP spells it both ways.
const TILE_SCHEMES = [THUMBNAIL_TILE_SCHEME, 'http://dashif.org/guidelines/thumbnail_tile']

function tilesOf(node: XmlNode): { columns: number; rows: number } | null {
  for (const property of children(node, 'EssentialProperty').map(attrsOf)) {
    if (!TILE_SCHEMES.includes(property.schemeIdUri ?? '')) continue
    const m = /^(\d{1,3})x(\d{1,3})$/.exec(property.value ?? '')
    if (m && Number(m[1]) > 0 && Number(m[2]) > 0) return { columns: Number(m[1]), rows: Number(m[2]) }
  }
  return null
}

function kindOf(
  mimeType: string | undefined,
  contentType: string | undefined,
  codecs: string | undefined,
): ContentKind {
  const major = (mimeType?.split('/')[0] ?? contentType ?? '').toLowerCase()
  if (codecs && /^(wvtt|stpp)/.test(codecs)) return 'text'
  if (mimeType === 'application/ttml+xml') return 'text'
  if (major === 'video' || major === 'audio' || major === 'text' || major === 'image') return major
  return 'other'
}

// ───────────────────────────── URLs and small helpers ─────────────────────────────

function hasBaseUrl(node: XmlNode): boolean {
  return node.BaseURL !== undefined
}

function resolveBase(base: string, node: XmlNode): string {
  // Several BaseURLs are alternatives (CDN fail-over): a player may fetch from any of them, so
  // only one, checked to stay inside the movie, is accepted.
  const [first, ...alternates] = texts(node, 'BaseURL')
  if (first === undefined) return base
  if (alternates.length > 0)
    throw new MpdError('Alternate BaseURLs are not accepted: every file must come from this movie.')
  const text = decodeXmlText(first).trim()
  try {
    return new URL(text, base).href
  } catch {
    throw new MpdError(`BaseURL "${text}" is not a URL.`)
  }
}

/** Resolves a reference from the manifest to a path inside the movie, or explains why it is not one. */
function toMoviePath(ref: string, base: string, where: string): string {
  const text = decodeXmlText(ref)
  let url: URL
  try {
    url = new URL(text, base)
  } catch {
    throw new MpdError(`${where} names "${text}", which is not a URL.`)
  }
  if (url.origin !== ORIGIN || !url.pathname.startsWith(ROOT)) {
    throw new MpdError(`${where} names "${text}", which is outside this movie's files.`)
  }
  if (url.search || url.hash)
    throw new MpdError(`${where} names "${text}"; file URLs may not carry a query or fragment.`)
  const checked = checkUrlPath(url.pathname.slice(ROOT.length))
  if (!checked.ok)
    throw new MpdError(`${where} names "${text}", which cannot be a movie file: ${checked.reason}.`)
  return checked.path
}

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

/** Decodes XML's five predefined entities and character references; nothing else can expand. */
function decodeXmlText(s: string): string {
  if (!s.includes('&')) return s
  return s.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,4});/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? Number.parseInt(ref.slice(2), 16) : Number(ref.slice(1))
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole
    }
    return PREDEFINED[ref] ?? whole
  })
}

function isNode(v: unknown): v is XmlNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function children(node: XmlNode, name: string): XmlNode[] {
  const v = node[name]
  if (v === undefined) return []
  // An element with neither attributes nor children comes back as '' rather than an object.
  return (Array.isArray(v) ? v : [v]).map((x) => (isNode(x) ? x : {}))
}

function texts(node: XmlNode, name: string): string[] {
  const v = node[name]
  if (v === undefined) return []
  return (Array.isArray(v) ? v : [v]).map((x) =>
    typeof x === 'string' ? x : isNode(x) ? String(x['#text'] ?? '') : '',
  )
}

function firstChild(node: XmlNode, name: string): XmlNode | undefined {
  const v = node[name]
  const first = Array.isArray(v) ? v[0] : v
  if (first === undefined) return undefined
  return isNode(first) ? first : {}
}

function attrsOf(node: XmlNode): Attrs {
  const out: Attrs = {}
  for (const [k, v] of Object.entries(rawAttributes(node))) out[k] = decodeXmlText(v)
  return out
}

function positiveInt(v: string | undefined): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v)
  return Number.isInteger(n) && n > 0 ? n : undefined
}

function unique(list: string[]): string[] {
  return [...new Set(list)]
}
