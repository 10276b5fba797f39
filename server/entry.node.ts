/**
 * The Node server: environment → dependencies (libSQL file, local disk) → createApp → HTTP.
 * @module
 */
import { resolve } from 'node:path'
import { openLibsqlDb } from '../db/client.libsql.ts'
import { createApp } from './app.ts'
import { createPasswordHasher } from './auth/password.ts'
import { nodeScrypt } from './auth/scrypt.node.ts'
import { appConfig, httpLimits, type MediaStorage, mediaStorage, parseConfig } from './config.ts'
import { connectionDeps, untrustedProxyWarning } from './connection.node.ts'
import type { Deps } from './env.ts'
import { serveNode } from './http-server.node.ts'
import { mountClient } from './static.node.ts'
import type { BlobStore } from './storage/blob-store.ts'
import { fsBlobStore } from './storage/fs.ts'

async function main() {
  let config: ReturnType<typeof parseConfig>
  try {
    config = parseConfig(process.env)
  } catch (err) {
    console.error((err as Error).message)
    process.exit(2)
  }
  const { db, close } = await openLibsqlDb({
    url: config.DATABASE_URL,
    authToken: config.DATABASE_AUTH_TOKEN,
  })
  const deps: Deps = {
    db,
    blobs: await openMediaStore(mediaStorage(config)),
    passwords: createPasswordHasher(nodeScrypt),
    config: appConfig(config),
    ...connectionDeps(config.TRUST_PROXY),
  }
  const app = createApp(deps)
  mountClient(app, resolve(config.CLIENT_DIR))

  const proxyCheck = untrustedProxyWarning(config.TRUST_PROXY)
  const fetch: typeof app.fetch = (req, ...rest) => {
    proxyCheck(req.headers)
    return app.fetch(req, ...rest)
  }
  const at = { port: config.PORT, hostname: config.HOST }
  const server = serveNode(fetch, at, httpLimits(config), (info) => {
    console.log(`anime-die-heart listening on http://${info.address}:${info.port}`)
    console.log(
      config.TRUST_PROXY > 0
        ? `Client addresses and HTTPS from the last ${config.TRUST_PROXY} proxy hop(s) (TRUST_PROXY).`
        : 'Client addresses from the connection; X-Forwarded-* headers ignored (TRUST_PROXY=false).',
    )
  })
  const stop = () => {
    server.close(() => {
      close()
      process.exit(0)
    })
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

/** MEDIA_DIR on local disk (the default), or the bucket of MEDIA_URL=s3://… */
async function openMediaStore(media: MediaStorage): Promise<BlobStore> {
  if (media.kind === 'fs') return fsBlobStore(resolve(media.dir))
  // The AWS SDK is loaded only by servers that use it.
  const { s3BlobStoreFrom } = await import('./storage/s3.ts')
  return s3BlobStoreFrom(media)
}

await main()
