/**
 * Reading manifests: every addressing scheme publish supports, the defences against hostile XML,
 * and the same defences seen through POST /api/movies/:id/publish.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  expandTemplate,
  MpdError,
  mpdFiles,
  parseIsoDuration,
  parseMpd,
} from '../../server/lib/dash/index.ts'
import { json, makeTestApp, type TestApp } from '../support/app.ts'
import { sha256Of } from '../support/bytes.ts'

const mpd = (body: string, attrs = 'type="static" mediaPresentationDuration="PT10S"') =>
  `<?xml version="1.0" encoding="utf-8"?>\n<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" ${attrs}>${body}</MPD>`

const video = (rep: string, setAttrs = 'mimeType="video/mp4" codecs="avc1.64001f"') =>
  `<Period id="p0"><AdaptationSet ${setAttrs}>${rep}</AdaptationSet></Period>`

describe('SegmentTemplate', () => {
  it('counts $Number$ segments from @duration and the presentation duration, with widths', () => {
    const m = parseMpd(
      mpd(
        video(
          '<Representation id="720p" bandwidth="2500000" width="1280" height="720">' +
            '<SegmentTemplate timescale="1000" duration="4000" startNumber="1" ' +
            'initialization="$RepresentationID$/init.mp4" media="$RepresentationID$/seg-$Number%05d$.m4s"/></Representation>',
        ),
      ),
    )
    const [rep] = m.representations
    expect(m).toMatchObject({ type: 'static', duration: 10 })
    expect(rep).toMatchObject({ id: '720p', kind: 'video', codecs: 'avc1.64001f', width: 1280, height: 720 })
    expect(rep!.initialization).toBe('720p/init.mp4')
    // 10 s of 4 s segments is three segments, the last one short.
    expect(rep!.segments).toEqual(['720p/seg-00001.m4s', '720p/seg-00002.m4s', '720p/seg-00003.m4s'])
  })

  it('does not add a segment for floating-point dust at the end', () => {
    const m = parseMpd(
      mpd(
        video(
          '<Representation id="a" bandwidth="1"><SegmentTemplate duration="2" media="s$Number$.m4s"/></Representation>',
        ),
        'type="static" mediaPresentationDuration="PT6.0000000001S"',
      ),
    )
    expect(m.representations[0]!.segments).toEqual(['s1.m4s', 's2.m4s', 's3.m4s'])
  })

  it('honours @endNumber and $Bandwidth$', () => {
    const m = parseMpd(
      mpd(
        video(
          '<Representation id="r" bandwidth="800000"><SegmentTemplate duration="1" startNumber="7" endNumber="9" ' +
            'media="b$Bandwidth$-$Number$.m4s"/></Representation>',
        ),
      ),
    )
    expect(m.representations[0]!.segments).toEqual(['b800000-7.m4s', 'b800000-8.m4s', 'b800000-9.m4s'])
  })

  it('walks a SegmentTimeline with @r, implicit @t, $Time$ and r="-1"', () => {
    const m = parseMpd(
      mpd(
        video(
          '<Representation id="v" bandwidth="1"><SegmentTemplate timescale="90000" initialization="init-$RepresentationID$.mp4" ' +
            'media="t-$Time$.m4s"><SegmentTimeline><S t="0" d="180000" r="1"/><S d="90000"/>' +
            '<S d="180000" r="-1"/></SegmentTimeline></SegmentTemplate></Representation>',
        ),
        'type="static" mediaPresentationDuration="PT9S"',
      ),
    )
    // 2 s + 2 s + 1 s, then 2 s segments until 9 s: at 5 s and 7 s.
    expect(m.representations[0]!.segments).toEqual([
      't-0.m4s',
      't-180000.m4s',
      't-360000.m4s',
      't-450000.m4s',
      't-630000.m4s',
    ])
    expect(m.representations[0]!.initialization).toBe('init-v.mp4')
  })

  it('numbers timeline segments from @startNumber, and follows S@n', () => {
    const m = parseMpd(
      mpd(
        video(
          '<Representation id="v" bandwidth="1"><SegmentTemplate startNumber="5" media="n$Number$.m4s">' +
            '<SegmentTimeline><S t="0" d="1" r="1"/><S n="20" d="1"/></SegmentTimeline></SegmentTemplate></Representation>',
        ),
      ),
    )
    expect(m.representations[0]!.segments).toEqual(['n5.m4s', 'n6.m4s', 'n20.m4s'])
  })

  it('inherits a template from the AdaptationSet and the Period, overriding attribute by attribute', () => {
    const m = parseMpd(
      mpd(
        '<Period><SegmentTemplate timescale="1" duration="5" media="$RepresentationID$-$Number$.m4s" initialization="$RepresentationID$-init.mp4"/>' +
          '<AdaptationSet mimeType="audio/mp4" codecs="mp4a.40.2"><SegmentTemplate duration="2"/>' +
          '<Representation id="a1" bandwidth="128000"/><Representation id="a2" bandwidth="64000">' +
          '<SegmentTemplate startNumber="0"/></Representation></AdaptationSet></Period>',
        'type="static" mediaPresentationDuration="PT4S"',
      ),
    )
    expect(m.representations.map((r) => [r.id, r.kind, r.initialization, r.segments])).toEqual([
      ['a1', 'audio', 'a1-init.mp4', ['a1-1.m4s', 'a1-2.m4s']],
      ['a2', 'audio', 'a2-init.mp4', ['a2-0.m4s', 'a2-1.m4s']],
    ])
  })

  it('resolves BaseURLs level by level, relative to the manifest’s own folder', () => {
    const m = parseMpd(
      mpd(
        '<BaseURL>media/</BaseURL>' +
          video(
            '<Representation id="v" bandwidth="1"><BaseURL>720p/</BaseURL>' +
              '<SegmentTemplate duration="5" media="s$Number$.m4s" initialization="../shared/init.mp4"/></Representation>',
          ),
      ),
      { manifestPath: 'dash/manifest.mpd' },
    )
    expect(m.representations[0]!.initialization).toBe('dash/media/shared/init.mp4')
    expect(m.representations[0]!.segments).toEqual(['dash/media/720p/s1.m4s', 'dash/media/720p/s2.m4s'])
  })

  it('expands templates exactly as the standard says', () => {
    const v = { RepresentationID: 'r1', Bandwidth: 42, Number: 7, Time: 1234 }
    expect(expandTemplate('$RepresentationID$/$Number%03d$-$Time$-$Bandwidth%06d$-$$.m4s', v)).toBe(
      'r1/007-1234-000042-$.m4s',
    )
    expect(expandTemplate('$Number%02d$.m4s', { ...v, Number: 12345 })).toBe('12345.m4s')
    expect(() => expandTemplate('$Foo$.m4s', v)).toThrow(MpdError)
    expect(() => expandTemplate('$Number.m4s', v)).toThrow(MpdError)
    expect(() => expandTemplate('$RepresentationID%02d$.m4s', v)).toThrow(MpdError)
    expect(() => expandTemplate('$Time$.m4s', { RepresentationID: 'r', Bandwidth: 1, Number: 1 })).toThrow(
      /SegmentTimeline/,
    )
  })
})

describe('SegmentList and SegmentBase', () => {
  it('lists SegmentURLs and an Initialization@sourceURL', () => {
    const m = parseMpd(
      mpd(
        video(
          '<Representation id="v" bandwidth="1"><SegmentList duration="2"><Initialization sourceURL="v/init.mp4"/>' +
            '<SegmentURL media="v/1.m4s"/><SegmentURL media="v/2.m4s"/></SegmentList></Representation>',
        ),
      ),
    )
    expect(m.representations[0]).toMatchObject({
      initialization: 'v/init.mp4',
      segments: ['v/1.m4s', 'v/2.m4s'],
    })
  })

  it('needs only the BaseURL file for SegmentBase (index ranges live inside it)', () => {
    const m = parseMpd(
      mpd(
        video(
          '<Representation id="v" bandwidth="1"><BaseURL>movie-720p.mp4</BaseURL>' +
            '<SegmentBase indexRange="800-1200"><Initialization range="0-799"/></SegmentBase></Representation>',
        ),
      ),
    )
    expect(mpdFiles(m)).toEqual(['movie-720p.mp4'])
  })

  it('treats a Representation with only a BaseURL as one file', () => {
    const m = parseMpd(
      mpd(video('<Representation id="v" bandwidth="1"><BaseURL>all.webm</BaseURL></Representation>')),
    )
    expect(mpdFiles(m)).toEqual(['all.webm'])
  })
})

describe('what a manifest may not do', () => {
  const rep = (media: string) =>
    mpd(
      video(
        `<Representation id="v" bandwidth="1"><SegmentTemplate duration="5" media="${media}"/></Representation>`,
      ),
    )

  it.each([
    ['an absolute URL', rep('https://cdn.example/s$Number$.m4s'), /outside this movie/],
    ['a path climbing out of the movie', rep('../other-movie/s$Number$.m4s'), /outside this movie/],
    ['a query string', rep('s$Number$.m4s?token=1'), /query/],
    ['a disallowed extension', rep('s$Number$.exe'), /cannot be a movie file/],
    [
      'a Representation without @bandwidth',
      mpd(video('<Representation id="v"><BaseURL>a.mp4</BaseURL></Representation>')),
      /bandwidth/,
    ],
    [
      'a Representation without @id',
      mpd(video('<Representation bandwidth="1"><BaseURL>a.mp4</BaseURL></Representation>')),
      /@id/,
    ],
    [
      'a template without duration or timeline',
      rep('s$Number$.m4s').replace(' duration="5"', ''),
      /neither @duration/,
    ],
    [
      'a remote Period',
      mpd('<Period xlink:href="https://evil.example/p.xml" xmlns:xlink="http://www.w3.org/1999/xlink"/>'),
      /Remote/,
    ],
    ['no Period', mpd(''), /no Period/],
    ['not an MPD', '<html><body/></html>', /no MPD root/],
    ['malformed XML', '<MPD><Period></MPD>', /not well-formed/],
    ['a year-long duration', mpd(video(''), 'mediaPresentationDuration="P1Y"'), /not a duration/],
  ])('refuses %s', (_name, xml, message) => {
    expect(() => parseMpd(xml)).toThrow(message)
  })

  it('refuses a billion-laughs entity bomb before parsing it', () => {
    const bomb =
      '<?xml version="1.0"?><!DOCTYPE MPD [<!ENTITY lol "lol">' +
      Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join(
        '',
      ) +
      ']><MPD type="static"><Period><AdaptationSet><Representation id="&lol9;" bandwidth="1"/></AdaptationSet></Period></MPD>'
    expect(() => parseMpd(bomb)).toThrow(/DOCTYPE or ENTITY/)
  })

  it('refuses an external entity', () => {
    const xxe =
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><MPD>&xxe;</MPD>'
    expect(() => parseMpd(xxe)).toThrow(/DOCTYPE or ENTITY/)
  })

  it('leaves unknown entity references as text instead of expanding them', () => {
    const m = parseMpd(
      mpd(video('<Representation id="a&amp;b&foo;" bandwidth="1"><BaseURL>x.mp4</BaseURL></Representation>')),
    )
    expect(m.representations[0]!.id).toBe('a&b&foo;')
  })

  it('refuses a manifest over the size limit', () => {
    expect(() => parseMpd(mpd(`<!--${'x'.repeat(5000)}-->`), { maxBytes: 4096 })).toThrow(/limit/)
  })

  it('refuses a small manifest that names too many segments, before listing them', () => {
    const huge = mpd(
      video(
        '<Representation id="v" bandwidth="1"><SegmentTemplate media="s$Number$.m4s"><SegmentTimeline>' +
          '<S t="0" d="1" r="999999999"/></SegmentTimeline></SegmentTemplate></Representation>',
      ),
    )
    expect(() => parseMpd(huge)).toThrow(/more segments/)
  })

  it('refuses nesting deeper than any MPD needs', () => {
    const deep = `<MPD>${'<a>'.repeat(200)}${'</a>'.repeat(200)}</MPD>`
    expect(() => parseMpd(deep)).toThrow(MpdError)
  })
})

describe('durations', () => {
  it.each([
    ['PT10S', 10],
    ['PT4.0S', 4],
    ['PT1H2M3.5S', 3723.5],
    ['PT0H0M30.016S', 30.016],
    ['P1DT1S', 86401],
    ['PT90M', 5400],
  ])('reads %s as %d seconds', (text, seconds) => {
    expect(parseIsoDuration(text)).toBeCloseTo(seconds, 6)
  })

  it.each(['P', 'PT', '10S', 'P1M', 'PT-1S', 'P1W'])('refuses %j', (text) => {
    expect(() => parseIsoDuration(text)).toThrow(MpdError)
  })
})

describe('POST /api/movies/:id/publish with bad manifests', () => {
  let t: TestApp
  let asAlice: Record<string, string>
  beforeAll(async () => {
    t = await makeTestApp()
    asAlice = await t.headersFor(await t.createUser('alice'))
  })
  afterAll(() => t.close())

  async function movieWith(files: Record<string, string>): Promise<string> {
    const res = await t.app.request('/api/movies', { method: 'POST', ...json({ name: 'Bad' }, asAlice) })
    const { id } = (await res.json()) as { id: string }
    for (const [path, text] of Object.entries(files)) {
      const put = await t.app.request(`/api/movies/${id}/files/${path}`, {
        method: 'PUT',
        headers: { ...asAlice, 'x-content-sha256': sha256Of(text) },
        body: text,
      })
      expect(put.status).toBe(201)
    }
    return id
  }

  const publish = (id: string, body?: unknown) =>
    t.app.request(`/api/movies/${id}/publish`, {
      method: 'POST',
      ...(body === undefined ? { headers: asAlice } : json(body, asAlice)),
    })

  it('answers an entity bomb with 422 and leaves the movie a draft', async () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE MPD [<!ENTITY a "${'a'.repeat(100)}"><!ENTITY b "${'&a;'.repeat(100)}">]><MPD>&b;</MPD>`
    const id = await movieWith({ 'manifest.mpd': bomb })
    const res = await publish(id)
    expect(res.status).toBe(422)
    expect(await res.json()).toMatchObject({
      type: '/problems/invalid-manifest',
      detail: expect.stringMatching(/DOCTYPE/),
    })
    expect(
      ((await (await t.app.request(`/api/movies/${id}`, { headers: asAlice })).json()) as { status: string })
        .status,
    ).toBe('draft')
  })

  it('lists a manifest that was never uploaded as missing', async () => {
    const id = await movieWith({})
    const res = await publish(id, { manifest: 'dash/main.mpd' })
    expect(res.status).toBe(422)
    expect(await res.json()).toMatchObject({ missing: ['dash/main.mpd'], missingCount: 1 })
  })

  it('refuses a live (dynamic) manifest', async () => {
    const live = mpd(
      video('<Representation id="v" bandwidth="1"><BaseURL>v.mp4</BaseURL></Representation>'),
      'type="dynamic"',
    )
    const id = await movieWith({ 'manifest.mpd': live, 'v.mp4': 'x' })
    const res = await publish(id)
    expect(res.status).toBe(422)
    expect(await res.json()).toMatchObject({
      type: '/problems/invalid-manifest',
      detail: expect.stringMatching(/dynamic/),
    })
  })

  it('refuses a manifest path that is not an .mpd file', async () => {
    const id = await movieWith({})
    for (const manifest of ['../x.mpd', 'poster.jpg', '']) {
      const res = await publish(id, { manifest })
      expect(res.status).toBe(422)
      expect(await res.json()).toMatchObject({ errors: [{ field: 'manifest' }] })
    }
  })

  it('publishes once; the same request again is a no-op, another manifest is a 409', async () => {
    const ok = mpd(video('<Representation id="v" bandwidth="1"><BaseURL>v.mp4</BaseURL></Representation>'))
    const id = await movieWith({ 'manifest.mpd': ok, 'other.mpd': ok, 'v.mp4': 'x' })
    const first = await publish(id, {})
    expect(first.status).toBe(200)
    const again = await publish(id, { manifest: 'manifest.mpd' })
    expect(again.status).toBe(200)
    expect(await again.json()).toEqual(await first.json())
    const other = await publish(id, { manifest: 'other.mpd' })
    expect(other.status).toBe(409)
  })

  it('refuses a manifest with no audio or video', async () => {
    const subs = mpd(
      '<Period><AdaptationSet mimeType="text/vtt"><Representation id="en" bandwidth="1"><BaseURL>en.vtt</BaseURL></Representation></AdaptationSet></Period>',
    )
    const id = await movieWith({ 'manifest.mpd': subs, 'en.vtt': 'WEBVTT\n' })
    expect((await publish(id)).status).toBe(422)
  })

  it('stops counting segments past the number of stored files (and a margin for missing ones)', async () => {
    // 20,000 segments claimed with one stored: under the parser's absolute cap, but no movie with
    // one file needs them, and counting is what a hostile manifest makes expensive.
    const claim = mpd(
      video(
        '<Representation id="v" bandwidth="1"><SegmentTemplate media="s$Number$.m4s" duration="1" startNumber="1"/></Representation>',
      ),
      'type="static" mediaPresentationDuration="PT20000S"',
    )
    const id = await movieWith({ 'manifest.mpd': claim, 's1.m4s': 'x' })
    const res = await publish(id)
    expect(res.status).toBe(422)
    expect(await res.json()).toMatchObject({
      type: '/problems/invalid-manifest',
      detail: expect.stringMatching(/more segments/),
    })
  })

  it('still lists the missing files of a half-uploaded movie', async () => {
    const ten = mpd(
      video(
        '<Representation id="v" bandwidth="1"><SegmentTemplate media="s$Number$.m4s" duration="1" startNumber="1"/></Representation>',
      ),
    )
    const id = await movieWith({ 'manifest.mpd': ten, 's1.m4s': 'x' })
    const res = await publish(id)
    expect(res.status).toBe(422)
    expect(await res.json()).toMatchObject({ missingCount: 9 })
  })

  it('refuses more than 64 Representations', async () => {
    const reps = Array.from(
      { length: 65 },
      (_, i) => `<Representation id="r${i}" bandwidth="1"><BaseURL>v.mp4</BaseURL></Representation>`,
    ).join('')
    const id = await movieWith({ 'manifest.mpd': mpd(video(reps)), 'v.mp4': 'x' })
    const res = await publish(id)
    expect(res.status).toBe(422)
    expect(await res.json()).toMatchObject({
      type: '/problems/invalid-manifest',
      detail: expect.stringMatching(/more than 64 Representations/),
    })
  })

  it('refuses alternate BaseURLs and ContentSteering, which send players elsewhere', async () => {
    const alternates = mpd(
      '<BaseURL>./</BaseURL><BaseURL>https://evil.example/</BaseURL>' +
        video('<Representation id="v" bandwidth="1"><BaseURL>v.mp4</BaseURL></Representation>'),
    )
    const steering = mpd(
      '<ContentSteering defaultServiceLocation="a">https://evil.example/steer</ContentSteering>' +
        video('<Representation id="v" bandwidth="1"><BaseURL>v.mp4</BaseURL></Representation>'),
    )
    for (const [manifest, said] of [
      [alternates, /Alternate BaseURLs/],
      [steering, /ContentSteering/],
    ] as const) {
      const id = await movieWith({ 'manifest.mpd': manifest, 'v.mp4': 'x' })
      const res = await publish(id)
      expect(res.status).toBe(422)
      expect(await res.json()).toMatchObject({ detail: expect.stringMatching(said) })
    }
  })

  it('leaves renditions out of list responses, which carry the tallest height instead', async () => {
    const two = mpd(
      video(
        '<Representation id="hi" bandwidth="2" width="1280" height="720"><BaseURL>hi.mp4</BaseURL></Representation>' +
          '<Representation id="lo" bandwidth="1" width="640" height="360"><BaseURL>lo.mp4</BaseURL></Representation>',
      ),
    )
    const id = await movieWith({ 'manifest.mpd': two, 'hi.mp4': 'x', 'lo.mp4': 'y' })
    expect((await publish(id)).status).toBe(200)
    const one = (await (await t.app.request(`/api/movies/${id}`, { headers: asAlice })).json()) as Record<
      string,
      unknown
    >
    expect(one).toMatchObject({ maxHeight: 720, renditions: [{ id: 'hi' }, { id: 'lo' }] })
    const page = (await (await t.app.request('/api/movies?limit=100', { headers: asAlice })).json()) as {
      items: Record<string, unknown>[]
    }
    const listed = page.items.find((m) => m.id === id)
    expect(listed).toMatchObject({ maxHeight: 720 })
    expect(listed).not.toHaveProperty('renditions')
  })
})
