/**
 * @module Files that end early. A copy or download cut off midway still has its header when that
 * comes first (MP4's `moov` in a "fast start" file, as phones and editors write them), so ffprobe
 * reports the length the header declares, while the media data stops sooner: the published movie
 * would run its declared length with a frozen picture and silence after the cut. This finds how
 * much of each track's data is really in the file, from the header's own index: a track's last
 * packet whose bytes the file holds, found by bisecting on time (a few dozen small reads).
 *
 * Only MP4 and QuickTime files are checked: their index says where every packet is without reading
 * the media. A cut-off Matroska file has no index to compare with.
 */
import { BlobSource, EncodedPacketSink, Input, type InputTrack, MP4, QTFF } from 'mediabunny'
import { MediaProbeError } from './errors.ts'
import type { ProbeResult } from './types.ts'

/** Shorter than declared by more than this, the file ends early (rounding and priming stay below). */
const TOLERANCE_SECONDS = 0.5
/** Bisection steps: the declared length over 2^24 is well under a frame for any movie. */
const STEPS = 24

/**
 * Where the data of `track` ends in the file, in seconds, and whether it is cut off: the end of its
 * last packet if the file holds that one, else of the last one the file holds.
 */
async function readableEnd(track: InputTrack): Promise<{ end: number; cut: boolean }> {
  const sink = new EncodedPacketSink(track)
  // getPacket answers null for a packet whose bytes lie beyond the end of the file.
  const last = await sink.getPacket(Number.POSITIVE_INFINITY)
  if (last) return { end: last.timestamp + last.duration, cut: false }
  const first = await sink.getFirstPacket({ metadataOnly: true })
  if (!first || !(await sink.getPacket(first.timestamp))) return { end: 0, cut: true }
  let lo = first.timestamp
  let hi = await track.computeDuration()
  for (let i = 0; i < STEPS && hi - lo > 1e-4; i++) {
    const mid = (lo + hi) / 2
    if (await sink.getPacket(mid)) lo = mid
    else hi = mid
  }
  const packet = await sink.getPacket(lo)
  return { end: packet ? packet.timestamp + packet.duration : 0, cut: true }
}

/**
 * The probe with `duration` shortened to where the file stops (the earliest end of a track cut off:
 * its picture or a sound track) and `truncated` saying what it declared, when an MP4 or QuickTime
 * file ends early; the probe as it was otherwise (or when the file cannot be read this way). A
 * track that is merely shorter than the others, all of it there, shortens nothing.
 * @throws MediaProbeError when the file stops before its first picture
 */
export async function withReadableLength(file: Blob, probe: ProbeResult): Promise<ProbeResult> {
  if (!/\b(mov|mp4)\b/.test(probe.container)) return probe
  const input = new Input({ source: new BlobSource(file), formats: [MP4, QTFF] })
  let video: { end: number; cut: boolean }
  let sound: { end: number; cut: boolean }[]
  try {
    const picture = await input.getPrimaryVideoTrack()
    if (!picture) return probe
    video = await readableEnd(picture)
    sound = await Promise.all((await input.getAudioTracks()).map(readableEnd))
  } catch {
    // Not readable this way (mediabunny refuses what ffprobe reads): nothing to compare with.
    return probe
  } finally {
    input.dispose()
  }
  if (video.end <= 0) {
    throw new MediaProbeError(
      'corrupt',
      'This video is incomplete: the file stops before its first picture. Copy or download it again.',
    )
  }
  // A sound track cut off before it starts (stored after the picture) is left to the encoder.
  const cut = [video, ...sound].filter((t) => t.cut && t.end > 0).map((t) => t.end)
  if (cut.length === 0) return probe
  const readable = Math.min(...cut)
  if (probe.duration - readable <= TOLERANCE_SECONDS) return probe
  return { ...probe, duration: readable, truncated: { declared: probe.duration } }
}
