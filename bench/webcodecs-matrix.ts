/**
 * Which H.264 encoder configurations this Chromium's WebCodecs accepts, and which of them encode
 * (issue 16): `VideoEncoder.isConfigSupported` over every avc1 profile × level × latency mode ×
 * bitrate mode × hardware preference × scalability mode, then, for what it accepts with
 * `bitrateMode: 'quantizer'`, whether a per-frame `encode(frame, { avc: { quantizer } })` changes
 * the output. Prints the accepted matrix as a Markdown table (docs/webcodecs-h264.md keeps the
 * result).
 *
 *   node --import tsx bench/webcodecs-matrix.ts
 * @module
 */
import { createServer } from 'node:http'
import { launchBrowser } from '../tests/e2e/browser.ts'

const server = createServer((_, res) => {
  res.setHeader('content-type', 'text/html')
  res.end('<!doctype html><title>matrix</title>')
})
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const address = server.address()
if (!address || typeof address === 'string') throw new Error('no port')
const browser = await launchBrowser()
try {
  const page = await browser.newPage()
  // tsx keeps function names with a helper the page does not have.
  await page.addInitScript('globalThis.__name = (f) => f')
  await page.goto(`http://127.0.0.1:${address.port}/`)
  const result = await page.evaluate(async () => {
    const profiles = [
      '42001f',
      '42e01f',
      '4d001f',
      '4d401f',
      '58001f',
      '64001f',
      '6e001f',
      '7a001f',
      'f4001f',
    ]
    const levels = ['0a', '1e', '1f', '28', '2a', '32', '33', '34']
    const rows: string[] = []
    const accepted: string[] = []
    const base = { width: 1280, height: 720, bitrate: 2_500_000, framerate: 30 }
    // Profiles at one level first, then levels with the High profile.
    const codecs = [...new Set([...profiles.map((p) => `avc1.${p}`), ...levels.map((l) => `avc1.6400${l}`)])]
    for (const codec of codecs) {
      for (const latencyMode of ['quality', 'realtime'] as const) {
        for (const bitrateMode of ['variable', 'constant', 'quantizer'] as const) {
          for (const hardwareAcceleration of [
            'no-preference',
            'prefer-hardware',
            'prefer-software',
          ] as const) {
            for (const scalabilityMode of [undefined, 'L1T2', 'L1T3']) {
              const config: VideoEncoderConfig = {
                codec,
                ...base,
                latencyMode,
                bitrateMode,
                hardwareAcceleration,
                ...(scalabilityMode ? { scalabilityMode } : {}),
                avc: { format: 'avc' },
              }
              const ok = await VideoEncoder.isConfigSupported(config).then(
                (s) => s.supported === true,
                () => false,
              )
              const key = `${codec} ${latencyMode} ${bitrateMode} ${hardwareAcceleration} ${scalabilityMode ?? 'L1T1'}`
              if (ok) accepted.push(key)
              rows.push(`${key}: ${ok}`)
            }
          }
        }
      }
    }
    // Other codecs with the quantizer, for comparison.
    const others: string[] = []
    for (const codec of ['vp09.00.31.08', 'av01.0.05M.08', 'vp8', 'hvc1.1.6.L93.B0']) {
      for (const bitrateMode of ['variable', 'quantizer'] as const) {
        const ok = await VideoEncoder.isConfigSupported({ codec, ...base, bitrateMode }).then(
          (s) => s.supported === true,
          () => false,
        )
        others.push(`${codec} ${bitrateMode}: ${ok}`)
      }
    }
    // Does a per-frame quantizer work anywhere? Encode 10 frames at qp 10 and at qp 45.
    async function sizeAt(qp: number, codec: string): Promise<number | string> {
      let bytes = 0
      let failure = ''
      const encoder = new VideoEncoder({
        output: (chunk) => {
          bytes += chunk.byteLength
        },
        error: (e) => {
          failure = e.message
        },
      })
      try {
        encoder.configure({ codec, ...base, bitrateMode: 'quantizer', latencyMode: 'quality' })
        const canvas = new OffscreenCanvas(1280, 720)
        const ctx = canvas.getContext('2d')!
        for (let i = 0; i < 10; i++) {
          ctx.fillStyle = `hsl(${i * 30}, 70%, 50%)`
          ctx.fillRect(0, 0, 1280, 720)
          ctx.fillStyle = '#000'
          for (let k = 0; k < 200; k++) ctx.fillRect((k * 97 + i * 13) % 1280, (k * 53) % 720, 7, 40)
          const frame = new VideoFrame(canvas, { timestamp: i * 33_333 })
          const options = codec.startsWith('avc1')
            ? { keyFrame: i === 0, avc: { quantizer: qp } }
            : codec.startsWith('vp09')
              ? { keyFrame: i === 0, vp9: { quantizer: Math.min(63, qp) } }
              : { keyFrame: i === 0, av1: { quantizer: Math.min(63, qp) } }
          encoder.encode(frame, options as VideoEncoderEncodeOptions)
          frame.close()
        }
        await encoder.flush()
        encoder.close()
      } catch (e) {
        return `throws: ${(e as Error).message}`
      }
      return failure ? `error: ${failure}` : bytes
    }
    const quantizer: string[] = []
    for (const codec of ['avc1.64001f', 'avc1.42001f', 'vp09.00.31.08', 'av01.0.05M.08']) {
      quantizer.push(`${codec}: qp10 ${await sizeAt(10, codec)} bytes, qp45 ${await sizeAt(45, codec)} bytes`)
    }
    return { accepted, total: rows.length, others, quantizer, ua: navigator.userAgent }
  })
  console.log(`User agent: ${result.ua}`)
  console.log(`${result.accepted.length} of ${result.total} avc1 configurations accepted:`)
  for (const a of result.accepted) console.log(`  ${a}`)
  console.log('Other codecs:')
  for (const o of result.others) console.log(`  ${o}`)
  console.log('Per-frame quantizer, 10 frames:')
  for (const q of result.quantizer) console.log(`  ${q}`)
} finally {
  await browser.close()
  server.close()
}
