import type { ProbeResult } from '../../../client/src/encode/types.ts'

/** What probe() reports for an ordinary 1080p30 phone or camera MP4, with fields overridable. */
export function probed(over: Partial<ProbeResult> = {}): ProbeResult {
  return {
    duration: 60,
    width: 1920,
    height: 1080,
    rotation: 0,
    sampleAspectRatio: { num: 1, den: 1 },
    fps: 30,
    interlaced: false,
    videoCodec: 'h264',
    audioCodec: 'aac',
    hasAudio: true,
    audioChannels: 2,
    audioLanguage: null,
    videoBitrate: null,
    size: 50_000_000,
    container: 'mov,mp4,m4a,3gp,3g2,mj2',
    ...over,
  }
}
