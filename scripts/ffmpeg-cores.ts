/**
 * Puts the ffmpeg.wasm cores into the media bucket, where the Worker serves them
 * (server/ffmpeg.worker.ts): they are over the 25 MiB static-asset limit. Used by
 * `npm run dev:worker` (local bucket) and `npm run deploy` (the real one).
 * @module
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { CORE_VARIANTS, coreKey } from '../server/ffmpeg.worker.ts'
import { wrangler } from './wrangler.ts'

/** The MEDIA bucket's name, read from wrangler.toml so it is written in one place. */
export function mediaBucketName(configPath = 'wrangler.toml'): string {
  const toml = readFileSync(configPath, 'utf8')
  for (const block of toml.split(/^\[\[r2_buckets\]\]\s*$/m).slice(1)) {
    const body = block.split(/^\[/m)[0] ?? ''
    if (/^\s*binding\s*=\s*"MEDIA"/m.test(body)) {
      const name = /^\s*bucket_name\s*=\s*"([^"]+)"/m.exec(body)?.[1]
      if (name) return name
    }
  }
  throw new Error(`${configPath} has no [[r2_buckets]] with binding = "MEDIA" and a bucket_name.`)
}

/** Uploads each built core's .wasm (dist/client/ffmpeg/<variant>/ffmpeg-core.wasm) with wrangler. */
export async function uploadCores(opts: {
  clientDir: string
  where: string[]
  dryRun?: boolean
}): Promise<void> {
  const bucket = mediaBucketName()
  for (const variant of CORE_VARIANTS) {
    const file = join(opts.clientDir, 'ffmpeg', variant, 'ffmpeg-core.wasm')
    if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first.`)
    const args = [
      'r2',
      'object',
      'put',
      `${bucket}/${coreKey(variant, 'ffmpeg-core.wasm')}`,
      '--file',
      file,
      '--content-type',
      'application/wasm',
      ...opts.where,
    ]
    if (opts.dryRun) {
      console.log(`  would run: wrangler ${args.join(' ')}`)
      continue
    }
    await wrangler(args)
    console.log(`  ${variant}/ffmpeg-core.wasm → r2://${bucket}/${coreKey(variant, 'ffmpeg-core.wasm')}`)
  }
}
