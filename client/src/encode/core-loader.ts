/** @module Where the ffmpeg.wasm cores live on our origin, and compiling one once per page. */

import type { CoreVariant } from './types.ts'
import type { CoreLocation } from './worker-protocol.ts'

const compiled = new Map<CoreVariant, Promise<WebAssembly.Module | null>>()

/** URLs of a core copied into the build under /ffmpeg/<variant>/ (see vite.config.ts). */
export function coreUrls(variant: CoreVariant, origin = self.location.origin): Omit<CoreLocation, 'module'> {
  const base = new URL(`${import.meta.env.BASE_URL}ffmpeg/${variant}/`, origin).href
  return {
    variant,
    scriptUrl: `${base}ffmpeg-core.js`,
    wasmUrl: `${base}ffmpeg-core.wasm`,
    workerUrl: `${base}ffmpeg-core.worker.js`,
  }
}

/**
 * Compiles the core's wasm once and shares the compiled module with every worker, instead of each
 * worker fetching and compiling 32 MB on its own. Falls back to letting each worker load it (null)
 * when streaming compilation is unavailable.
 */
export async function loadCore(variant: CoreVariant): Promise<CoreLocation> {
  const urls = coreUrls(variant)
  let pending = compiled.get(variant)
  if (!pending) {
    pending = WebAssembly.compileStreaming(fetch(urls.wasmUrl, { credentials: 'same-origin' })).catch(
      () => null,
    )
    compiled.set(variant, pending)
  }
  return { ...urls, module: await pending }
}

/** Whether SharedArrayBuffer can be used here (the threaded core and back-pressure both need it). */
export function canShareMemory(): boolean {
  return typeof SharedArrayBuffer === 'function' && globalThis.crossOriginIsolated === true
}
