/**
 * Runs s3rver as its own process: `node --openssl-legacy-provider --import tsx s3rver.main.ts DIR BUCKET`.
 * Prints `listening <port>` once it serves 127.0.0.1, and stops on SIGTERM. See s3rver.ts.
 *
 * The legacy OpenSSL provider is for s3rver's continuation tokens, which it enciphers with DES:
 * without it every listing longer than one page fails with a 500.
 * @module
 */
import { rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'

interface KoaContext {
  method: string
  query: Record<string, string | undefined>
  status: number
  body: unknown
}

interface S3rverServer {
  middleware: ((ctx: KoaContext, next: () => Promise<void>) => Promise<void>)[]
  run(): Promise<AddressInfo>
  close(): Promise<void>
}

type S3rverCtor = new (options: {
  address: string
  port: number
  directory: string
  silent: boolean
  configureBuckets: { name: string }[]
}) => S3rverServer

const S3rver = createRequire(import.meta.url)('@20minutes/s3rver') as S3rverCtor
const [directory, bucket] = process.argv.slice(2) as [string, string]

const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  directory,
  silent: process.env.S3RVER_LOG !== '1',
  configureBuckets: [{ name: bucket }],
})
// AbortMultipartUpload, which s3rver lacks (it answers 405): throw the parts away and answer 204,
// as S3 does. s3rver keeps a bucket's uploads in progress in `<bucket>/._S3rver_uploads/<id>/`.
server.middleware.unshift(async (ctx, next) => {
  const id = ctx.query.uploadId
  if (ctx.method !== 'DELETE' || id === undefined) return next()
  if (!/^[0-9a-f]+$/.test(id)) {
    ctx.status = 400
    return
  }
  await rm(join(directory, bucket, '._S3rver_uploads', id), { recursive: true, force: true })
  ctx.status = 204
  ctx.body = ''
})

const address = await server.run()
process.stdout.write(`listening ${address.port}\n`)
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0))
})
