/**
 * deploy/nginx.conf, the cache compose.yaml puts in front of the server (`--profile cache`): it is
 * README.md's configuration with compose's upstream, and, run by this machine's nginx in front of
 * the real app, it caches published segments and answers ranges from the cache.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { freePort } from '../../bench/lib.ts'
import { startTestServer, type TestServer } from '../support/app.ts'
import { bytesOf, sameBytes, sha256Of } from '../support/bytes.ts'

const ROOT = resolve(import.meta.dirname, '../..')
const hasNginx = spawnSync('nginx', ['-v']).status === 0

/** The configuration lines of an nginx file: no comment-only lines, no blank lines. */
const directives = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.trim().startsWith('#'))
    .join('\n')

async function readmeNginx(): Promise<string> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8')
  const block = /```nginx\n([\s\S]*?)```/.exec(readme)?.[1]
  if (!block) throw new Error('README.md has no nginx block')
  return block
}

describe('deploy/nginx.conf', () => {
  it("is README.md's nginx configuration, with compose's app service as the upstream", async () => {
    const deploy = await readFile(join(ROOT, 'deploy/nginx.conf'), 'utf8')
    const upstream = /upstream adh \{ server (\S+);/
    expect(upstream.exec(deploy)?.[1]).toBe('app:3000')
    const readme = await readmeNginx()
    expect(directives(deploy).replace(upstream, 'upstream adh { server UPSTREAM;')).toBe(
      directives(readme).replace(upstream, 'upstream adh { server UPSTREAM;'),
    )
  })

  describe.runIf(hasNginx)('run by nginx in front of the server', () => {
    let s: TestServer
    let nginx: ChildProcess | undefined
    let dir = ''
    afterAll(async () => {
      nginx?.kill('SIGTERM')
      await s?.close()
      if (dir) await rm(dir, { recursive: true, force: true })
    })

    it('caches a published segment and answers a range from the cache', async () => {
      s = await startTestServer()
      const auth = await s.headersFor(await s.createUser('alice'))
      const seg = bytesOf(20_000, 7)
      const mpd =
        '<MPD type="static" mediaPresentationDuration="PT2S"><Period><AdaptationSet mimeType="video/mp4" codecs="avc1.64001f">' +
        '<Representation id="v" bandwidth="500000" width="640" height="360"><SegmentTemplate media="seg-$Number$.m4s" ' +
        'initialization="init.mp4" duration="2" startNumber="1"/></Representation></AdaptationSet></Period></MPD>'
      const created = await fetch(`${s.url}/api/movies`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'Cached' }),
      })
      const { id } = (await created.json()) as { id: string }
      for (const [path, data] of [
        ['manifest.mpd', mpd],
        ['init.mp4', bytesOf(100)],
        ['seg-1.m4s', seg],
      ] as const) {
        const put = await fetch(`${s.url}/api/movies/${id}/files/${path}`, {
          method: 'PUT',
          headers: { ...auth, 'x-content-sha256': sha256Of(data) },
          body: data,
        })
        expect(put.status).toBe(201)
      }
      expect(
        (await fetch(`${s.url}/api/movies/${id}/publish`, { method: 'POST', headers: auth })).status,
      ).toBe(200)

      dir = await mkdtemp(join(tmpdir(), 'adh-nginx-'))
      const port = await freePort()
      const conf = (await readFile(join(ROOT, 'deploy/nginx.conf'), 'utf8'))
        .replace('server app:3000;', `server 127.0.0.1:${s.port};`)
        .replace('/var/cache/nginx/adh', join(dir, 'cache'))
        .replace(/listen 80;/, `listen 127.0.0.1:${port};`)
      const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
        .map((t) => `${t}_temp_path ${join(dir, t)};`)
        .join(' ')
      await writeFile(
        join(dir, 'nginx.conf'),
        `daemon off; worker_processes 1; pid ${join(dir, 'nginx.pid')}; error_log ${join(dir, 'error.log')} warn;
events { worker_connections 256; }
http { access_log off; ${temp}
${conf}
}
`,
      )
      const user = process.getuid?.() === 0 ? ['-g', 'user root;'] : []
      nginx = spawn(
        'nginx',
        ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log'), ...user],
        {
          stdio: ['ignore', 'ignore', 'inherit'],
        },
      )
      const url = `http://127.0.0.1:${port}/media/${id}/seg-1.m4s`
      let first: Response | undefined
      for (let i = 0; i < 100 && !first; i++) {
        if (nginx.exitCode !== null) throw new Error(`nginx exited with ${nginx.exitCode}`)
        first = await fetch(url).catch(() => undefined)
        if (!first) await new Promise((r) => setTimeout(r, 50))
      }
      expect(first!.status).toBe(200)
      expect(first!.headers.get('x-cache')).toBe('MISS')
      expect(sameBytes(new Uint8Array(await first!.arrayBuffer()), seg)).toBe(true)

      const part = await fetch(url, { headers: { range: 'bytes=100-199' } })
      expect(part.status).toBe(206)
      expect(part.headers.get('x-cache')).toBe('HIT')
      expect(sameBytes(new Uint8Array(await part.arrayBuffer()), seg.subarray(100, 200))).toBe(true)
      // The API itself goes through uncached.
      const health = await fetch(`http://127.0.0.1:${port}/api/health`)
      expect(await health.json()).toEqual({ status: 'ok' })
      expect(health.headers.get('x-cache')).toBeNull()
    })
  })
})
