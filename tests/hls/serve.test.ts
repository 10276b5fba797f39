/**
 * HLS over real HTTP: a movie native ffmpeg encoded (two audio languages) is uploaded and
 * published as the README's recipe does; the server writes its playlists, serves them like the
 * manifest (type, short caching, CORS, visibility), every URI in them resolves to the stored bytes,
 * and native ffprobe opens `master.m3u8` over HTTP and decodes two seconds of every variant.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { MovieJson } from '../../server/routes/movies/movies.schemas.ts'
import { startTestServer, type TestServer, type TestUser } from '../support/app.ts'
import { sha256Of } from '../support/bytes.ts'
import { uploadMovie } from '../support/http.ts'
import { type DashMovie, makeDash } from '../support/media.ts'

const run = promisify(execFile)

let server: TestServer
let owner: TestUser
let dash: DashMovie
let movie: MovieJson

beforeAll(async () => {
  ;[server, dash] = await Promise.all([
    startTestServer({ blobs: 'fs' }),
    makeDash({ seconds: 5, audioLanguages: ['jpn', 'eng'] }),
  ])
  owner = await server.createUser()
  movie = await uploadMovie(server.url, owner.token, dash, { name: 'HLS' })
}, 120_000)

afterAll(async () => {
  await server?.close()
  await dash?.cleanup()
})

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers })

/** Every URI a playlist names, resolved against it, multivariant and media alike. */
function urisOf(text: string, base: string): string[] {
  const lines = text.split('\n')
  const quoted = lines.flatMap((l) => [...l.matchAll(/URI="([^"]+)"/g)].map((m) => m[1]!))
  const plain = lines.filter((l) => l !== '' && !l.startsWith('#'))
  return [...quoted, ...plain].map((u) => new URL(u, base).pathname)
}

describe('HLS beside DASH', () => {
  it('publishes with an HLS URL beside the manifest URL', () => {
    expect(movie.manifestUrl).toBe(`/media/${movie.id}/manifest.mpd`)
    expect(movie.hlsUrl).toBe(`/media/${movie.id}/master.m3u8`)
  })

  it('serves the playlists like the manifest: their type, a short max-age, any origin', async () => {
    const res = await get(movie.hlsUrl!, { origin: 'https://elsewhere.example' })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/vnd.apple.mpegurl')
    expect(res.headers.get('cache-control')).toBe('public, max-age=60')
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    const text = await res.text()
    expect(text).toMatch(/^#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n/)
    expect(text.match(/#EXT-X-STREAM-INF:/g)).toHaveLength(2)
    expect(text.match(/TYPE=AUDIO/g)).toHaveLength(2)
  })

  it('names only stored files, byte for byte the segments and init segments DASH uses', async () => {
    const master = `${server.url}${movie.hlsUrl}`
    const playlists = urisOf(await (await get(movie.hlsUrl!)).text(), master)
    expect(playlists.length).toBe(4)
    const prefix = `/media/${movie.id}/`
    const named = new Set<string>()
    for (const path of playlists) {
      const res = await get(path)
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('application/vnd.apple.mpegurl')
      for (const uri of urisOf(await res.text(), `${server.url}${path}`)) named.add(uri)
    }
    const files = [...named].map((p) => p.slice(prefix.length)).sort()
    // Every init and media segment of the DASH presentation, and nothing else.
    expect(files).toEqual(dash.files.filter((f) => f.endsWith('.m4s')).sort())
    for (const file of files.filter((f) => f.startsWith('init'))) {
      const bytes = new Uint8Array(await (await get(`${prefix}${file}`)).arrayBuffer())
      expect(sha256Of(bytes)).toBe(await dash.sha256(file))
    }
  })

  it('is read by ffprobe over HTTP, which decodes two seconds of every variant', async () => {
    const url = `${server.url}${movie.hlsUrl}`
    const { stdout } = await run('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_programs', url])
    const programs = (
      JSON.parse(stdout) as { programs: { streams: { codec_type: string; width?: number }[] }[] }
    ).programs
    expect(programs.map((p) => p.streams.find((s) => s.codec_type === 'video')?.width).sort()).toEqual([
      320, 640,
    ])
    for (const [index] of programs.entries()) {
      // Two seconds of the variant's picture and first sound, decoded into nothing; count the frames.
      const { stderr } = await run('ffmpeg', [
        ...['-v', 'error', '-nostdin', '-stats', '-i', url],
        ...['-map', `0:p:${index}:v`, '-map', `0:p:${index}:a:0`, '-t', '2', '-f', 'null', '-'],
      ])
      const frames = Number([...stderr.matchAll(/frame=\s*(\d+)/g)].at(-1)?.[1])
      expect(frames).toBeGreaterThanOrEqual(59)
    }
  }, 60_000)

  it('keeps the playlists of a hidden movie from anonymous viewers', async () => {
    // A movie of its own: public lookups are cached for a moment, and the others were fetched.
    const other = await uploadMovie(server.url, owner.token, dash, { name: 'Hidden' })
    const hide = await fetch(`${server.url}/api/movies/${other.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ active: false }),
    })
    expect(hide.status).toBe(200)
    expect((await get(other.hlsUrl!)).status).toBe(404)
    expect((await get(`/media/${other.id}/hls-0.m3u8`)).status).toBe(404)
    const own = await get(other.hlsUrl!, { authorization: `Bearer ${owner.token}` })
    expect(own.status).toBe(200)
    expect(own.headers.get('cache-control')).toBe('private, no-cache')
  })

  it('refuses playlists from uploaders: only the server writes them', async () => {
    const draft = (await (
      await fetch(`${server.url}/api/movies`, {
        method: 'POST',
        headers: { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'draft' }),
      })
    ).json()) as MovieJson
    const body = new TextEncoder().encode('#EXTM3U\n')
    const res = await fetch(`${server.url}/api/movies/${draft.id}/files/master.m3u8`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${owner.token}`, 'x-content-sha256': sha256Of(body) },
      body,
    })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ type: '/problems/invalid-path' })
  })

  it('publishes a WebM presentation as before, without HLS', async () => {
    const xml = `<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT2S" minBufferTime="PT2S"><Period id="0"><AdaptationSet mimeType="video/webm" codecs="vp9"><SegmentTemplate timescale="1000" duration="2000" initialization="i-$RepresentationID$.webm" media="c-$RepresentationID$-$Number$.webm"/><Representation id="v" bandwidth="1000" width="320" height="180"/></AdaptationSet></Period></MPD>`
    const files: Record<string, string> = { 'manifest.mpd': xml, 'i-v.webm': 'init', 'c-v-1.webm': 'segment' }
    const bytes = (f: string) => Promise.resolve(new TextEncoder().encode(files[f]!))
    const webm = await uploadMovie(
      server.url,
      owner.token,
      { files: Object.keys(files), bytes, sha256: async (f) => sha256Of(await bytes(f)) },
      { name: 'WebM' },
    )
    expect(webm.status).toBe('ready')
    expect(webm.manifestUrl).toBe(`/media/${webm.id}/manifest.mpd`)
    expect(webm.hlsUrl).toBeNull()
  })
})
