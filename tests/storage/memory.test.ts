import { memoryBlobStore } from '../../server/storage/memory.ts'
import { blobStoreContract } from './contract.ts'

blobStoreContract('memory', async () => ({ store: memoryBlobStore() }))
