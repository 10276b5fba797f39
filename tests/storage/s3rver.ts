/**
 * A real S3-compatible server for tests: s3rver (npm `@20minutes/s3rver`, a maintained fork that
 * runs on Node 20), in its own process on 127.0.0.1 with a temp folder, checking SigV4 signatures
 * as S3 does (s3rver.main.ts).
 *
 * Where s3rver differs from S3, the harness behaves as S3 does:
 * - It has no AbortMultipartUpload (it answers 405): s3rver.main.ts answers it. Uploads in progress
 *   live in one folder, so a test can see that a failed put left nothing behind.
 * - It computes the signature of a bucket request (ListObjectsV2, DeleteObjects) over `/bucket`,
 *   where the SDK sends and signs `/bucket/`. The test client sends `/bucket`, which S3 accepts as
 *   well. (A server a test starts as its own process uses the production client, so such a test
 *   stays with object requests.)
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { s3Client } from '../../server/storage/s3.ts'

/** The fixed key pair s3rver accepts. */
export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }

export interface RunningS3 {
  endpoint: string
  bucket: string
  /** A client for the test's own look at the bucket. */
  client: ReturnType<typeof s3Client>
  /** Multipart uploads started and neither completed nor aborted. */
  uploadsInProgress(): Promise<string[]>
  stop(): Promise<void>
}

export async function startS3(bucket = 'media'): Promise<RunningS3> {
  const directory = await mkdtemp(join(tmpdir(), 'adh-s3rver-'))
  const child = spawn(
    process.execPath,
    [
      '--openssl-legacy-provider',
      '--import',
      'tsx',
      join(import.meta.dirname, 's3rver.main.ts'),
      directory,
      bucket,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const port = await listeningPort(child)
  const endpoint = `http://127.0.0.1:${port}`
  const client = s3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
  })
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { path?: string }
      if (request.path === `/${bucket}/`) request.path = `/${bucket}`
      return next(args)
    },
    { step: 'build', name: 's3rverBucketPath' },
  )
  return {
    endpoint,
    bucket,
    client,
    uploadsInProgress: async () =>
      (await readdir(join(directory, bucket, '._S3rver_uploads')).catch(() => [])).sort(),
    async stop() {
      client.destroy()
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        await exited
      }
      await rm(directory, { recursive: true, force: true })
    },
  }
}

/** Resolves with the port once the child says it listens; rejects if it exits first. */
function listeningPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = ''
    const onData = (chunk: Buffer) => {
      out += chunk.toString()
      const m = /listening (\d+)\n/.exec(out)
      if (m) {
        child.stdout!.off('data', onData)
        child.stdout!.resume()
        resolve(Number(m[1]))
      }
    }
    child.stdout!.on('data', onData)
    child.once('exit', (code) => reject(new Error(`s3rver exited with ${code} before listening`)))
  })
}
