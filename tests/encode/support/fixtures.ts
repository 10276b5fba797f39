/** Probe results for the engine's planning code: made up (`probed`) or read from a real file (`probeNatively`). @module */
import { stat } from 'node:fs/promises'
import { probeArgs } from '../../../client/src/encode/ffmpeg-args.ts'
import { parseProbe } from '../../../client/src/encode/probe-result.ts'
import type { ProbeResult } from '../../../client/src/encode/types.ts'
import { ffprobeOutput } from '../../support/media.ts'

const LAYOUTS: Record<number, string> = { 1: 'mono', 2: 'stereo', 6: '5.1' }

/**
 * What probe() reports for an ordinary 1080p30 phone or camera MP4, with fields overridable. Its one
 * audio track follows `hasAudio`, `audioChannels` and `audioLanguage` unless `audioTracks` is given.
 */
export function probed(over: Partial<ProbeResult> = {}): ProbeResult {
  const base: Omit<ProbeResult, 'audioTracks'> = {
    duration: 60,
    width: 1920,
    height: 1080,
    rotation: 0,
    sampleAspectRatio: { num: 1, den: 1 },
    fps: 30,
    interlaced: false,
    // Untagged, as most files from x264 without options are.
    colour: { matrix: null, primaries: null, transfer: null },
    videoCodec: 'h264',
    audioCodec: 'aac',
    hasAudio: true,
    audioChannels: 2,
    audioLanguage: null,
    subtitleTracks: [],
    videoBitrate: null,
    size: 50_000_000,
    container: 'mov,mp4,m4a,3gp,3g2,mj2',
    ...over,
  }
  const audioTracks = base.hasAudio
    ? [
        {
          index: 0,
          codec: base.audioCodec ?? 'aac',
          channels: base.audioChannels,
          channelLayout: LAYOUTS[base.audioChannels] ?? null,
          language: base.audioLanguage,
          title: null,
          default: true,
        },
      ]
    : []
  return { ...base, audioTracks: over.audioTracks ?? audioTracks }
}

/** parseProbe on what native ffprobe prints for the engine's own probe command (throws its MediaProbeError). */
export async function probeNatively(path: string): Promise<ProbeResult> {
  return parseProbe(await ffprobeOutput(probeArgs(path)), (await stat(path)).size)
}
