/**
 * @module `probe()` and `encode()` that load the engine (mediabunny, the encoder backends) on first
 * use, so the upload page shows at once and the engine arrives while a person picks a file.
 */
import type { EncodedFile, EncodeOptions, LadderPlan, ProbeResult } from './types.ts'

const engine = () => import('./index.ts')

/** Starts loading the engine now (say, when the page opens) without waiting for it. */
export function preloadEngine(): void {
  void engine()
}

/** See `probe` in index.ts. */
export async function probe(
  file: Blob & { name?: string },
  options?: { signal?: AbortSignal },
): Promise<ProbeResult> {
  return (await engine()).probe(file, options)
}

/** See `encode` in index.ts. */
export async function* encode(
  file: Blob & { name?: string },
  plan: LadderPlan,
  options?: EncodeOptions,
): AsyncGenerator<EncodedFile> {
  yield* (await engine()).encode(file, plan, options)
}
