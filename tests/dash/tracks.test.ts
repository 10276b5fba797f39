/**
 * The DASH module's text and image AdaptationSets: written with Label, Role and the DASH-IF tile
 * property, read back by the reader publish uses, and swapped by the subtitle editor without
 * touching the rest of a manifest.
 */
import { describe, expect, it } from 'vitest'
import {
  isSubtitleName,
  manifestName,
  manifestVersion,
  parseMpd,
  replaceTextSets,
  spriteName,
  subtitleName,
  textAdaptationSet,
  thumbnailAdaptationSet,
  writeMpd,
} from '../../server/lib/dash/index.ts'
import { canonicalLanguage, sameLanguage } from '../../server/lib/languages.ts'

const english = textAdaptationSet('3', {
  id: 's0',
  language: 'en',
  label: 'English & signs <full>',
  role: 'subtitle',
  path: 'subs-en-0a1b2c3d.vtt',
  bandwidth: 12.3,
})
const previews = thumbnailAdaptationSet(
  '4',
  { columns: 10, rows: 10, tileWidth: 160, tileHeight: 90, tileDuration: 1001 * 60, timescale: 30000 },
  4000,
)

const video = `<AdaptationSet id="0" contentType="video" mimeType="video/mp4">
      <!-- kept as written -->
      <SegmentTemplate timescale="1000" duration="2000" initialization="v/$RepresentationID$/init.mp4" media="v/$RepresentationID$/$Number$.m4s"/>
      <Representation id="hd" bandwidth="1000" codecs="avc1.64001f" width="1280" height="720"/>
    </AdaptationSet>`

const handMade = (sets: string) => `<?xml version="1.0" encoding="utf-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT4S" minBufferTime="PT2S">
  <Period id="p" start="PT0S">
    ${video}${sets}
  </Period>
</MPD>`

describe('text and image AdaptationSets', () => {
  it('writes Label, Role, a sidecar BaseURL and the thumbnail grid, and reads them back', () => {
    const xml = writeMpd({
      duration: 100,
      minBufferTime: 2,
      periods: [{ id: '0', start: 0, adaptationSets: [english, previews] }],
    })
    expect(xml).toContain('<Label>English &amp; signs &lt;full&gt;</Label>')
    expect(xml).toContain('<Role schemeIdUri="urn:mpeg:dash:role:2011" value="subtitle"/>')
    expect(xml).toContain(
      '<SegmentTemplate timescale="30000" duration="6006000" startNumber="1" media="thumbs-$Number%05d$.jpg"/>',
    )
    expect(xml).toContain('<EssentialProperty schemeIdUri="http://dashif.org/thumbnail_tile" value="10x10"/>')
    const [text, image] = parseMpd(xml).representations
    expect(text).toMatchObject({
      id: 's0',
      kind: 'text',
      mimeType: 'text/vtt',
      lang: 'en',
      labels: ['English & signs <full>'],
      roles: ['subtitle'],
      bandwidth: 13,
      initialization: null,
      segments: ['subs-en-0a1b2c3d.vtt'],
      tiles: null,
    })
    // 100 s of 200.2 s sheets: one sheet, however full.
    expect(image).toMatchObject({
      kind: 'image',
      width: 1600,
      height: 900,
      tiles: { columns: 10, rows: 10 },
      segments: ['thumbs-00001.jpg'],
    })
  })
})

describe('replaceTextSets', () => {
  const before = handMade(`
    <AdaptationSet id="7" contentType="text" mimeType="text/vtt" lang="de"><Representation id="old" bandwidth="1"><BaseURL>subs-de.vtt</BaseURL></Representation></AdaptationSet>
    <AdaptationSet id="8" contentType="image" mimeType="image/jpeg"><SegmentTemplate duration="4" media="t$Number$.jpg"/><Representation id="t" bandwidth="1" width="10" height="10"/></AdaptationSet>`)

  it('swaps the WebVTT sets, keeping every other element and attribute as written', () => {
    const after = replaceTextSets(before, [english])
    expect(after).toContain('<!-- kept as written -->')
    expect(after).toContain('media="v/$RepresentationID$/$Number$.m4s"')
    expect(after).not.toContain('subs-de.vtt')
    const reps = parseMpd(after).representations
    expect(reps.map((r) => [r.id, r.kind, r.adaptationSetId])).toEqual([
      ['hd', 'video', '0'],
      // In the removed set's place, with the next free set id.
      ['s0', 'text', '9'],
      ['t', 'image', '8'],
    ])
    expect(reps[1]!.labels).toEqual(['English & signs <full>'])
    expect(parseMpd(before).representations[0]!.segments).toEqual(reps[0]!.segments)
  })

  it('puts new sets before the thumbnails, and removing every one leaves the rest alone', () => {
    const none = replaceTextSets(before, [])
    expect(parseMpd(none).representations.map((r) => r.id)).toEqual(['hd', 't'])
    const two = replaceTextSets(none, [
      english,
      {
        ...english,
        lang: 'fr',
        representations: [{ id: 's1', bandwidth: 1, baseUrl: 'subs-fr-00000000.vtt' }],
      },
    ])
    expect(parseMpd(two).representations.map((r) => `${r.id}:${r.adaptationSetId}`)).toEqual([
      'hd:0',
      's0:9',
      's1:10',
      't:8',
    ])
  })

  it('refuses manifests it does not edit', () => {
    expect(() => replaceTextSets('<MPD><Period/><Period/></MPD>', [])).toThrow(/one Period/)
    expect(() => replaceTextSets('<!DOCTYPE x><MPD/>', [])).toThrow(/DOCTYPE/)
  })
})

describe('names of what changes after publishing', () => {
  it('versions manifests and names subtitles by their content', () => {
    expect([1, 2, 13].map(manifestName)).toEqual(['manifest.mpd', 'manifest-v2.mpd', 'manifest-v13.mpd'])
    expect(['manifest.mpd', 'manifest-v2.mpd', 'manifest-v0.mpd', 'other.mpd'].map(manifestVersion)).toEqual([
      1,
      2,
      null,
      null,
    ])
    const name = subtitleName('pt-BR', 'AB12cd34ef')
    expect(name).toBe('subs-pt-BR-ab12cd34.vtt')
    expect(subtitleName(null, '0123456789')).toBe('subs-und-01234567.vtt')
    expect([name, 'subs-en.vtt', 'thumbs.vtt'].map(isSubtitleName)).toEqual([true, false, false])
    expect(spriteName(12)).toBe('thumbs-00012.jpg')
  })

  it('spells every language one way', () => {
    expect(['jpn', 'JA', 'fre', 'pt_br', 'und', 'zxx', 'english!', ''].map(canonicalLanguage)).toEqual([
      'ja',
      'ja',
      'fr',
      'pt-BR',
      null,
      null,
      null,
      null,
    ])
    expect(sameLanguage('en-US', 'eng')).toBe(true)
    expect(sameLanguage('pt-BR', 'es')).toBe(false)
  })
})
