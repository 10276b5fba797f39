/**
 * The engine's command lines, file renaming and manifest merge, run with native ffmpeg (fast) instead
 * of ffmpeg.wasm: the same split into parallel jobs, the same per-job arguments, the same merge.
 * The browser suite (engine.e2e.test.ts) runs the real thing in Chromium.
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { encodeArgs, POSTER_RAW, posterArgs } from '../../client/src/encode/ffmpeg-args.ts'
import { shiftFragmentTime } from '../../client/src/encode/fmp4.ts'
import { type EncodeJob, planJobs, renameOutput, type SplitStrategy } from '../../client/src/encode/jobs.ts'
import { planLadder } from '../../client/src/encode/ladder.ts'
import { mergeJobManifests } from '../../client/src/encode/merge.ts'
import type { LadderPlan } from '../../client/src/encode/types.ts'
import { type ClipSpec, makeClip, nativeFfmpeg } from '../support/media.ts'
import { suiteTempDir } from '../support/temp-dir.ts'
import { expectValidLadder } from './support/check-dash.ts'
import { probeNatively } from './support/fixtures.ts'

const dir = suiteTempDir('adh-native-')

/** Encodes like the browser engine does, with native ffmpeg in place of the wasm workers. */
async function encodeNatively(
  source: string,
  plan: LadderPlan,
  workers: number,
  split: SplitStrategy,
  out: string,
): Promise<EncodeJob[]> {
  await mkdir(out, { recursive: true })
  const jobs = planJobs(plan, workers, split)
  const manifests = new Map<string, string>()
  const sizes = new Map<string, number>()
  await Promise.all(
    jobs.map(async (job) => {
      const jobDir = join(out, `.${job.id}`)
      await mkdir(jobDir)
      if (job.poster) {
        await nativeFfmpeg(posterArgs(plan, { input: source, outDir: jobDir }))
        // The browser turns these pixels into a JPEG with its own encoder; here ffmpeg does it.
        const size = `${plan.poster.width}x${plan.poster.height}`
        await nativeFfmpeg([
          '-f',
          'rawvideo',
          '-pix_fmt',
          'rgba',
          '-s',
          size,
          '-i',
          join(jobDir, POSTER_RAW),
          join(out, 'poster.jpg'),
        ])
      }
      await nativeFfmpeg(encodeArgs(plan, job, { input: source, outDir: jobDir }))
      for (const name of await readdir(jobDir)) {
        const target = renameOutput(job, name)
        if (!target || target.kind === 'poster') continue
        if (target.kind === 'instance-manifest') {
          manifests.set(job.id, await readFile(join(jobDir, name), 'utf8'))
          continue
        }
        const bytes = await readFile(join(jobDir, name))
        // What the browser engine does to a later slice's segments, as they come out.
        if (target.kind === 'segment' && job.range && job.range.start > 0) {
          shiftFragmentTime(bytes, Math.round(job.range.start * plan.videoTimescale))
        }
        await writeFile(join(out, target.path), bytes)
        sizes.set(target.path, bytes.byteLength)
      }
    }),
  )
  await writeFile(join(out, 'manifest.mpd'), mergeJobManifests(plan, jobs, manifests, sizes))
  return jobs
}

const cases: {
  name: string
  clip: ClipSpec
  sizes: string[]
  workers: number
  split: SplitStrategy
  slices?: number
}[] = [
  {
    name: '720p with audio, split by rendition over two instances',
    clip: { width: 1280, height: 720, seconds: 6, audio: true },
    sizes: ['1280x720', '854x480', '640x360', '426x240'],
    workers: 2,
    split: 'renditions',
  },
  {
    name: '720p with audio, sliced in time over three instances',
    clip: { width: 1280, height: 720, seconds: 13, audio: true },
    sizes: ['1280x720', '854x480', '640x360', '426x240'],
    workers: 3,
    split: 'time',
    slices: 3,
  },
  {
    name: 'a rotated phone clip, split over three instances',
    clip: { width: 640, height: 360, seconds: 5, audio: true, rotate: 90 },
    sizes: ['360x640', '240x426'],
    workers: 3,
    split: 'auto',
  },
  {
    name: 'a silent 59.94 fps clip with half-rate low rungs, sliced in time',
    clip: { width: 854, height: 480, seconds: 8.5, fps: 60000 / 1001 },
    sizes: ['854x480', '640x360', '426x240'],
    workers: 2,
    split: 'time',
    slices: 2,
  },
]

describe('the engine pipeline with native ffmpeg', () => {
  for (const c of cases) {
    it(`produces a valid, aligned ladder: ${c.name}`, async () => {
      const name = c.name.replace(/\W+/g, '-')
      const source = await makeClip(dir, `${name}.mp4`, c.clip)
      const info = await probeNatively(source)
      // A quarter turn either way; which way is ffmpeg's business (autorotate applies it).
      if (c.clip.rotate) expect([90, 270]).toContain(info.rotation)
      expect(info.hasAudio).toBe(Boolean(c.clip.audio))
      // Preview tiles are packed into sprite sheets by the page's pipeline, not by the jobs' manifests
      // merged here: this suite checks the ladder the jobs make.
      const plan = { ...planLadder(info), thumbnails: null }
      expect(plan.renditions.map((r) => `${r.width}x${r.height}`)).toEqual(c.sizes)
      const out = join(dir, name)
      const jobs = await encodeNatively(source, plan, c.workers, c.split, out)
      if (c.slices) expect(jobs.filter((j) => j.range)).toHaveLength(c.slices)
      const report = await expectValidLadder(out, plan)
      expect(report.segmentsPerRendition).toBe(Math.ceil(c.clip.seconds / plan.segmentDuration - 0.01))
    }, 240_000)
  }
})
