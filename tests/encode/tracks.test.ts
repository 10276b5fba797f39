/**
 * Planning the tracks beside the picture: what probe() reads of every audio and subtitle track of
 * real files made by native ffmpeg, the AAC renditions (5.1 beside stereo), sidecar names, preview
 * intervals, the uploader's choices, and the ffmpeg command lines both backends run for them.
 */
import { execFile } from 'node:child_process'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { encodeArgs, subtitleArgs } from '../../client/src/encode/ffmpeg-args.ts'
import { planJobs, streamIds } from '../../client/src/encode/jobs.ts'
import { planLadder } from '../../client/src/encode/ladder.ts'
import { applyTrackChoices, planThumbnails, sidecarInfo } from '../../client/src/encode/tracks.ts'
import { initName, mediaName } from '../../server/lib/dash/names.ts'
import {
  ffprobeOutput,
  makeAnimeClip,
  makeChannelsClip,
  makeSurroundClip,
  nativeFfmpeg,
} from '../support/media.ts'
import { suiteTempDir } from '../support/temp-dir.ts'
import { probed, probeNatively } from './support/fixtures.ts'

const dir = suiteTempDir('adh-tracks-')
let anime: Awaited<ReturnType<typeof probeNatively>>
let surround: Awaited<ReturnType<typeof probeNatively>>

beforeAll(async () => {
  const [a, s] = await Promise.all([makeAnimeClip(dir, 'episode.mkv'), makeSurroundClip(dir, 'surround.mp4')])
  ;[anime, surround] = await Promise.all([probeNatively(a), probeNatively(s)])
})

describe('probing every track', () => {
  it('reads both audio tracks and both subtitle tracks of an anime release, with languages, titles and flags', () => {
    expect(anime.audioTracks).toEqual([
      {
        index: 0,
        codec: 'aac',
        channels: 2,
        channelLayout: 'stereo',
        language: 'ja',
        title: 'Japanese',
        default: true,
      },
      {
        index: 1,
        codec: 'aac',
        channels: 2,
        channelLayout: 'stereo',
        language: 'en',
        title: 'English dub',
        default: false,
      },
    ])
    expect(anime.audioLanguage).toBe('ja')
    expect(anime.subtitleTracks).toEqual([
      {
        index: 0,
        codec: 'ass',
        format: 'ass',
        language: 'en',
        title: 'English',
        default: false,
        forced: false,
        hearingImpaired: false,
      },
      {
        index: 1,
        codec: 'subrip',
        format: 'srt',
        language: 'es',
        title: null,
        default: false,
        forced: false,
        hearingImpaired: false,
      },
    ])
  })

  it('lists picture-based subtitles as tracks that cannot be converted', () => {
    const pgs = planLadder(
      probed({
        subtitleTracks: [
          {
            index: 0,
            codec: 'hdmv_pgs_subtitle',
            format: null,
            language: 'en',
            title: null,
            default: true,
            forced: false,
            hearingImpaired: false,
          },
          {
            index: 1,
            codec: 'mov_text',
            format: 'srt',
            language: 'fr',
            title: null,
            default: false,
            forced: true,
            hearingImpaired: false,
          },
        ],
      }),
    )
    expect(pgs.subtitles).toEqual([
      {
        id: 's0',
        source: { kind: 'embedded', index: 1, format: 'srt' },
        language: 'fr',
        label: 'French',
        role: 'forced-subtitle',
      },
    ])
  })
})

describe('planning audio', () => {
  it('keeps every audio track as stereo AAC, the default one main', () => {
    const plan = planLadder(anime)
    expect(
      plan.audio.map((t) => [
        t.id,
        t.source,
        t.language,
        t.label,
        t.main,
        t.renditions.map((r) => `${r.id}:${r.channels}`),
      ]),
    ).toEqual([
      ['a0', 0, 'ja', 'Japanese', true, ['a0:2']],
      ['a1', 1, 'en', 'English dub', false, ['a1:2']],
    ])
  })

  it('adds a 5.1 rendition beside the stereo one for a surround source', () => {
    expect(surround.audioTracks[0]).toMatchObject({ channels: 6, channelLayout: '5.1' })
    const [track] = planLadder(surround).audio
    expect(track!.renditions).toEqual([
      { id: 'a0', codec: 'aac', bitrate: 128_000, sampleRate: 48_000, channels: 2, source: 0 },
      { id: 'a0-6ch', codec: 'aac', bitrate: 320_000, sampleRate: 48_000, channels: 6, source: 0 },
    ])
  })

  it('gives 5.0 a 5.1 rendition too, its five channels kept and the LFE silent', async () => {
    const path = await makeChannelsClip(dir, 'five.mkv', ['mono', '5.0', '5.0(side)'])
    const plan = planLadder(await probeNatively(path))
    expect(plan.audio.map((t) => t.renditions.map((r) => `${r.id}:${r.channels}`))).toEqual([
      ['a0:2'],
      ['a1:2', 'a1-6ch:6'],
      ['a2:2', 'a2-6ch:6'],
    ])
    const job = planJobs(plan, 2, 'renditions').find((j) => j.audio.length > 0)!
    const out = join(dir, 'five')
    await mkdir(out)
    await nativeFfmpeg([
      '-v',
      'error',
      ...encodeArgs(plan, { ...job, renditions: [], thumbnails: false }, { input: path, outDir: out }),
    ])
    for (const id of ['a1-6ch', 'a2-6ch']) {
      // Inside one instance a rendition's files are named by its stream number (jobs.ts renames them).
      const k = String(streamIds({ ...job, renditions: [] }).indexOf(id))
      const joined = join(out, `${id}.mp4`)
      await writeFile(
        joined,
        Buffer.concat([await readFile(join(out, initName(k))), await readFile(join(out, mediaName(k, 1)))]),
      )
      expect(
        await ffprobeOutput([
          '-v',
          'error',
          '-show_entries',
          'stream=channels,channel_layout',
          '-of',
          'csv=p=0',
          joined,
        ]),
      ).toBe('6,5.1\n')
      const stats = await new Promise<string>((resolve, reject) =>
        execFile(
          'ffmpeg',
          [
            '-nostdin',
            '-i',
            joined,
            '-af',
            'astats=measure_perchannel=RMS_level:measure_overall=none',
            '-f',
            'null',
            '-',
          ],
          (error, _, stderr) => (error ? reject(error) : resolve(stderr)),
        ),
      )
      const levels = [...stats.matchAll(/RMS level dB: (\S+)/g)].map((m) =>
        m[1] === '-inf' ? Number.NEGATIVE_INFINITY : Number(m[1]),
      )
      // FL FR FC LFE BL BR: the tone everywhere but on the LFE.
      expect(
        levels.map((db) => (db > -20 ? 'tone' : db === Number.NEGATIVE_INFINITY ? 'silent' : db)),
        id,
      ).toEqual(['tone', 'tone', 'tone', 'silent', 'tone', 'tone'])
    }
  })

  it('leaves a five-channel layout with an LFE (4.1) in stereo: ffmpeg would drop its LFE on the way to 5.1', () => {
    const fourOne = { ...surround.audioTracks[0]!, channels: 5, channelLayout: '4.1' }
    expect(
      planLadder({ ...surround, audioTracks: [fourOne] }).audio[0]!.renditions.map((r) => r.channels),
    ).toEqual([2])
  })

  it('encodes every audio rendition in one instance, each from its own source stream', () => {
    const plan = planLadder({
      ...surround,
      audioTracks: [...surround.audioTracks, { ...anime.audioTracks[1]!, index: 1 }],
    })
    const jobs = planJobs(plan, 2, 'renditions')
    const audio = jobs.find((j) => j.audio.length > 0)!
    expect(streamIds(audio).filter((id) => id.startsWith('a'))).toEqual(['a0', 'a0-6ch', 'a1'])
    const args = encodeArgs(plan, audio, { input: 'in.mp4', outDir: '/out' }).join(' ')
    expect(args).toContain('-map 0:a:0 -map 0:a:0 -map 0:a:1 -c:a aac')
    expect(args).toContain('-b:a:1 320000 -ac:a:1 6')
    expect(args).toContain('-ac:a:2 2')
  })
})

describe('planning subtitles', () => {
  it('copies the embedded text tracks out in one demux, ASS as it is and SubRip as SubRip', () => {
    const plan = planLadder(anime)
    expect(plan.subtitles.map((s) => [s.id, s.language, s.label, s.role])).toEqual([
      ['s0', 'en', 'English', 'subtitle'],
      ['s1', 'es', 'Spanish', 'subtitle'],
    ])
    expect(subtitleArgs(plan, { input: '/in/episode.mkv', outDir: '/out' })).toEqual([
      ...['-hide_banner', '-loglevel', 'info', '-i', '/in/episode.mkv'],
      ...['-map', '0:s:0', '-c:s', 'copy', '/out/subtitle-0.ass'],
      ...['-map', '0:s:1', '-c:s', 'srt', '/out/subtitle-1.srt'],
    ])
    // An instance that encodes copies them in its own pass: one demux for everything.
    const [job, ...others] = planJobs(plan, 2).filter((j) => j.subtitles)
    expect(others).toEqual([])
    expect(encodeArgs(plan, job!, { input: '/in/episode.mkv', outDir: '/out' }).slice(-10)).toEqual([
      ...['-map', '0:s:0', '-c:s', 'copy', '/out/subtitle-0.ass'],
      ...['-map', '0:s:1', '-c:s', 'srt', '/out/subtitle-1.srt'],
    ])
  })

  it('reads the language, forced and SDH flags of sidecar files from their names', () => {
    expect(sidecarInfo('Show - 01.fr.srt', 'Show - 01.mkv')).toEqual({
      format: 'srt',
      language: 'fr',
      label: 'French',
      role: 'subtitle',
      matchesVideo: true,
    })
    expect(sidecarInfo('Show - 01.eng.forced.ass', 'Show - 01.mkv')).toMatchObject({
      language: 'en',
      label: 'English (forced)',
      role: 'forced-subtitle',
    })
    expect(sidecarInfo('Show - 01.pt-BR.sdh.vtt', 'Show - 01.mkv')).toMatchObject({
      language: 'pt-BR',
      role: 'caption',
    })
    expect(sidecarInfo('other.srt', 'Show - 01.mkv')).toMatchObject({
      language: null,
      label: 'other',
      matchesVideo: false,
    })
    expect(sidecarInfo('Show - 01.nfo', 'Show - 01.mkv')).toBeNull()
  })

  it('keeps only the tracks the uploader ticked, with their names, and adds the sidecars', () => {
    const plan = applyTrackChoices(
      planLadder(anime),
      [
        { id: 'a0', keep: false, language: 'ja', label: 'Japanese' },
        { id: 'a1', keep: true, language: 'eng', label: ' English ' },
        { id: 's0', keep: true, language: 'en', label: 'English (full)', role: 'caption' },
        { id: 's1', keep: false, language: 'es', label: 'Spanish' },
      ],
      [
        {
          source: { kind: 'sidecar', name: 'episode.fr.srt', format: 'srt' },
          language: 'fr',
          label: 'French',
          role: 'subtitle',
        },
      ],
    )
    expect(plan.audio.map((t) => [t.id, t.source, t.language, t.label, t.main, t.renditions[0]!.id])).toEqual(
      [['a0', 1, 'en', 'English', true, 'a0']],
    )
    expect(plan.subtitles.map((s) => [s.id, s.source.kind, s.language, s.label, s.role])).toEqual([
      ['s0', 'embedded', 'en', 'English (full)', 'caption'],
      ['s1', 'sidecar', 'fr', 'French', 'subtitle'],
    ])
  })
})

describe('planning previews', () => {
  it('takes one every N seconds, N giving 100 to 400 of them, a whole number of frames apart', () => {
    const at = (seconds: number, fps = { num: 24000, den: 1001 }) => planThumbnails(seconds, fps, 16 / 9)
    expect(at(6, { num: 30, den: 1 })).toMatchObject({
      step: 30,
      interval: 1,
      width: 160,
      height: 90,
      columns: 10,
      rows: 10,
    })
    for (const seconds of [60 * 24, 2 * 3600, 600]) {
      const plan = at(seconds)
      const count = Math.ceil(seconds / plan.interval)
      expect(count, `${seconds} s`).toBeGreaterThanOrEqual(100)
      expect(count, `${seconds} s`).toBeLessThanOrEqual(400)
      expect(Number.isInteger(plan.step)).toBe(true)
    }
    // An episode: every 6 s (144 frames at 23.976), 240 previews.
    expect(at(60 * 24)).toMatchObject({ step: 144, interval: (144 * 1001) / 24000 })
    expect(planThumbnails(60, { num: 30, den: 1 }, 9 / 16)).toMatchObject({ width: 90, height: 160 })
  })

  it('writes the tiles of a slice from ffmpeg.wasm numbered for the whole movie', () => {
    const plan = planLadder(probed({ duration: 13, width: 1280, height: 720 }))
    const slice = planJobs(plan, 3, 'time').find((j) => j.range && j.range.start > 0)!
    const args = encodeArgs(plan, slice, { input: 'in.mp4', outDir: '/out' })
    const graph = args[args.indexOf('-filter_complex') + 1]!
    const first = Math.round(slice.range!.start * 30)
    expect(graph).toContain(
      `select='not(mod(n+${first}\\,30))',scale=160:90:flags=bilinear,setsar=1,format=rgba[tiles]`,
    )
    expect(args.at(-1)).toBe('/out/tile-%06d.rgba')
    expect(args[args.indexOf('-start_number') + 1]).toBe(String(Math.ceil(first / 30)))
  })
})
