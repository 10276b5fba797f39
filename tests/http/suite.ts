/**
 * The black-box HTTP suite: one set of tests, run against every way the app is deployed (the Node
 * server, the Worker under local wrangler). It knows only a base URL and the first admin, created
 * by the target's own createsuperuser path; everything else goes through the public API.
 * @module
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sha256Of } from '../support/bytes.ts'
import { type DashMovie, makeDash } from '../support/media.ts'

export interface HttpTarget {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string
  /** Created by the target's createsuperuser command before it started. */
  admin: { username: string; password: string }
  stop: () => Promise<void>
}

type Headers = Record<string, string>
const PROBLEM = 'application/problem+json'

export function httpSuite(name: string, start: () => Promise<HttpTarget>) {
  describe(`the HTTP API on ${name}`, () => {
    let t: HttpTarget
    let dash: DashMovie
    let asAdmin: Headers
    let asUploader: Headers
    let asOther: Headers

    const req = (path: string, init: RequestInit = {}) =>
      fetch(`${t.url}${path}`, { redirect: 'manual', ...init })
    const send = (method: string, path: string, body: unknown, headers: Headers = {}) =>
      req(path, {
        method,
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      })
    const login = (username: string, password: string) =>
      send('POST', '/api/auth/login', { username, password })
    /** Signs in and trades the session for an API token, as a script would. */
    async function newToken(username: string, password: string): Promise<{ id: string; headers: Headers }> {
      const res = await login(username, password)
      expect(res.status).toBe(200)
      const cookie = res.headers.get('set-cookie')?.split(';')[0] ?? ''
      const created = await send(
        'POST',
        '/api/auth/tokens',
        { name: 'http suite' },
        { cookie, origin: t.url },
      )
      expect(created.status).toBe(201)
      const { id, token } = (await created.json()) as { id: string; token: string }
      return { id, headers: { authorization: `Bearer ${token}` } }
    }
    const bearerFor = async (username: string, password: string) =>
      (await newToken(username, password)).headers
    async function expectProblem(res: Response, status: number) {
      expect(res.status).toBe(status)
      expect(res.headers.get('content-type')).toBe(PROBLEM)
      const body = (await res.json()) as Record<string, unknown>
      expect(body).toMatchObject({ status, type: expect.any(String), title: expect.any(String) })
      expect(body.detail).toEqual(expect.any(String))
      expect(JSON.stringify(body)).not.toMatch(/\bat .+:\d+:\d+/)
      return body
    }
    async function createMovie(headers: Headers, body: Record<string, unknown>) {
      const res = await send('POST', '/api/movies', body, headers)
      expect(res.status).toBe(201)
      return (await res.json()) as { id: string; [k: string]: unknown }
    }
    async function putFile(id: string, path: string, headers: Headers, bytes?: Uint8Array<ArrayBuffer>) {
      const body = bytes ?? (await dash.bytes(path))
      return req(`/api/movies/${id}/files/${path}`, {
        method: 'PUT',
        headers: {
          ...headers,
          'x-content-sha256': sha256Of(body),
          'content-type': 'application/octet-stream',
        },
        body,
      })
    }

    /** Uploads every file of the fixture into a draft and publishes it. */
    async function publishDash(id: string, headers: Headers) {
      for (const file of dash.files) expect((await putFile(id, file, headers)).status).toBe(201)
      const res = await req(`/api/movies/${id}/publish`, { method: 'POST', headers })
      expect(res.status).toBe(200)
      return (await res.json()) as { id: string; duration: number }
    }

    beforeAll(async () => {
      ;[t, dash] = await Promise.all([start(), makeDash({ seconds: 2 })])
      asAdmin = await bearerFor(t.admin.username, t.admin.password)
      for (const username of ['uploader1', 'uploader2']) {
        const res = await send('POST', '/api/users', { username, password: `${username}-password` }, asAdmin)
        expect(res.status).toBe(201)
      }
      asUploader = await bearerFor('uploader1', 'uploader1-password')
      asOther = await bearerFor('uploader2', 'uploader2-password')
      // Starting a target can take a while on two shared cores (wrangler runs several commands).
    }, 240_000)
    afterAll(async () => {
      await t?.stop()
      await dash?.cleanup()
    })

    describe('basics', () => {
      it('answers /api/health and describes itself in OpenAPI 3.1', async () => {
        expect(await (await req('/api/health')).json()).toEqual({ status: 'ok' })
        const doc = (await (await req('/api/openapi.json')).json()) as { openapi: string; paths: object }
        expect(doc.openapi).toBe('3.1.0')
        expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/movies', '/api/auth/login']))
      })

      it('answers an unknown API route with a problem+json 404', async () => {
        await expectProblem(await req('/api/no-such-thing'), 404)
      })
    })

    describe('auth', () => {
      it('signs in with an HttpOnly, SameSite=Lax cookie, knows who it is, and signs out', async () => {
        const res = await login(t.admin.username, t.admin.password)
        expect(res.status).toBe(200)
        expect(await res.json()).toMatchObject({ user: { username: t.admin.username, role: 'admin' } })
        const setCookie = res.headers.get('set-cookie') ?? ''
        expect(setCookie).toMatch(/HttpOnly/i)
        expect(setCookie).toMatch(/SameSite=Lax/i)
        const cookie = setCookie.split(';')[0] ?? ''
        const me = await req('/api/auth/me', { headers: { cookie } })
        expect(await me.json()).toMatchObject({ user: { username: t.admin.username } })
        expect(
          (await req('/api/auth/logout', { method: 'POST', headers: { cookie, origin: t.url } })).status,
        ).toBe(204)
        await expectProblem(await req('/api/auth/me', { headers: { cookie } }), 401)
      })

      it('fails a wrong password or unknown user with the same problem', async () => {
        const wrong = await expectProblem(await login(t.admin.username, 'not-the-password'), 401)
        const unknown = await expectProblem(await login('nobody-here', 'not-the-password'), 401)
        expect(wrong.detail).toBe(unknown.detail)
      })

      it('lists tokens without their secret and stops honouring a revoked one', async () => {
        const scratch = await newToken('uploader2', 'uploader2-password')
        const me = await req('/api/auth/me', { headers: scratch.headers })
        expect(await me.json()).toMatchObject({ user: { username: 'uploader2' } })
        const list = await (await req('/api/auth/tokens', { headers: scratch.headers })).json()
        expect(list.items).toEqual(
          expect.arrayContaining([expect.objectContaining({ id: scratch.id, name: 'http suite' })]),
        )
        expect(JSON.stringify(list)).not.toContain(scratch.headers.authorization?.slice('Bearer '.length))
        const revoked = await req(`/api/auth/tokens/${scratch.id}`, {
          method: 'DELETE',
          headers: scratch.headers,
        })
        expect(revoked.status).toBe(204)
        await expectProblem(await req('/api/auth/me', { headers: scratch.headers }), 401)
      })

      it('keeps account management for admins', async () => {
        await expectProblem(
          await send('POST', '/api/users', { username: 'sneaky', password: 'sneaky-pass' }, asUploader),
          403,
        )
        const dup = await send(
          'POST',
          '/api/users',
          { username: 'uploader1', password: 'whatever-pass' },
          asAdmin,
        )
        await expectProblem(dup, 409)
      })
    })

    describe('catalog', () => {
      it('creates, reads, updates, searches and deletes a movie', async () => {
        const movie = await createMovie(asUploader, {
          name: 'Edge Runner',
          description: 'A courier at the edge',
        })
        expect(movie).toMatchObject({
          name: 'Edge Runner',
          status: 'draft',
          owner: { username: 'uploader1' },
        })
        expect(movie.id).toMatch(/^[A-Za-z0-9]{16}$/)
        expect(await (await req(`/api/movies/${movie.id}`, { headers: asUploader })).json()).toEqual(movie)

        const patched = await send('PATCH', `/api/movies/${movie.id}`, { name: 'Edge Runner II' }, asUploader)
        expect(patched.status).toBe(200)
        expect(await patched.json()).toMatchObject({
          name: 'Edge Runner II',
          description: 'A courier at the edge',
        })

        const mine = (await (await req('/api/movies?mine=true', { headers: asUploader })).json()) as {
          items: { id: string }[]
        }
        expect(mine.items.map((m) => m.id)).toContain(movie.id)
        const found = (await (await req('/api/movies?q=courier', { headers: asUploader })).json()) as {
          items: { id: string }[]
        }
        expect(found.items.map((m) => m.id)).toEqual([movie.id])

        expect((await req(`/api/movies/${movie.id}`, { method: 'DELETE', headers: asUploader })).status).toBe(
          204,
        )
        await expectProblem(await req(`/api/movies/${movie.id}`, { headers: asUploader }), 404)
      })

      it('hides drafts from anonymous callers and other uploaders, not from admins', async () => {
        const movie = await createMovie(asUploader, { name: 'Secret draft' })
        await expectProblem(await req(`/api/movies/${movie.id}`), 404)
        await expectProblem(await req(`/api/movies/${movie.id}`, { headers: asOther }), 404)
        expect((await req(`/api/movies/${movie.id}`, { headers: asAdmin })).status).toBe(200)
        const anonymous = (await (await req('/api/movies')).json()) as { items: { id: string }[] }
        expect(anonymous.items.map((m) => m.id)).not.toContain(movie.id)
      })

      it('explains invalid input field by field, and refuses anonymous writes', async () => {
        const body = await expectProblem(await send('POST', '/api/movies', { name: '' }, asUploader), 422)
        expect(body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'name' })]))
        const bad = await req('/api/movies', {
          method: 'POST',
          headers: { ...asUploader, 'content-type': 'application/json' },
          body: '{"name": ',
        })
        expect([400, 422]).toContain(bad.status)
        expect(bad.headers.get('content-type')).toBe(PROBLEM)
        await expectProblem(await send('POST', '/api/movies', { name: 'anonymous' }), 401)
        await expectProblem(await req('/api/movies?limit=0'), 422)
      })
    })

    describe('upload, publish and streaming', () => {
      let id: string
      const segment = () => dash.files.find((f) => f.endsWith('.m4s') && !f.startsWith('init')) ?? ''

      beforeAll(async () => {
        id = (await createMovie(asUploader, { name: 'Streamed' })).id
      })

      it('stores files by hash, idempotently, and lists what it has', async () => {
        expect(await (await req(`/api/movies/${id}/files`, { headers: asUploader })).json()).toMatchObject({
          items: [],
        })
        const first = await putFile(id, 'manifest.mpd', asUploader)
        expect(first.status).toBe(201)
        expect((await putFile(id, 'manifest.mpd', asUploader)).status).toBe(200)
        const listed = (await (await req(`/api/movies/${id}/files`, { headers: asUploader })).json()) as {
          items: { path: string; sha256: string; size: number }[]
        }
        expect(listed.items).toEqual([
          expect.objectContaining({ path: 'manifest.mpd', sha256: await dash.sha256('manifest.mpd') }),
        ])
      })

      it('refuses a body that does not match its hash, a bad path, and strangers', async () => {
        const bytes = new TextEncoder().encode('not what was promised')
        const lying = await req(`/api/movies/${id}/files/chunk-x.m4s`, {
          method: 'PUT',
          headers: { ...asUploader, 'x-content-sha256': sha256Of('something else') },
          body: bytes,
        })
        await expectProblem(lying, 400)
        await expectProblem(await putFile(id, 'evil.exe', asUploader, bytes), 400)
        await expectProblem(await putFile(id, 'chunk-x.m4s', {}, bytes), 401)
        await expectProblem(await putFile(id, 'chunk-x.m4s', asOther, bytes), 404)
      })

      it('publishes only when every file the manifest names is stored', async () => {
        const missing = await expectProblem(
          await req(`/api/movies/${id}/publish`, { method: 'POST', headers: asUploader }),
          422,
        )
        expect(JSON.stringify(missing)).toContain(segment())
        for (const file of dash.files) {
          if (file === 'manifest.mpd') continue
          expect((await putFile(id, file, asUploader)).status).toBe(201)
        }
        const published = await req(`/api/movies/${id}/publish`, { method: 'POST', headers: asUploader })
        expect(published.status).toBe(200)
        expect(await published.json()).toMatchObject({
          status: 'ready',
          manifestUrl: `/media/${id}/manifest.mpd`,
          hlsUrl: `/media/${id}/master.m3u8`,
        })
        const anonymous = (await (await req('/api/movies')).json()) as { items: { id: string }[] }
        expect(anonymous.items.map((m) => m.id)).toContain(id)
      })

      it('streams the manifest and whole segments to anyone, with caching headers', async () => {
        const mpd = await req(`/media/${id}/manifest.mpd`)
        expect(mpd.status).toBe(200)
        expect(mpd.headers.get('content-type')).toMatch(/^application\/dash\+xml/)
        expect(mpd.headers.get('cache-control')).toBe('public, max-age=60')
        expect(await mpd.text()).toBe(new TextDecoder().decode(await dash.bytes('manifest.mpd')))

        const seg = await req(`/media/${id}/${segment()}`)
        expect(seg.status).toBe(200)
        expect(seg.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
        expect(seg.headers.get('accept-ranges')).toBe('bytes')
        expect(seg.headers.get('access-control-allow-origin')).toBe('*')
        const whole = new Uint8Array(await seg.arrayBuffer())
        expect(sha256Of(whole)).toBe(await dash.sha256(segment()))
        expect(seg.headers.get('content-length')).toBe(String(whole.byteLength))
      })

      it('serves the HLS playlists it derived, like the manifest, naming the same segments', async () => {
        const master = await req(`/media/${id}/master.m3u8`)
        expect(master.status).toBe(200)
        expect(master.headers.get('content-type')).toBe('application/vnd.apple.mpegurl')
        expect(master.headers.get('cache-control')).toBe('public, max-age=60')
        expect(master.headers.get('access-control-allow-origin')).toBe('*')
        const variant = /#EXT-X-STREAM-INF:[^\n]*\n(\S+)/.exec(await master.text())?.[1] ?? ''
        const media = await (await req(`/media/${id}/${variant}`)).text()
        expect(media).toContain('#EXT-X-ENDLIST')
        const first = media.split('\n').find((l) => l.endsWith('.m4s')) ?? ''
        expect((await req(`/media/${id}/${first}`, { method: 'HEAD' })).status).toBe(200)
        await expectProblem(
          await putFile(id, 'extra.m3u8', asUploader, new TextEncoder().encode('#EXTM3U')),
          400,
        )
      })

      it('writes sharing tags into a watchable movie page, and nothing into a hidden or draft one', async () => {
        /** The page's meta tags (and the oEmbed link), by name. */
        async function pageTags(movieId: string): Promise<Map<string, string>> {
          const res = await req(`/movies/${movieId}`)
          expect(res.status).toBe(200)
          expect(res.headers.get('content-type')).toMatch(/^text\/html/)
          const html = await res.text()
          const tags = new Map<string, string>()
          for (const m of html.matchAll(/<meta (?:property|name)="([^"]+)" content="([^"]*)">/g))
            tags.set(m[1] ?? '', m[2] ?? '')
          const oembed = /<link rel="alternate" type="application\/json\+oembed" href="([^"]+)"/.exec(html)
          if (oembed) tags.set('oembed', oembed[1] ?? '')
          return tags
        }
        const named = 'Streamed <"&> at dusk'
        const description = 'A night train through the hills & "valleys"'
        expect(
          (await send('PATCH', `/api/movies/${id}`, { name: named, description }, asUploader)).status,
        ).toBe(200)
        const poster = new Uint8Array([0xff, 0xd8, 0xff, 0xd9])
        expect((await putFile(id, 'poster-share.jpg', asUploader, poster)).status).toBe(201)

        const tags = await pageTags(id)
        const page = `${t.url}/movies/${id}`
        const esc = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`)
        expect(Object.fromEntries(tags)).toMatchObject({
          'og:type': 'video.other',
          'og:title': esc(named),
          'og:description': esc(description),
          'og:url': page,
          'og:image': `${t.url}/media/${id}/poster-share.jpg`,
          'og:video': `${t.url}/embed/${id}`,
          'og:video:type': 'text/html',
          'twitter:card': 'player',
          'twitter:player': `${t.url}/embed/${id}`,
          'twitter:image': `${t.url}/media/${id}/poster-share.jpg`,
          oembed: esc(`${t.url}/api/oembed?url=${encodeURIComponent(page)}`),
        })
        // The tagged URLs work: the poster and the embed are what a previewer fetches next.
        expect((await req(`/media/${id}/poster-share.jpg`)).status).toBe(200)
        const width = Number(tags.get('og:video:width'))
        const height = Number(tags.get('og:video:height'))
        // The fixture is 640x360.
        expect(width / height).toBeCloseTo(16 / 9, 2)

        // What an anonymous visitor may not see gets the page as built: no name, no poster, no tags.
        const draft = await createMovie(asUploader, { name: 'Unannounced sequel', description: 'Spoilers' })
        const unknown = await (await req('/movies/NoSuchMovie00000')).text()
        const draftPage = await (await req(`/movies/${draft.id}`)).text()
        expect(draftPage).toBe(unknown)
        expect(draftPage).not.toMatch(/og:|twitter:|Unannounced|Spoilers/)
        expect((await send('PATCH', `/api/movies/${id}`, { active: false }, asUploader)).status).toBe(200)
        const hidden = await (await req(`/movies/${id}`)).text()
        expect(hidden).toBe(unknown)
        expect((await send('PATCH', `/api/movies/${id}`, { active: true }, asUploader)).status).toBe(200)
        expect((await pageTags(id)).get('og:title')).toBe(esc(named))
      })

      it('serves byte ranges, HEAD and conditional requests', async () => {
        const whole = await dash.bytes(segment())
        const url = `/media/${id}/${segment()}`
        const part = await req(url, { headers: { range: 'bytes=100-299' } })
        expect(part.status).toBe(206)
        expect(part.headers.get('content-range')).toBe(`bytes 100-299/${whole.byteLength}`)
        expect(new Uint8Array(await part.arrayBuffer())).toEqual(whole.slice(100, 300))

        const tail = await req(url, { headers: { range: 'bytes=-50' } })
        expect(tail.status).toBe(206)
        expect(new Uint8Array(await tail.arrayBuffer())).toEqual(whole.slice(-50))

        const head = await req(url, { method: 'HEAD' })
        expect(head.status).toBe(200)
        expect(head.headers.get('content-length')).toBe(String(whole.byteLength))
        const etag = head.headers.get('etag') ?? ''
        expect(etag).toMatch(/^"/)
        expect((await req(url, { headers: { 'if-none-match': etag } })).status).toBe(304)

        const beyond = await req(url, { headers: { range: `bytes=${whole.byteLength + 10}-` } })
        await expectProblem(beyond, 416)
        expect(beyond.headers.get('content-range')).toBe(`bytes */${whole.byteLength}`)
      })

      it('answers a missing file or movie with a problem+json 404 that no cache keeps', async () => {
        const missing = await req(`/media/${id}/nothing-here.m4s`)
        await expectProblem(missing, 404)
        expect(missing.headers.get('cache-control')).toBe('no-store')
        await expectProblem(await req('/media/AAAAAAAAAAAAAAAA/manifest.mpd'), 404)
      })

      it('deletes a published movie with its files', async () => {
        expect((await req(`/api/movies/${id}`, { method: 'DELETE', headers: asAdmin })).status).toBe(204)
        await expectProblem(await req(`/media/${id}/manifest.mpd`), 404)
      })
    })

    describe('viewers, series, watch list and progress', () => {
      let seriesId: string
      let episodes: { id: string; duration: number }[]
      let viewer: Headers
      let viewerId: string

      beforeAll(async () => {
        const created = await send('POST', '/api/series', { name: 'Suite Saga' }, asUploader)
        expect(created.status).toBe(201)
        seriesId = ((await created.json()) as { id: string }).id
        episodes = []
        for (const episode of [2, 1]) {
          const movie = await createMovie(asUploader, { name: `Suite Saga ${episode}`, seriesId, episode })
          episodes[episode - 1] = await publishDash(movie.id, asUploader)
        }
      }, 120_000)

      it('signs a viewer up with a one-time invite and keeps them from uploading', async () => {
        const made = await send('POST', '/api/invites', {}, asAdmin)
        expect(made.status).toBe(201)
        const { secret, role } = (await made.json()) as { secret: string; role: string }
        expect(role).toBe('viewer')
        const check = await req(`/api/auth/signup?invite=${secret}`)
        expect(await check.json()).toMatchObject({
          signup: 'invite',
          invite: { valid: true, role: 'viewer' },
        })

        const res = await send('POST', '/api/auth/signup', {
          username: 'suite-viewer',
          password: 'suite-viewer-pw',
          invite: secret,
        })
        expect(res.status).toBe(201)
        const body = (await res.json()) as { user: { id: string; role: string } }
        expect(body.user.role).toBe('viewer')
        viewerId = body.user.id
        viewer = { cookie: res.headers.get('set-cookie')?.split(';')[0] ?? '', origin: t.url }
        expect(await (await req('/api/auth/me', { headers: viewer })).json()).toMatchObject({
          user: { username: 'suite-viewer' },
        })
        await expectProblem(
          await send('POST', '/api/auth/signup', {
            username: 'suite-viewer2',
            password: 'suite-viewer-pw',
            invite: secret,
          }),
          403,
        )
        await expectProblem(await send('POST', '/api/movies', { name: 'Not allowed' }, viewer), 403)
      })

      it('lists the series with its episodes in order and their neighbours', async () => {
        const list = (await (await req('/api/series', { headers: viewer })).json()) as {
          items: { id: string; episodeCount: number; next: { id: string } | null }[]
        }
        expect(list.items.find((s) => s.id === seriesId)).toMatchObject({
          episodeCount: 2,
          next: { id: episodes[0]!.id },
        })
        const detail = (await (await req(`/api/series/${seriesId}`, { headers: viewer })).json()) as {
          episodes: { id: string; episode: number; nextEpisode: { id: string } | null }[]
        }
        expect(detail.episodes.map((e) => e.episode)).toEqual([1, 2])
        expect(detail.episodes[0]!.nextEpisode?.id).toBe(episodes[1]!.id)
        const grid = (await (await req('/api/movies?standalone=true&limit=100')).json()) as {
          items: { id: string }[]
        }
        expect(grid.items.map((m) => m.id)).not.toContain(episodes[0]!.id)
      })

      it('keeps a watch list and progress, idempotently, for the viewer alone', async () => {
        const [first, second] = [episodes[0]!, episodes[1]!]
        expect((await req(`/api/me/watchlist/${seriesId}`, { method: 'PUT', headers: viewer })).status).toBe(
          201,
        )
        expect((await req(`/api/me/watchlist/${seriesId}`, { method: 'PUT', headers: viewer })).status).toBe(
          200,
        )
        const list = (await (await req('/api/me/watchlist', { headers: viewer })).json()) as {
          items: { kind: string; series?: { id: string } }[]
        }
        expect(list.items).toEqual([
          expect.objectContaining({ kind: 'series', series: expect.objectContaining({ id: seriesId }) }),
        ])

        // As the player sends it: JSON, the session cookie, our origin.
        const save = (position: number) =>
          send('PUT', `/api/me/progress/${first.id}`, { position, duration: first.duration }, viewer)
        expect((await save(0.5)).status).toBe(200)
        const done = await save(first.duration)
        expect(await done.json()).toMatchObject({ watched: true, inProgress: false })
        expect((await save(first.duration)).status).toBe(200)

        const next = (await (await req(`/api/series/${seriesId}`, { headers: viewer })).json()) as {
          next: { id: string }
        }
        expect(next.next.id).toBe(second.id)
        const row = (await (await req('/api/me/continue', { headers: viewer })).json()) as {
          items: { kind: string; movie: { id: string } }[]
        }
        expect(row.items).toEqual([
          expect.objectContaining({ kind: 'next', movie: expect.objectContaining({ id: second.id }) }),
        ])

        for (const other of [asUploader, asAdmin]) {
          await expectProblem(await req(`/api/me/progress/${first.id}`, { headers: other }), 404)
          const theirs = await (await req('/api/me/watchlist', { headers: other })).json()
          expect(JSON.stringify(theirs)).not.toContain(seriesId)
        }
        expect(await (await req(`/api/me/progress/${first.id}`, { headers: viewer })).json()).toMatchObject({
          watched: true,
        })

        const prefs = await send('PATCH', '/api/me/preferences', { autoplayNext: false }, viewer)
        expect(await prefs.json()).toEqual({ autoplayNext: false })
        expect(await (await req('/api/me/preferences', { headers: viewer })).json()).toEqual({
          autoplayNext: false,
        })
      })

      it('stores a series poster and serves it under /media', async () => {
        const png = new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10, 7, 7, 7])
        const res = await req(`/api/series/${seriesId}/poster`, {
          method: 'PUT',
          headers: { ...asUploader, 'content-type': 'image/png', 'x-content-sha256': sha256Of(png) },
          body: png,
        })
        expect(res.status).toBe(200)
        const { posterUrl } = (await res.json()) as { posterUrl: string }
        const poster = await req(posterUrl)
        expect(poster.status).toBe(200)
        expect(poster.headers.get('content-type')).toBe('image/png')
        expect(new Uint8Array(await poster.arrayBuffer())).toEqual(png)
      })

      it('deletes a series but not its episodes, and a user with their list and progress', async () => {
        expect((await req(`/api/series/${seriesId}`, { method: 'DELETE', headers: asUploader })).status).toBe(
          204,
        )
        const movie = await (await req(`/api/movies/${episodes[0]!.id}`)).json()
        expect(movie).toMatchObject({ id: episodes[0]!.id, series: null, episode: null })

        expect((await req(`/api/users/${viewerId}`, { method: 'DELETE', headers: asAdmin })).status).toBe(204)
        await expectProblem(await req('/api/auth/me', { headers: viewer }), 401)
      })
    })
  })
}
