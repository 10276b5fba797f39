/**
 * The README's "Upload a movie with curl" recipe, run verbatim with bash, curl and native ffmpeg
 * against the real server: if this passes, the documented commands work.
 */
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startTestServer, type TestServer } from '../support/app.ts'
import { makeClip } from '../support/media.ts'
import { suiteTempDir } from '../support/temp-dir.ts'

const run = promisify(execFile)

/** The recipe as the README has it: the sh block of its "Upload a movie with curl" section that runs ffmpeg. */
async function readmeRecipe(): Promise<string> {
  const readme = await readFile(resolve(import.meta.dirname, '../../README.md'), 'utf8')
  const start = readme.indexOf('## Upload a movie with curl')
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1))
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!)
  const recipe = blocks.find((b) => b.includes('ffmpeg -i'))
  if (start < 0 || !recipe) throw new Error('README.md has no curl recipe')
  return recipe
}

let s: TestServer
const work = suiteTempDir('adh-curl-')

beforeAll(async () => {
  s = await startTestServer({ blobs: 'fs' })
  // The reader's own video; here two seconds of test pattern with a tone, 16:9.
  await makeClip(work, 'input.mp4', { width: 1280, height: 720, seconds: 2, audio: true })
})
afterAll(() => s?.close())

it('uploads, publishes and streams a movie with the README’s curl recipe', async () => {
  const token = await s.tokenFor(await s.createUser('curler'))
  const { stdout, stderr } = await run('bash', ['-euo', 'pipefail', '-c', await readmeRecipe()], {
    cwd: work,
    env: { ...process.env, ADH: s.url, TOKEN: token, FFREPORT: '' },
    maxBuffer: 16 * 1024 * 1024,
  })
  expect(stdout).not.toContain('upload failed')
  const lines = stdout.trim().split('\n')
  const movie = JSON.parse(lines.at(-2)!) as { status: string; renditions: { height?: number }[] }
  expect(movie.status).toBe('ready')
  expect(movie.renditions.map((r) => r.height ?? null)).toEqual([720, 360, null])
  const manifestUrl = lines.at(-1)!
  expect(manifestUrl).toMatch(new RegExp(`^${s.url}/media/[A-Za-z0-9]{16}/manifest\\.mpd$`))
  const manifest = await fetch(manifestUrl)
  expect(manifest.status).toBe(200)
  expect(await manifest.text()).toContain('<MPD')
  expect(stderr).not.toMatch(/curl: \(\d+\)/)
})
