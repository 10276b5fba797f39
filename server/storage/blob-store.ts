/**
 * The blob storage port. Adapters: `fs` (local disk, the default), `s3` (any S3 API, Node),
 * `r2` (Cloudflare R2 binding), `memory` (tests). One contract suite (tests/storage/contract.ts)
 * runs against all of them.
 *
 * Keys are `/`-separated paths already validated by the caller (see server/lib/paths.ts).
 * @module
 */

export interface BlobInfo {
  key: string
  size: number
  /** Lower-case hex SHA-256 of the content. */
  sha256: string
  contentType: string
}

export interface PutOptions {
  /** Expected lower-case hex SHA-256; a mismatch stores nothing and throws BlobHashMismatchError. */
  sha256?: string
  /** Bytes allowed; more stores nothing and throws BlobTooLargeError as soon as the limit is passed. */
  maxBytes?: number
  /**
   * The length the body declares (e.g. its Content-Length). A body that ends short or runs long
   * stores nothing and throws BlobLengthMismatchError. Adapters that must know the length up front
   * (R2) stream only when it is given.
   */
  size?: number
  contentType?: string
}

/** An inclusive byte range, already checked against the blob's size. */
export interface ByteRange {
  start: number
  end: number
}

export interface BlobObject extends BlobInfo {
  /** The requested bytes (the whole blob, or the range). Streamed, never buffered whole. */
  body: ReadableStream<Uint8Array>
  range?: ByteRange
}

export interface BlobStore {
  /**
   * Stores a blob atomically: readers see the old content or the new, never a part.
   * The body is consumed as a stream; the hash is computed while it arrives.
   */
  put(key: string, body: ReadableStream<Uint8Array> | Uint8Array, opts?: PutOptions): Promise<BlobInfo>
  /** The blob, or `null` when there is none. */
  get(key: string, opts?: { range?: ByteRange }): Promise<BlobObject | null>
  head(key: string): Promise<BlobInfo | null>
  /** Deleting a missing key is not an error. */
  delete(key: string): Promise<void>
  /** Every blob whose key starts with `prefix`, sorted by key. */
  list(prefix: string): Promise<BlobInfo[]>
  /**
   * Deletes every blob whose key starts with `prefix` (a string prefix, as for `list`: pass
   * `movies/<id>/`, with the slash). Object stores do it in batches, without describing each blob.
   */
  deletePrefix(prefix: string): Promise<void>
  /**
   * Only on stores set to serve reads themselves (S3 with `S3_SERVE=redirect`): a short-lived URL
   * where a client may GET the blob, byte ranges included. The caller checks who may read first.
   */
  signedUrl?(key: string): Promise<string>
  /**
   * Only on stores that write beside their blobs (fs): removes what crashed puts and deletes left
   * behind (temporary files, descriptions of blobs that are gone) last modified before `before`
   * and of blobs that `busy(key)` does not say are being written.
   */
  sweepLeftovers?(opts: SweepOptions): Promise<SweepResult>
}

export interface SweepOptions {
  /** Wall-clock time (ms since the epoch): anything modified since then stays. */
  before: number
  /** Whether a write of this blob key may be in flight (in any process): its leftovers stay. */
  busy: (key: string) => boolean
}

export interface SweepResult {
  files: number
  bytes: number
}

export class BlobTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`Body is larger than the limit of ${limit} bytes`)
    this.name = 'BlobTooLargeError'
  }
}

export class BlobHashMismatchError extends Error {
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`SHA-256 of the body is ${actual}, expected ${expected}`)
    this.name = 'BlobHashMismatchError'
  }
}

export class BlobLengthMismatchError extends Error {
  constructor(
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`Body is ${actual > expected ? 'longer' : 'shorter'} than the ${expected} bytes it declared`)
    this.name = 'BlobLengthMismatchError'
  }
}
