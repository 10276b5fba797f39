/**
 * HEVC 10-bit sources (issue 16): a 10 s 1920x1080 HEVC Main 10 MKV with AAC (testsrc2 + a tone,
 * made by native x265), which this Chromium cannot decode, encoded into its ladder by the default
 * engine (the hybrid path: ffmpeg.wasm decodes, WebCodecs encodes), by ffmpeg.wasm alone (what such a
 * source got before), and by native ffmpeg with the ffmpeg.wasm backend's own arguments.
 * @module
 */
import { mkdtemp } from 'node:fs/promises'
import { join } from 'node:path'
import { planLadder } from '../client/src/encode/ladder.ts'
import { initName } from '../server/lib/dash/names.ts'
import { makeClip } from '../tests/support/media.ts'
import {
  encodeInBench,
  mb,
  nativeEncode,
  probeNative,
  type Session,
  sec,
  setupName,
  ssimOf,
  trackPeakMemory,
} from './encode-lib.ts'

const SECONDS = 10

export async function hevcTable(session: Session, dir: string): Promise<string> {
  const source = await makeClip(dir, 'hevc10-1080p.mkv', {
    width: 1920,
    height: 1080,
    seconds: SECONDS,
    audio: true,
    codec: 'hevc',
    tenBit: true,
  })
  const plan = planLadder(await probeNative(source))
  const ladder = plan.renditions.map((r) => r.label).join('/')
  const nativeDir = join(dir, 'native-hevc')
  const nativeMs = await nativeEncode(source, plan, nativeDir)
  const nativeSsim = await ssimOf(source, nativeDir, initName('0'), '0', plan)
  console.error(`  HEVC 10-bit native: ${sec(nativeMs)}, SSIM ${nativeSsim}`)
  await session.page.setInputFiles('#engine-test-file', source)
  const rows: { name: string; wallMs: number; peak: number; ssim: number | null }[] = []
  for (const backend of ['default', 'ffmpeg.wasm'] as const) {
    const out = await mkdtemp(join(dir, 'hevc-'))
    const memory = trackPeakMemory(await session.browser.newBrowserCDPSession())
    const result = await encodeInBench(session, plan, { backend }, out)
    const peak = await memory.stop()
    const v0 = plan.renditions[0]!.id
    const ssim = await ssimOf(source, out, initName(v0), v0, plan)
    const name = setupName(result)
    console.error(`  ${name}: ${sec(result.wallMs)}, peak ${mb(peak)}, SSIM ${ssim}`)
    rows.push({ name, wallMs: result.wallMs, peak, ssim })
  }
  const full = rows.find((r) => r.name.includes('alone'))
  return [
    '| source (ladder) | setup | wall | × native | realtime | speed-up over ffmpeg.wasm alone | tab peak memory | top rung SSIM |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${SECONDS} s 1080p HEVC Main 10 MKV (${ladder}) | ${r.name} | ${sec(r.wallMs)} | ${(r.wallMs / nativeMs).toFixed(1)}× | ` +
        `${(SECONDS / (r.wallMs / 1000)).toFixed(2)}× | ${full ? `${(full.wallMs / r.wallMs).toFixed(1)}×` : '—'} | ${mb(r.peak)} | ${r.ssim?.toFixed(4) ?? '—'} |`,
    ),
    `| ${SECONDS} s 1080p HEVC Main 10 MKV (${ladder}) | native ffmpeg 5.1 (x265 decoder, x264 veryfast) | ${sec(nativeMs)} | 1.0× | ` +
      `${(SECONDS / (nativeMs / 1000)).toFixed(2)}× | — | — | ${nativeSsim?.toFixed(4) ?? '—'} |`,
  ].join('\n')
}
