/**
 * Vitest global setup: makes sure dist/client holds a build of the current client sources, so
 * browser tests run against exactly what `npm start` would serve, on a clean clone too.
 *
 * Idempotent and quick: a stamp of every input (client/, vite.config.ts, package-lock.json, and
 * the server modules the client build takes code from) is kept beside the build, and a matching stamp skips the build. A fresh build goes to a temporary
 * folder first and is swapped in whole, so a server reading dist/client never sees half a build.
 * @module
 */
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join, relative, resolve } from 'node:path'

const ROOT = resolve(import.meta.dirname, '../..')
export const CLIENT_DIR = join(ROOT, 'dist/client')
const STAMP = '.build-stamp'

async function* walk(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) yield* walk(path)
    else if (entry.isFile()) yield path
  }
}

/** A hash of everything the build depends on. */
export async function inputsHash(): Promise<string> {
  const hash = createHash('sha256')
  // server/pages.ts: the `_headers` file; server/lib: code the pages import (e.g. sha256Hex).
  const files = [join(ROOT, 'vite.config.ts'), join(ROOT, 'package-lock.json'), join(ROOT, 'server/pages.ts')]
  for (const dir of ['client', 'server/lib']) for await (const f of walk(join(ROOT, dir))) files.push(f)
  for (const f of files.sort()) {
    if (!existsSync(f)) continue
    hash
      .update(relative(ROOT, f))
      .update('\0')
      .update(await readFile(f))
      .update('\0')
  }
  return hash.digest('hex')
}

/** Builds the client into dist/client unless the build there is of the same inputs. Returns the folder. */
export async function ensureClientBuilt(): Promise<string> {
  const stamp = await inputsHash()
  const current = await readFile(join(CLIENT_DIR, STAMP), 'utf8').catch(() => '')
  if (current === stamp) return CLIENT_DIR

  const { build } = await import('vite')
  const tmp = `${CLIENT_DIR}.tmp-${process.pid}`
  const started = Date.now()
  await build({
    configFile: join(ROOT, 'vite.config.ts'),
    logLevel: 'warn',
    // dash.js is one 820 kB chunk, loaded on demand by the movie page only.
    build: { outDir: tmp, emptyOutDir: true, chunkSizeWarningLimit: 1024 },
  })
  await writeFile(join(tmp, STAMP), stamp)
  const old = `${CLIENT_DIR}.old-${process.pid}`
  if (existsSync(CLIENT_DIR)) await rename(CLIENT_DIR, old)
  await rename(tmp, CLIENT_DIR)
  await rm(old, { recursive: true, force: true })
  console.log(`[build-client] built dist/client in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  return CLIENT_DIR
}

export default async function setup(): Promise<void> {
  await ensureClientBuilt()
}
