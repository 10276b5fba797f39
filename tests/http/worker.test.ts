/**
 * The shared HTTP suite against the Worker under local wrangler (workerd with local D1 and R2),
 * its admin made by `npm run createsuperuser:worker`.
 */
import { startLocalWorker } from '../worker/local-worker.ts'
import { httpSuite } from './suite.ts'

httpSuite('the Worker (local wrangler, D1, R2)', async () => {
  const admin = { username: 'root-admin', password: 'root-admin-password' }
  const worker = await startLocalWorker({ admin })
  return { url: worker.url, admin, stop: worker.stop }
})
