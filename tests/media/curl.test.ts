/**
 * The README's "Upload a movie with curl" recipe, run verbatim with bash, curl and native ffmpeg
 * against the real server: if this passes, the documented commands work.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { fsBlobStore } from '../../server/storage/fs.ts'
import { startTestServer, type TestServer } from './server.ts'

const run = promisify(execFile)

/** Exactly the README text (after `export ADH=… TOKEN=…`), from `cd` to the last echo. */
const README_RECIPE = `# 1. Encode: two H.264 renditions (16:9 sizes) and AAC in 2 s DASH segments, plus a poster
mkdir -p movie && cd movie
ffmpeg -i ../input.mp4 -map 0:v:0 -map 0:v:0 -map 0:a:0 \\
  -c:v libx264 -preset veryfast -force_key_frames "expr:gte(t,n_forced*2)" -sc_threshold 0 \\
  -s:v:0 1280x720 -b:v:0 2500k -s:v:1 640x360 -b:v:1 800k \\
  -c:a aac -b:a 128k \\
  -seg_duration 2 -use_template 1 -use_timeline 1 \\
  -adaptation_sets "id=0,streams=v id=1,streams=a" \\
  -f dash manifest.mpd
ffmpeg -ss 1 -i ../input.mp4 -frames:v 1 poster.jpg

# 2. Create a draft movie and keep its id
ID=$(curl -fsS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\
  -d '{"name":"My movie"}' "$ADH/api/movies" | node -pe 'JSON.parse(require("fs").readFileSync(0)).id')

# 3. Upload every file; run the loop again to resume (files already stored answer 200)
for f in manifest.mpd *.m4s poster.jpg; do
  curl -fsS -o /dev/null -T "$f" -H "Authorization: Bearer $TOKEN" \\
    -H "x-content-sha256: $(sha256sum "$f" | cut -d' ' -f1)" \\
    "$ADH/api/movies/$ID/files/$f" || echo "upload failed: $f"
done

# 4. Publish: a 422 lists every file the manifest names that is not uploaded yet
curl -sS --fail-with-body -X POST -H "Authorization: Bearer $TOKEN" "$ADH/api/movies/$ID/publish"
echo

# 5. The manifest URL, for dash.js or any other DASH player
echo "$ADH/media/$ID/manifest.mpd"
`

let s: TestServer
let work: string

beforeAll(async () => {
  s = await startTestServer({ blobs: (dir) => fsBlobStore(dir) })
  work = await mkdtemp(join(tmpdir(), 'adh-curl-'))
  // The reader's own video; here two seconds of test pattern with a tone, 16:9.
  await run('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'],
    ...['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30:duration=2'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=2'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-shortest', join(work, 'input.mp4')],
  ])
})
afterAll(async () => {
  await s?.close()
  await rm(work, { recursive: true, force: true })
})

it('uploads, publishes and streams a movie with the README’s curl recipe', async () => {
  const token = await s.tokenFor(await s.createUser('curler'))
  const { stdout, stderr } = await run('bash', ['-euo', 'pipefail', '-c', README_RECIPE], {
    cwd: work,
    env: { ...process.env, ADH: s.base, TOKEN: token, FFREPORT: '' },
    maxBuffer: 16 * 1024 * 1024,
  })
  expect(stdout).not.toContain('upload failed')
  const lines = stdout.trim().split('\n')
  const movie = JSON.parse(lines.at(-2)!) as { status: string; renditions: { height?: number }[] }
  expect(movie.status).toBe('ready')
  expect(movie.renditions.map((r) => r.height ?? null)).toEqual([720, 360, null])
  const manifestUrl = lines.at(-1)!
  expect(manifestUrl).toMatch(new RegExp(`^${s.base}/media/[A-Za-z0-9]{16}/manifest\\.mpd$`))
  const manifest = await fetch(manifestUrl)
  expect(manifest.status).toBe(200)
  expect(await manifest.text()).toContain('<MPD')
  expect(stderr).not.toMatch(/curl: \(\d+\)/)
})
