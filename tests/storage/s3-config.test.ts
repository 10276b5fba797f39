/** MEDIA_URL=s3://… and the S3 variables, as server/config.ts reads them. */
import { describe, expect, it } from 'vitest'
import { mediaStorage, parseConfig } from '../../server/config.ts'

const media = (env: Record<string, string>) => mediaStorage(parseConfig(env))
const refusal = (env: Record<string, string>) => {
  try {
    parseConfig(env)
  } catch (err) {
    return (err as Error).message
  }
  throw new Error('accepted')
}

describe('media storage settings', () => {
  it('keeps media on disk unless MEDIA_URL names a bucket', () => {
    expect(media({})).toEqual({ kind: 'fs', dir: 'data/media' })
    // Compose files pass unset variables as empty strings.
    expect(media({ MEDIA_URL: '', S3_ENDPOINT: '', MEDIA_DIR: '/data/media' })).toEqual({
      kind: 'fs',
      dir: '/data/media',
    })
  })

  it('reads bucket, prefix, endpoint and keys; a custom endpoint means path-style addressing', () => {
    expect(
      media({
        MEDIA_URL: 's3://adh-media/site/v1/',
        S3_ENDPOINT: 'http://minio:9000',
        S3_PUBLIC_ENDPOINT: 'https://media.example.org',
        AWS_ACCESS_KEY_ID: 'id',
        AWS_SECRET_ACCESS_KEY: 'secret',
        S3_SERVE: 'redirect',
      }),
    ).toEqual({
      kind: 's3',
      bucket: 'adh-media',
      prefix: 'site/v1/',
      region: 'us-east-1',
      endpoint: 'http://minio:9000',
      publicEndpoint: 'https://media.example.org',
      forcePathStyle: true,
      credentials: { accessKeyId: 'id', secretAccessKey: 'secret' },
      serve: 'redirect',
      presignSeconds: 300,
    })
  })

  it('on AWS: no endpoint, virtual-hosted names, the region from AWS_REGION, keys from the SDK chain', () => {
    expect(media({ MEDIA_URL: 's3://adh-media', AWS_REGION: 'eu-west-3' })).toEqual({
      kind: 's3',
      bucket: 'adh-media',
      prefix: '',
      region: 'eu-west-3',
      forcePathStyle: false,
      serve: 'proxy',
      presignSeconds: 300,
    })
    expect(
      media({
        MEDIA_URL: 's3://b-1/x',
        AWS_ENDPOINT_URL_S3: 'https://s3.example',
        S3_FORCE_PATH_STYLE: 'false',
      }),
    ).toMatchObject({ endpoint: 'https://s3.example', forcePathStyle: false, prefix: 'x/' })
  })

  it('refuses bad values and names each variable', () => {
    const message = refusal({
      MEDIA_URL: 'https://bucket.s3.amazonaws.com',
      S3_ENDPOINT: 'minio:9000',
      S3_SERVE: 'cdn',
      S3_PRESIGN_SECONDS: '864000',
    })
    expect(message).toMatch(/MEDIA_URL: expected s3:\/\/BUCKET or s3:\/\/BUCKET\/PREFIX/)
    expect(message).toMatch(/S3_ENDPOINT: expected an http\(s\) URL/)
    expect(message).toMatch(/S3_SERVE/)
    expect(message).toMatch(/S3_PRESIGN_SECONDS/)
    expect(refusal({ MEDIA_URL: 's3://bucket', AWS_ACCESS_KEY_ID: 'id' })).toMatch(
      /AWS_SECRET_ACCESS_KEY: required when AWS_ACCESS_KEY_ID is set/,
    )
  })
})
