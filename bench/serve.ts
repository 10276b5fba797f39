/**
 * Serving and upload benchmark (issue 3).
 *
 * 1. Encodes a movie with native ffmpeg (720p + 360p H.264, AAC, 2 s DASH segments), starts the
 *    real Node server (`server/entry.node.ts`, libSQL file, disk store), uploads the movie through
 *    the API and publishes it.
 * 2. Starts nginx on loopback with a temporary config whose root is the Node server's own media
 *    folder: both serve the very same files from disk.
 *    A third nginx, configured as README.md's "Serving many viewers", caches the Node server's
 *    /media responses; it is warmed with one pass over every file before measuring.
 * 3. Loads each with 64 connections cycling over every init and media segment the manifest names
 *    (wrk, or autocannon when wrk is missing) and compares requests/s, MB/s and p99 latency. A bare
 *    node:http server on the same files marks what any Node process can do here.
 * 4. PUTs a ~200 MB set of segment-sized files through the upload API (SHA-256 checked, fsynced)
 *    and, for scale, through nginx's WebDAV PUT (no hash, no fsync), 4 uploads at a time.
 *
 *   npm run bench:serve                   # 20 s per serving row
 *   npm run bench:serve -- --seconds 3    # a quick look
 * @module
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { closeSync, fstatSync, openSync, read } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { openLibsqlDb } from '../db/client.libsql.ts'
import { createPasswordHasher } from '../server/auth/password.ts'
import { nodeScrypt } from '../server/auth/scrypt.node.ts'
import { createApiToken } from '../server/auth/tokens.ts'
import { DEFAULT_CONFIG } from '../server/env.ts'
import { mpdFiles, parseMpd } from '../server/lib/dash/index.ts'
import { createUser } from '../server/services/users.ts'
import { memoryBlobStore } from '../server/storage/memory.ts'
import { fmt, freePort, hasWrk, type LoadResult, load, startNodeServer, table, wrk } from './lib.ts'

const run = promisify(execFile)
const argSeconds = process.argv.indexOf('--seconds')
const SECONDS = Number(argSeconds > 0 ? process.argv[argSeconds + 1] : (process.env.BENCH_SECONDS ?? 20))
const CONNECTIONS = 64
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4)
const UPLOAD_FILES = Number(process.env.BENCH_UPLOAD_FILES ?? 100)
const UPLOAD_FILE_BYTES = 2 * 1024 * 1024
const UPLOAD_CONCURRENCY = 4
const MOVIE_SECONDS = 30

type Row = LoadResult

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'adh-bench-serve-'))
  const children: ChildProcess[] = []
  const stop = () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM')
  }
  process.on('SIGINT', () => {
    stop()
    process.exit(130)
  })
  try {
    console.error(`encoding a ${MOVIE_SECONDS} s movie with native ffmpeg…`)
    const src = join(dir, 'src')
    await encode(src)

    const dbUrl = `file:${join(dir, 'app.db')}`
    const token = await seedAdmin(dbUrl)
    const media = join(dir, 'media')
    const node = await startNodeServer({
      DATABASE_URL: dbUrl,
      MEDIA_DIR: media,
      CLIENT_DIR: join(dir, 'no-client'),
    })
    children.push(node.proc)
    const auth = { authorization: `Bearer ${token}` }

    const id = await createMovie(node.url, auth, 'Bench movie')
    const srcFiles = (await readdirSorted(src)).filter((f) => f.endsWith('.mpd') || f.endsWith('.m4s'))
    for (const f of srcFiles)
      await putFile(node.url, auth, id, f, new Uint8Array(await readFile(join(src, f))))
    const published = await fetch(`${node.url}/api/movies/${id}/publish`, { method: 'POST', headers: auth })
    if (published.status !== 200)
      throw new Error(`publish failed: ${published.status} ${await published.text()}`)

    const manifest = await readFile(join(src, 'manifest.mpd'))
    const paths = mpdFiles(parseMpd(manifest)).map((p) => `/media/${id}/${p}`)
    const sizes = await Promise.all(
      paths.map(async (p) => (await readFile(join(src, p.split('/').pop()!))).byteLength),
    )
    const meanKiB = sizes.reduce((a, b) => a + b, 0) / sizes.length / 1024

    const nginxPort = await freePort()
    const nginxDir = join(dir, 'nginx')
    const nginxOne = await startNginx(nginxDir, nginxPort, join(media, 'movies', id), id, 1)
    children.push(nginxOne)
    await verifySame(node.url, `http://127.0.0.1:${nginxPort}`, paths)

    const ceiling = await startBareNode(join(media, 'movies', id), id)
    await verifySame(node.url, ceiling.url, paths)

    const nginxAutoPort = await freePort()
    const nginxAuto = await startNginx(
      join(dir, 'nginx-auto'),
      nginxAutoPort,
      join(media, 'movies', id),
      id,
      'auto',
    )
    children.push(nginxAuto)

    const cachePort = await freePort()
    const nginxCache = await startNginxCache(join(dir, 'nginx-cache'), cachePort, node.url)
    children.push(nginxCache)
    const cacheUrl = `http://127.0.0.1:${cachePort}`
    // Twice: the first pass fills the cache, the second must be served from it.
    await verifySame(node.url, cacheUrl, paths)
    await verifySame(node.url, cacheUrl, paths)
    const hit = await fetch(cacheUrl + paths[0])
    if (hit.headers.get('x-cache') !== 'HIT') throw new Error(`the cache did not keep ${paths[0]}`)

    const tool = (await hasWrk()) ? 'wrk' : 'autocannon'
    const loadBefore = loadavg()
    console.error(
      `serving ${paths.length} segments (mean ${fmt(meanKiB)} KiB) with ${tool}, ${CONNECTIONS} connections, ` +
        `${ROUNDS} rounds × ${fmt(SECONDS / ROUNDS)} s per server…`,
    )
    const [nodeRow, ceilingRow, nginxRow, nginxAutoRow, cacheRow] = (await measureInRounds(tool, paths, [
      node.url,
      ceiling.url,
      `http://127.0.0.1:${nginxPort}`,
      `http://127.0.0.1:${nginxAutoPort}`,
      cacheUrl,
    ])) as [Row, Row, Row, Row, Row]
    ceiling.close()
    nginxOne.kill('SIGTERM')
    const loadAfter = loadavg()

    console.error(
      `uploading ${UPLOAD_FILES} × ${UPLOAD_FILE_BYTES / 1024 / 1024} MiB, ${UPLOAD_CONCURRENCY} at a time…`,
    )
    const uploads = Array.from({ length: UPLOAD_FILES }, (_, i) => ({
      name: `chunk-${String(i + 1).padStart(5, '0')}.m4s`,
      bytes: new Uint8Array(randomBytes(UPLOAD_FILE_BYTES)),
    }))
    const uploadId = await createMovie(node.url, auth, 'Upload bench')
    const nodeUpload = await timeUploads(uploads, (f) => putFile(node.url, auth, uploadId, f.name, f.bytes))
    const nginxUpload = await timeUploads(uploads, (f) =>
      davPut(`http://127.0.0.1:${nginxAutoPort}/upload/${f.name}`, f.bytes),
    )

    const row = (name: string, r: Row, ref: Row) => [
      name,
      fmt(r.rps, 0),
      fmt(r.rps / ref.rps, 2),
      fmt(r.mbps, 1),
      fmt(r.mbps / ref.mbps, 2),
      fmt(r.p99, 1),
      `${r.errors}/${r.non2xx}`,
    ]
    const totalMB = (UPLOAD_FILES * UPLOAD_FILE_BYTES) / 1e6
    console.log(
      `\nSegment GETs: ${paths.length} init and media segments (mean ${fmt(meanKiB)} KiB), ${CONNECTIONS} connections, ` +
        `${SECONDS} s per server in ${ROUNDS} interleaved rounds, ${tool}; ratios against nginx with 1 worker. ` +
        `Load average before/after: ${loadBefore.map((l) => fmt(l, 1)).join(' ')} / ${loadAfter.map((l) => fmt(l, 1)).join(' ')}\n`,
    )
    console.log(
      table(
        ['server', 'req/s', '× nginx', 'MB/s', '× nginx', 'p99 ms', 'errors/non-2xx'],
        [
          row('Node (entry.node.ts, 1 process)', nodeRow, nginxRow),
          row('bare node:http, cached fd + pread, no checks (Node ceiling)', ceilingRow, nginxRow),
          row('nginx 1.22, 1 worker, sendfile', nginxRow, nginxRow),
          row('nginx 1.22, worker_processes auto (2)', nginxAutoRow, nginxRow),
          row('Node behind nginx proxy_cache (README deployment), warm cache', cacheRow, nginxRow),
        ],
      ),
    )
    console.log(
      `\nUploads: ${UPLOAD_FILES} files × 2 MiB = ${fmt(totalMB, 0)} MB, ${UPLOAD_CONCURRENCY} PUTs at a time\n`,
    )
    console.log(
      table(
        ['server', 'MB/s', 'files/s', '× nginx'],
        [
          [
            'Node PUT /api/movies/:id/files (SHA-256 checked, fsync)',
            fmt(totalMB / nodeUpload, 1),
            fmt(UPLOAD_FILES / nodeUpload, 1),
            fmt(nginxUpload / nodeUpload, 2),
          ],
          [
            'nginx WebDAV PUT (no hash, no fsync)',
            fmt(totalMB / nginxUpload, 1),
            fmt(UPLOAD_FILES / nginxUpload, 1),
            '1.00',
          ],
        ],
      ),
    )
  } finally {
    stop()
    await rm(dir, { recursive: true, force: true })
  }
}

async function encode(out: string) {
  await mkdir(out, { recursive: true })
  await run('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'],
    ...['-f', 'lavfi', '-i', `testsrc2=size=1280x720:rate=30:duration=${MOVIE_SECONDS}`],
    ...['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${MOVIE_SECONDS}`],
    ...['-map', '0:v', '-map', '0:v', '-map', '1:a'],
    ...[
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-force_key_frames',
      'expr:gte(t,n_forced*2)',
      '-sc_threshold',
      '0',
    ],
    ...['-s:v:0', '1280x720', '-b:v:0', '2500k', '-maxrate:v:0', '2500k', '-bufsize:v:0', '5000k'],
    ...['-s:v:1', '640x360', '-b:v:1', '800k', '-maxrate:v:1', '800k', '-bufsize:v:1', '1600k'],
    ...['-c:a', 'aac', '-b:a', '128k', '-threads', '2'],
    ...['-seg_duration', '2', '-use_template', '1', '-use_timeline', '1'],
    ...['-adaptation_sets', 'id=0,streams=v id=1,streams=a', '-f', 'dash', join(out, 'manifest.mpd')],
  ])
}

async function seedAdmin(url: string): Promise<string> {
  const { db, close } = await openLibsqlDb({ url })
  const deps = {
    db,
    blobs: memoryBlobStore(),
    passwords: createPasswordHasher(nodeScrypt),
    config: DEFAULT_CONFIG,
  }
  const user = await createUser(deps, { username: 'bench', password: 'bench-password-1', role: 'admin' })
  const { token } = await createApiToken(deps, user.id, 'bench')
  close()
  return token
}

async function createMovie(base: string, auth: Record<string, string>, name: string): Promise<string> {
  const res = await fetch(`${base}/api/movies`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  })
  if (res.status !== 201) throw new Error(`create failed: ${res.status}`)
  return ((await res.json()) as { id: string }).id
}

const hashes = new WeakMap<Uint8Array, string>()
async function sha256(bytes: Uint8Array): Promise<string> {
  let h = hashes.get(bytes)
  if (!h) {
    h = Buffer.from(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)).toString('hex')
    hashes.set(bytes, h)
  }
  return h
}

async function putFile(
  base: string,
  auth: Record<string, string>,
  id: string,
  path: string,
  bytes: Uint8Array,
) {
  const res = await fetch(`${base}/api/movies/${id}/files/${path}`, {
    method: 'PUT',
    headers: { ...auth, 'x-content-sha256': await sha256(bytes) },
    body: bytes as Uint8Array<ArrayBuffer>,
  })
  if (res.status !== 201 && res.status !== 200)
    throw new Error(`PUT ${path}: ${res.status} ${await res.text()}`)
  await res.arrayBuffer()
}

async function davPut(url: string, bytes: Uint8Array) {
  const res = await fetch(url, { method: 'PUT', body: bytes as Uint8Array<ArrayBuffer> })
  if (res.status !== 201 && res.status !== 204) throw new Error(`nginx PUT: ${res.status}`)
  await res.arrayBuffer()
}

/** Seconds to upload every file, `UPLOAD_CONCURRENCY` at a time. Hashes are computed beforehand: a client has them already. */
async function timeUploads<T extends { bytes: Uint8Array }>(
  files: T[],
  put: (f: T) => Promise<void>,
): Promise<number> {
  for (const f of files) await sha256(f.bytes)
  const queue = [...files]
  const started = performance.now()
  await Promise.all(
    Array.from({ length: UPLOAD_CONCURRENCY }, async () => {
      for (let f = queue.shift(); f; f = queue.shift()) await put(f)
    }),
  )
  return (performance.now() - started) / 1000
}

async function verifySame(a: string, b: string, paths: string[]) {
  for (const p of paths) {
    const [x, y] = await Promise.all([fetch(a + p), fetch(b + p)])
    const [bx, by] = [Buffer.from(await x.arrayBuffer()), Buffer.from(await y.arrayBuffer())]
    if (x.status !== 200 || y.status !== 200 || !bx.equals(by)) throw new Error(`servers disagree on ${p}`)
  }
}

async function startNginx(prefix: string, port: number, root: string, id: string, workers: number | 'auto') {
  return runNginx(
    prefix,
    workers,
    '',
    `    listen 127.0.0.1:${port};
    location /media/${id}/ {
      alias ${root}/;
      add_header Cache-Control "public, max-age=31536000, immutable";
      add_header Access-Control-Allow-Origin "*";
    }
    location /upload/ {
      root ${prefix};
      dav_methods PUT;
      create_full_put_path on;
      client_max_body_size 0;
    }`,
    port,
  )
}

/**
 * nginx as a caching reverse proxy in front of the Node server: the deployment README.md
 * recommends for many viewers, with the same directives (paths and ports aside).
 */
async function startNginxCache(prefix: string, port: number, upstream: string) {
  const cache = join(prefix, 'cache')
  return runNginx(
    prefix,
    1,
    `  proxy_cache_path ${cache} levels=1:2 keys_zone=adh_media:10m max_size=50g inactive=30d use_temp_path=off;
  upstream adh { server ${new URL(upstream).host}; keepalive 32; }`,
    `    listen 127.0.0.1:${port};
    client_max_body_size 300m;
    location / {
      proxy_pass http://adh;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_request_buffering off;
    }
    location /media/ {
      proxy_pass http://adh;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_cache adh_media;
      proxy_cache_key $uri;
      proxy_cache_lock on;
      proxy_cache_revalidate on;
      add_header X-Cache $upstream_cache_status always;
    }`,
    port,
  )
}

async function runNginx(
  prefix: string,
  workers: number | 'auto',
  http: string,
  server: string,
  port: number,
) {
  await mkdir(prefix, { recursive: true })
  const conf = join(prefix, 'nginx.conf')
  await writeFile(
    conf,
    `daemon off;
worker_processes ${workers};
pid ${join(prefix, 'nginx.pid')};
error_log ${join(prefix, 'error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path ${join(prefix, 'body')};
  proxy_temp_path ${join(prefix, 'proxy')};
  fastcgi_temp_path ${join(prefix, 'fastcgi')};
  uwsgi_temp_path ${join(prefix, 'uwsgi')};
  scgi_temp_path ${join(prefix, 'scgi')};
  types { application/dash+xml mpd; video/iso.segment m4s; video/mp4 mp4; }
${http}
  server {
${server}
  }
}
`,
  )
  // Run as the invoking user, so the workers can read the store and write the upload folder.
  const user = process.getuid?.() === 0 ? ['-g', 'user root;'] : []
  const proc = spawn('nginx', ['-p', prefix, '-c', conf, '-e', join(prefix, 'error.log'), ...user], {
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  for (let i = 0; i < 100; i++) {
    if (proc.exitCode !== null) throw new Error(`nginx exited with ${proc.exitCode}`)
    try {
      await fetch(`http://127.0.0.1:${port}/`)
      return proc
    } catch {}
    await new Promise((r) => setTimeout(r, 50))
  }
  proc.kill()
  throw new Error('nginx did not start')
}

/**
 * The least a Node process can do per segment: node:http, an fd kept open per file, one pread into
 * a buffer, fixed headers; no routing, auth, lookup, validation or streaming. It shows how much of
 * the gap to nginx is Node itself rather than this app.
 */
async function startBareNode(root: string, id: string): Promise<{ url: string; close: () => void }> {
  const fds = new Map<string, { fd: number; size: number }>()
  const server = createServer((req, res) => {
    const name = (req.url ?? '').slice(`/media/${id}/`.length)
    let file = fds.get(name)
    if (!file) {
      const fd = openSync(join(root, name), 'r')
      file = { fd, size: fstatSync(fd).size }
      fds.set(name, file)
    }
    const { fd, size } = file
    const buf = Buffer.allocUnsafe(size)
    read(fd, buf, 0, size, 0, (err) => {
      if (err) return void res.writeHead(500).end()
      res.writeHead(200, { 'content-type': 'video/iso.segment', 'content-length': size }).end(buf)
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.close()
      server.closeAllConnections()
      for (const { fd } of fds.values()) closeSync(fd)
    },
  }
}

/**
 * Measures every server in turns: ROUNDS rounds, each giving every server SECONDS / ROUNDS, in a
 * rotating order. Other work on a shared machine then falls on all of them alike instead of
 * on whichever happened to run at a bad moment. Requests/s and MB/s are means over the rounds;
 * p99 is the median of the rounds' p99s.
 */
async function measureInRounds(tool: string, paths: string[], urls: string[]): Promise<Row[]> {
  const slice = SECONDS / ROUNDS
  const runs: Row[][] = urls.map(() => [])
  for (const url of urls) await once(tool, url, paths, 2)
  for (let round = 0; round < ROUNDS; round++) {
    for (let k = 0; k < urls.length; k++) {
      const i = (k + round) % urls.length
      runs[i]!.push(await once(tool, urls[i]!, paths, slice))
    }
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  return runs.map((rs) => ({
    rps: mean(rs.map((r) => r.rps)),
    mbps: mean(rs.map((r) => r.mbps)),
    p50: median(rs.map((r) => r.p50)),
    p99: median(rs.map((r) => r.p99)),
    errors: rs.reduce((n, r) => n + r.errors, 0),
    non2xx: rs.reduce((n, r) => n + r.non2xx, 0),
  }))
}

function once(tool: string, base: string, paths: string[], seconds: number): Promise<Row> {
  return tool === 'wrk'
    ? wrk({ url: base, paths, connections: CONNECTIONS, seconds })
    : load({ url: base, paths, connections: CONNECTIONS, seconds })
}

async function readdirSorted(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort()
}

await main()
