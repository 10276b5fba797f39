/**
 * The contract suite against R2 as Miniflare simulates it, reached through wrangler's
 * getPlatformProxy() with the MEDIA binding from wrangler.toml, persisted to a temp dir.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getPlatformProxy } from 'wrangler'
import { type R2BucketLike, r2BlobStore } from '../../server/storage/r2.ts'
import { blobStoreContract } from './contract.ts'

blobStoreContract('r2 (miniflare)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'adh-r2-'))
  const proxy = await getPlatformProxy<{ MEDIA: R2BucketLike }>({
    configPath: join(import.meta.dirname, '../../wrangler.toml'),
    persist: { path: dir },
  })
  return {
    store: r2BlobStore(proxy.env.MEDIA),
    cleanup: async () => {
      await proxy.dispose()
      await rm(dir, { recursive: true, force: true })
    },
  }
})
