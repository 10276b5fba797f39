/**
 * Audio languages, subtitles and thumbnails on the server: publish checks text and image
 * AdaptationSets like the others and records the languages; the catalog filters by them; a
 * published movie's subtitles are added, replaced and deleted through new manifest versions while
 * every published file keeps its bytes.
 */
import { beforeEach, describe, expect, it } from 'vitest'
import {
  type AdaptationSet,
  parseMpd,
  textAdaptationSet,
  thumbnailAdaptationSet,
  writeMpd,
} from '../../server/lib/dash/index.ts'
import type { MovieJson } from '../../server/routes/movies/movies.schemas.ts'
import { json, makeTestApp, type TestApp, type TestUser } from '../support/app.ts'
import { sha256Of } from '../support/bytes.ts'

const VTT = (text: string) => `WEBVTT\n\n00:00:00.500 --> 00:00:01.500\n${text}\n`

const timeline = { timescale: 1000, segments: [{ number: 1, start: 0, duration: 2000 }] }

function audioSet(id: string, lang: string, label: string, main: boolean): AdaptationSet {
  return {
    id,
    contentType: 'audio',
    mimeType: 'audio/mp4',
    lang,
    labels: [label],
    roles: [main ? 'main' : 'alternate'],
    representations: [
      {
        id: `a${id}`,
        bandwidth: 128_000,
        codecs: 'mp4a.40.2',
        channels: 2,
        addressing: {
          ...timeline,
          initialization: 'init-$RepresentationID$.m4s',
          media: 'chunk-$RepresentationID$-$Number%05d$.m4s',
        },
      },
    ],
  }
}

/** A two-second movie: one video rendition, Japanese (main) and English audio, English and Spanish subtitles, previews. */
function manifest(extra: { sets?: AdaptationSet[]; replace?: boolean } = {}): string {
  const video: AdaptationSet = {
    id: '0',
    contentType: 'video',
    mimeType: 'video/mp4',
    addressing: {
      ...timeline,
      initialization: 'init-$RepresentationID$.m4s',
      media: 'chunk-$RepresentationID$-$Number%05d$.m4s',
    },
    representations: [{ id: 'v0', bandwidth: 500_000, codecs: 'avc1.64001e', width: 640, height: 360 }],
  }
  const standard = [
    video,
    audioSet('2', 'en', 'English dub', false),
    audioSet('1', 'jpn', 'Japanese', true),
    textAdaptationSet('3', {
      id: 's0',
      language: 'en',
      label: 'English',
      role: 'subtitle',
      path: 'subs-en-00000001.vtt',
      bandwidth: 100,
    }),
    textAdaptationSet('4', {
      id: 's1',
      language: 'es',
      label: 'Spanish',
      role: 'forced-subtitle',
      path: 'subs-es-00000002.vtt',
      bandwidth: 100,
    }),
    thumbnailAdaptationSet(
      '5',
      { columns: 10, rows: 10, tileWidth: 160, tileHeight: 90, tileDuration: 1, timescale: 1 },
      1000,
    ),
  ]
  const sets = extra.replace ? (extra.sets ?? []) : [...standard, ...(extra.sets ?? [])]
  return writeMpd({ duration: 2, minBufferTime: 2, periods: [{ id: '0', start: 0, adaptationSets: sets }] })
}

const FILES: Record<string, string> = {
  'init-v0.m4s': 'init video',
  'chunk-v0-00001.m4s': 'video segment',
  'init-a1.m4s': 'init ja',
  'chunk-a1-00001.m4s': 'ja segment',
  'init-a2.m4s': 'init en',
  'chunk-a2-00001.m4s': 'en segment',
  'subs-en-00000001.vtt': VTT('Hello'),
  'subs-es-00000002.vtt': VTT('Hola'),
  'thumbs-00001.jpg': 'jpeg bytes',
}

let t: TestApp
let owner: TestUser

beforeEach(async () => {
  t = await makeTestApp({ db: 'memory' })
  owner = await t.createUser()
})

async function request(user: TestUser | null, method: string, path: string, init: RequestInit = {}) {
  return t.app.request(path, {
    method,
    ...init,
    headers: { ...(user ? await t.headersFor(user) : {}), ...(init.headers as Record<string, string>) },
  })
}

async function put(user: TestUser, id: string, path: string, body: string) {
  const bytes = new TextEncoder().encode(body)
  return request(user, 'PUT', `/api/movies/${id}/files/${path}`, {
    headers: { 'x-content-sha256': sha256Of(bytes) },
    body: bytes,
  })
}

/** Creates a movie, uploads `files` and the manifest, and publishes it; returns the answer. */
async function publishWith(mpd: string, files: Record<string, string> = FILES, name = 'Episode 1') {
  const created = await request(owner, 'POST', '/api/movies', json({ name }))
  const movie = (await created.json()) as MovieJson
  for (const [path, body] of Object.entries({ ...files, 'manifest.mpd': mpd })) {
    expect((await put(owner, movie.id, path, body)).status).toBe(201)
  }
  return { id: movie.id, res: await request(owner, 'POST', `/api/movies/${movie.id}/publish`, json({})) }
}

async function published(): Promise<MovieJson> {
  const { res } = await publishWith(manifest())
  expect(res.status).toBe(200)
  return (await res.json()) as MovieJson
}

async function media(movie: MovieJson, path: string) {
  return t.app.request(`/media/${movie.id}/${path}`)
}

async function currentManifest(movie: MovieJson) {
  const res = await t.app.request(movie.manifestUrl!)
  expect(res.status).toBe(200)
  return parseMpd(await res.text(), { manifestPath: movie.manifestUrl!.split('/').at(-1)! })
}

describe('publishing a movie with audio languages, subtitles and thumbnails', () => {
  it('records the audio languages (main first) and the subtitle tracks, in canonical tags', async () => {
    const movie = await published()
    expect(movie.audioLanguages).toEqual(['ja', 'en'])
    expect(movie.subtitleLanguages).toEqual(['en', 'es'])
    expect(movie.subtitles).toEqual([
      {
        id: 's0',
        language: 'en',
        label: 'English',
        role: 'subtitle',
        url: `/media/${movie.id}/subs-en-00000001.vtt`,
      },
      {
        id: 's1',
        language: 'es',
        label: 'Spanish',
        role: 'forced-subtitle',
        url: `/media/${movie.id}/subs-es-00000002.vtt`,
      },
    ])
    expect(movie.renditions.map((r) => r.id)).toEqual(['v0', 'a2', 'a1'])
    const vtt = await media(movie, 'subs-en-00000001.vtt')
    expect(vtt.headers.get('content-type')).toBe('text/vtt; charset=utf-8')
    expect(await vtt.text()).toContain('Hello')
  })

  it('refuses a movie whose subtitle or thumbnail file is not uploaded', async () => {
    const { 'subs-es-00000002.vtt': _, 'thumbs-00001.jpg': __, ...rest } = FILES
    const { res } = await publishWith(manifest(), rest)
    expect(res.status).toBe(422)
    expect(await res.json()).toMatchObject({
      type: '/problems/incomplete-movie',
      missing: ['subs-es-00000002.vtt', 'thumbs-00001.jpg'],
    })
  })

  it.each<{ name: string; set: AdaptationSet; files: Record<string, string>; detail: RegExp }>([
    {
      name: 'a text set that names a file that is not WebVTT',
      set: textAdaptationSet('9', {
        id: 's9',
        language: 'fr',
        label: 'French',
        role: 'subtitle',
        path: 'subs-fr.mp4',
        bandwidth: 1,
      }),
      files: { 'subs-fr.mp4': 'x' },
      detail: /text tracks may only name \.vtt files/,
    },
    {
      name: 'a text set of another type',
      set: {
        ...textAdaptationSet('9', {
          id: 's9',
          language: 'fr',
          label: 'French',
          role: 'subtitle',
          path: 'subs-fr.vtt',
          bandwidth: 1,
        }),
        mimeType: 'text/plain',
      },
      files: { 'subs-fr.vtt': VTT('Bonjour') },
      detail: /text tracks must be WebVTT files/,
    },
    {
      name: 'an image set that names segments',
      set: {
        ...thumbnailAdaptationSet(
          '9',
          { columns: 1, rows: 1, tileWidth: 10, tileHeight: 10, tileDuration: 2, timescale: 1 },
          1,
        ),
        addressing: { timescale: 1, duration: 2, startNumber: 1, media: 'tile-$Number$.m4s' },
      },
      files: { 'tile-1.m4s': 'x' },
      detail: /image tracks may only name \.jpg \.jpeg \.png \.webp files/,
    },
    {
      name: 'a language that is not a language tag',
      set: textAdaptationSet('9', {
        id: 's9',
        language: 'english!',
        label: 'English',
        role: 'subtitle',
        path: 'subs-x.vtt',
        bandwidth: 1,
      }),
      files: { 'subs-x.vtt': VTT('Hi') },
      detail: /lang "english!", which is not a language tag/,
    },
    {
      name: 'a set that is neither video, audio, text nor image',
      set: {
        ...textAdaptationSet('9', {
          id: 's9',
          language: 'en',
          label: 'Data',
          role: 'subtitle',
          path: 'data.vtt',
          bandwidth: 1,
        }),
        contentType: 'other' as const,
        mimeType: 'application/octet-stream',
      },
      files: { 'data.vtt': 'x' },
      detail: /neither video, audio, text nor image/,
    },
  ])('refuses $name', async ({ set, files, detail }) => {
    const { res } = await publishWith(manifest({ sets: [set] }), { ...FILES, ...files })
    expect(res.status).toBe(422)
    const body = (await res.json()) as { type: string; detail: string }
    expect(body.type).toBe('/problems/invalid-manifest')
    expect(body.detail).toMatch(detail)
  })
})

describe('the catalog filtered by language', () => {
  it('finds movies by audio and subtitle language, spelled either way', async () => {
    const anime = await published()
    const { res } = await publishWith(
      manifest({ replace: true, sets: [parseSetsOf(manifest())[0]!, audioSet('1', 'fr', 'French', true)] }),
      FILES,
      'French film',
    )
    const film = (await res.json()) as MovieJson
    const names = async (query: string) => {
      const r = await t.app.request(`/api/movies?${query}`)
      expect(r.status, query).toBe(200)
      return ((await r.json()) as { items: MovieJson[] }).items.map((m) => m.id).sort()
    }
    expect(await names('audio=jpn')).toEqual([anime.id])
    expect(await names('audio=ja&subtitles=eng')).toEqual([anime.id])
    expect(await names('audio=fre')).toEqual([film.id])
    expect(await names('subtitles=spa')).toEqual([anime.id])
    expect(await names('audio=fr&subtitles=en')).toEqual([])
    expect(await names('audio=en')).toEqual([anime.id])
    const bad = await t.app.request('/api/movies?audio=not-a-language!')
    expect(bad.status).toBe(422)
    expect(await bad.json()).toMatchObject({ errors: [{ field: 'audio' }] })
  })
})

/** The AdaptationSets of a manifest the writer made, for building variants of it. */
function parseSetsOf(xml: string): AdaptationSet[] {
  const video = parseMpd(xml).representations.find((r) => r.kind === 'video')!
  return [
    {
      id: '0',
      contentType: 'video',
      mimeType: 'video/mp4',
      addressing: {
        ...video.timeline!,
        initialization: 'init-$RepresentationID$.m4s',
        media: 'chunk-$RepresentationID$-$Number%05d$.m4s',
      },
      representations: [
        { id: video.id, bandwidth: video.bandwidth, codecs: video.codecs!, width: 640, height: 360 },
      ],
    },
  ]
}

describe('subtitles after publishing', () => {
  const segments = (mpd: ReturnType<typeof parseMpd>) =>
    mpd.representations.filter((r) => r.kind !== 'text').flatMap((r) => [r.initialization, ...r.segments])

  it('adds, replaces and deletes tracks through new manifest versions; published files never change', async () => {
    const movie = await published()
    const original = await (await media(movie, 'manifest.mpd')).text()
    const before = await currentManifest(movie)

    // Add French.
    const added = await request(
      owner,
      'POST',
      `/api/movies/${movie.id}/subtitles`,
      json({ language: 'fre', vtt: VTT('Bonjour') }),
    )
    expect(added.status).toBe(201)
    const v2 = (await added.json()) as MovieJson
    expect(v2.manifestUrl).toBe(`/media/${movie.id}/manifest-v2.mpd`)
    expect(v2.subtitleLanguages).toEqual(['en', 'es', 'fr'])
    const french = v2.subtitles.find((s) => s.language === 'fr')!
    expect(french).toMatchObject({ id: 's2', label: 'French', role: 'subtitle' })
    expect(french.url).toMatch(new RegExp(`^/media/${movie.id}/subs-fr-[0-9a-f]{8}\\.vtt$`))
    expect(await (await t.app.request(french.url)).text()).toBe(VTT('Bonjour'))
    const mpd2 = await currentManifest(v2)
    // Video, audio and thumbnails exactly as before; the old manifest is still served unchanged.
    expect(segments(mpd2)).toEqual(segments(before))
    expect(
      mpd2.representations.filter((r) => r.kind === 'text').map((r) => [r.lang, r.labels, r.roles]),
    ).toEqual([
      ['en', ['English'], ['subtitle']],
      ['es', ['Spanish'], ['forced-subtitle']],
      ['fr', ['French'], ['subtitle']],
    ])
    expect(await (await media(movie, 'manifest.mpd')).text()).toBe(original)
    const cache = (await media(movie, 'manifest-v2.mpd')).headers.get('cache-control')
    expect(cache).toBe('public, max-age=60')

    // Replace the English file and relabel it.
    const replaced = await request(owner, 'PUT', `/api/movies/${movie.id}/subtitles/s0`, {
      method: 'PUT',
      ...json({ label: 'English (full)', vtt: VTT('Hello again') }),
    })
    expect(replaced.status).toBe(200)
    const v3 = (await replaced.json()) as MovieJson
    expect(v3.manifestUrl).toBe(`/media/${movie.id}/manifest-v3.mpd`)
    const english = v3.subtitles.find((s) => s.id === 's0')!
    expect(english).toMatchObject({ language: 'en', label: 'English (full)' })
    expect(english.url).not.toBe(movie.subtitles[0]!.url)
    // The previous version (v2) and what it names stay for players that loaded it; v1 goes.
    expect((await media(movie, 'manifest-v2.mpd')).status).toBe(200)
    expect(await (await t.app.request(movie.subtitles[0]!.url)).text()).toBe(VTT('Hello'))
    expect((await media(movie, 'manifest.mpd')).status).toBe(404)

    // Delete the Spanish track: v2 goes, and with it the English file only v2 named.
    const deleted = await request(owner, 'DELETE', `/api/movies/${movie.id}/subtitles/s1`)
    expect(deleted.status).toBe(200)
    const v4 = (await deleted.json()) as MovieJson
    expect(v4.manifestUrl).toBe(`/media/${movie.id}/manifest-v4.mpd`)
    expect(v4.subtitles.map((s) => s.id)).toEqual(['s0', 's2'])
    expect(v4.subtitleLanguages).toEqual(['en', 'fr'])
    expect((await media(movie, 'manifest-v2.mpd')).status).toBe(404)
    expect((await t.app.request(movie.subtitles[0]!.url)).status).toBe(404)
    expect((await t.app.request(movie.subtitles[1]!.url)).status).toBe(200)
    // Segments, thumbnails and the catalog's other fields are untouched.
    expect(segments(await currentManifest(v4))).toEqual(segments(before))
    expect((await media(movie, 'thumbs-00001.jpg')).status).toBe(200)
    expect(v4.audioLanguages).toEqual(['ja', 'en'])
    const listed = await t.app.request('/api/movies?subtitles=fr')
    expect(((await listed.json()) as { items: MovieJson[] }).items.map((m) => m.id)).toEqual([movie.id])
  })

  it('writes HLS playlists beside every manifest version, and cleans them up with it', async () => {
    const movie = await published()
    expect(movie.hlsUrl).toBe(`/media/${movie.id}/master.m3u8`)
    const subtitleUris = async (m: MovieJson) => {
      const res = await t.app.request(m.hlsUrl!)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('application/vnd.apple.mpegurl')
      const text = await res.text()
      const uris = [...text.matchAll(/TYPE=SUBTITLES,.*LANGUAGE="([^"]+)".*URI="([^"]+)"/g)]
      for (const [, , uri] of uris) {
        const playlist = await (await media(m, uri!)).text()
        const file = playlist.split('\n').find((l) => l.endsWith('.vtt'))!
        expect((await media(m, file)).status).toBe(200)
      }
      return uris.map(([, lang]) => lang)
    }
    expect(await subtitleUris(movie)).toEqual(['en', 'es'])
    const v2 = (await (
      await request(
        owner,
        'POST',
        `/api/movies/${movie.id}/subtitles`,
        json({ language: 'fr', vtt: VTT('Salut') }),
      )
    ).json()) as MovieJson
    expect(v2.hlsUrl).toBe(`/media/${movie.id}/master-v2.m3u8`)
    expect(await subtitleUris(v2)).toEqual(['en', 'es', 'fr'])
    // The version before stays for players that loaded it a moment ago.
    expect(await subtitleUris(movie)).toEqual(['en', 'es'])
    const v3 = (await (
      await request(owner, 'DELETE', `/api/movies/${movie.id}/subtitles/s0`)
    ).json()) as MovieJson
    expect(v3.hlsUrl).toBe(`/media/${movie.id}/master-v3.m3u8`)
    expect(await subtitleUris(v3)).toEqual(['es', 'fr'])
    expect((await media(movie, 'master.m3u8')).status).toBe(404)
    expect((await media(movie, 'hls-sub-subs-en-00000001.m3u8')).status).toBe(200)
    const v4 = (await (
      await request(owner, 'DELETE', `/api/movies/${movie.id}/subtitles/s1`)
    ).json()) as MovieJson
    expect(await subtitleUris(v4)).toEqual(['fr'])
    // Only v3 and v4 and what they name are left: the English playlist went with v2.
    expect((await media(movie, 'master-v2.m3u8')).status).toBe(404)
    expect((await media(movie, 'hls-sub-subs-en-00000001.m3u8')).status).toBe(404)
    expect((await media(movie, 'hls-v0.m3u8')).status).toBe(200)
  })

  it('refuses what is not WebVTT, unknown tracks, drafts, strangers and anonymous callers', async () => {
    const movie = await published()
    const notVtt = await request(
      owner,
      'POST',
      `/api/movies/${movie.id}/subtitles`,
      json({ language: 'fr', vtt: '1\n00:00:01,000 --> 00:00:02,000\nSRT' }),
    )
    expect(notVtt.status).toBe(422)
    expect(await notVtt.json()).toMatchObject({ type: '/problems/invalid-subtitles' })
    const badLanguage = await request(
      owner,
      'POST',
      `/api/movies/${movie.id}/subtitles`,
      json({ language: '!!', vtt: VTT('x') }),
    )
    expect(badLanguage.status).toBe(422)
    const unknown = await request(owner, 'DELETE', `/api/movies/${movie.id}/subtitles/s9`)
    expect(unknown.status).toBe(404)
    expect(await unknown.json()).toMatchObject({ type: '/problems/subtitle-not-found' })

    const stranger = await t.createUser()
    const forbidden = await request(
      stranger,
      'POST',
      `/api/movies/${movie.id}/subtitles`,
      json({ language: 'fr', vtt: VTT('x') }),
    )
    expect(forbidden.status).toBe(403)
    const anonymous = await request(
      null,
      'POST',
      `/api/movies/${movie.id}/subtitles`,
      json({ language: 'fr', vtt: VTT('x') }),
    )
    expect(anonymous.status).toBe(401)

    const draft = (await (
      await request(owner, 'POST', '/api/movies', json({ name: 'Draft' }))
    ).json()) as MovieJson
    const early = await request(
      owner,
      'POST',
      `/api/movies/${draft.id}/subtitles`,
      json({ language: 'fr', vtt: VTT('x') }),
    )
    expect(early.status).toBe(409)
    // Nothing changed on the published one.
    expect(((await (await t.app.request(`/api/movies/${movie.id}`)).json()) as MovieJson).manifestUrl).toBe(
      movie.manifestUrl,
    )
  })

  it('takes no new files into a published movie except images', async () => {
    const movie = await published()
    const vtt = await put(owner, movie.id, 'subs-fr-12345678.vtt', VTT('Salut'))
    expect(vtt.status).toBe(409)
    expect(await vtt.json()).toMatchObject({ type: '/problems/movie-published' })
    expect((await put(owner, movie.id, 'manifest-v9.mpd', manifest())).status).toBe(409)
    expect((await put(owner, movie.id, 'poster-2.jpg', 'jpeg')).status).toBe(201)
  })
})
