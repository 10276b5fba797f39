import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fsBlobStore } from '../../server/storage/fs.ts'
import { blobStoreContract } from './contract.ts'

blobStoreContract('fs', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'adh-fs-'))
  return { store: fsBlobStore(dir), cleanup: () => rm(dir, { recursive: true, force: true }) }
})
