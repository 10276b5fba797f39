/** parseProbe on what ffprobe really prints for files people really pick (generated here by native ffmpeg). */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { MediaProbeError } from '../../client/src/encode/errors.ts'
import { looksLikeVideoContainer, unreadableError } from '../../client/src/encode/probe-result.ts'
import { makeClip, makeColourBarsClip, makeTextFile, nativeFfmpeg } from '../support/media.ts'
import { suiteTempDir } from '../support/temp-dir.ts'
import { probed, probeNatively } from './support/fixtures.ts'

const dir = suiteTempDir('adh-probe-')

function probeError(path: string): Promise<MediaProbeError> {
  return probeNatively(path).then(
    () => {
      throw new Error('expected a MediaProbeError')
    },
    (e: MediaProbeError) => e,
  )
}

describe('parseProbe', () => {
  it('reads a plain MP4', async () => {
    const info = await probeNatively(
      await makeClip(dir, 'plain.mp4', { width: 1280, height: 720, seconds: 2, audio: true }),
    )
    // An ordinary camera MP4, as probed() describes one, at this clip's size with mono sound.
    const { duration, size, videoBitrate } = info
    expect(info).toEqual(probed({ width: 1280, height: 720, audioChannels: 1, duration, size, videoBitrate }))
    expect(info.duration).toBeCloseTo(2, 1)
    expect(info.videoBitrate).toBeGreaterThan(0)
  })

  it('reads anamorphic, interlaced Matroska', async () => {
    const path = join(dir, 'dvd.mkv')
    await nativeFfmpeg([
      ...['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=720x576:rate=25', '-t', '1'],
      ...[
        '-vf',
        'setsar=64/45',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-flags',
        '+ildct+ilme',
        '-top',
        '1',
        path,
      ],
    ])
    const info = await probeNatively(path)
    expect(info.sampleAspectRatio).toEqual({ num: 64, den: 45 })
    expect(info.interlaced).toBe(true)
    expect(info.hasAudio).toBe(false)
    expect(info.container).toBe('matroska,webm')
  })

  it('reads the colour tags of a PAL DVD-style clip, and none of an untagged one', async () => {
    const spec = { width: 720, height: 576, seconds: 1 }
    const pal = await probeNatively(await makeColourBarsClip(dir, 'pal.mp4', { ...spec, tags: 'bt470bg' }))
    expect(pal.colour).toEqual({ matrix: 'bt470bg', primaries: 'bt470bg', transfer: 'smpte170m' })
    const untagged = await probeNatively(
      await makeColourBarsClip(dir, 'untagged.mp4', { ...spec, tags: null }),
    )
    expect(untagged.colour).toEqual({ matrix: null, primaries: null, transfer: null })
  })

  it('refuses a still picture', async () => {
    const path = join(dir, 'photo.png')
    await nativeFfmpeg(['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240', '-frames:v', '1', path])
    const error = await probeError(path)
    expect(error.code).toBe('not-video')
    expect(error.message).toMatch(/picture, not a video/)
  })

  it('refuses music, even with album art that looks like a video stream', async () => {
    const cover = join(dir, 'cover.png')
    const song = join(dir, 'song.mp3')
    await nativeFfmpeg(['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=300x300', '-frames:v', '1', cover])
    await nativeFfmpeg([
      ...['-v', 'error', '-f', 'lavfi', '-i', 'sine=duration=1', '-i', cover, '-map', '0', '-map', '1'],
      ...['-c:a', 'libmp3lame', '-c:v', 'png', '-disposition:v', 'attached_pic', song],
    ])
    const error = await probeError(song)
    expect(error.code).toBe('no-video-stream')
    expect(error.message).toMatch(/sound but no picture/)
  })

  it('tells a damaged video from a file that never was one', async () => {
    const clip = await makeClip(dir, 'whole.mp4', { width: 320, height: 240, seconds: 1 })
    const head = new Uint8Array((await readFile(clip)).subarray(0, 512))
    expect(looksLikeVideoContainer(head)).toBe(true)
    expect(unreadableError(head, 'moov atom not found').code).toBe('corrupt')

    const text = new Uint8Array(await readFile(await makeTextFile(dir, 'list.mp4')))
    expect(looksLikeVideoContainer(text.subarray(0, 512))).toBe(false)
    const error = unreadableError(text.subarray(0, 512), 'Invalid data found when processing input')
    expect(error.code).toBe('not-video')
    expect(error.message).toMatch(/not a video/)
    expect(error.detail).toContain('Invalid data')
  })
})
