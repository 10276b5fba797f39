/** Temp dirs of tests, removed when their test file ends. @module */
import { mkdtempSync, rmSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'

/** What the test file being run left to undo, newest last. */
const atEnd: (() => Promise<void>)[] = []

// Registered when a test file first imports this module (each file gets its own copy), so it runs
// after the file's own afterAll hooks (vitest runs them in reverse order): servers are closed by
// then. Benches import the helpers outside vitest, where their own code removes what they made.
if (process.env.VITEST) {
  afterAll(async () => {
    for (const undo of atEnd.splice(0).reverse()) await undo()
  })
}

/**
 * Runs `undo` when the test file ends, unless the test ran it first: the returned function runs it
 * now, once. Outside vitest, only when called.
 * @example const close = untilFileEnds(() => client.close())
 */
export function untilFileEnds(undo: () => Promise<void> | void): () => Promise<void> {
  let done: Promise<void> | null = null
  const once = () => {
    done ??= Promise.resolve().then(undo)
    return done
  }
  atEnd.push(once)
  return once
}

/**
 * A new temp dir (`prefix` + random) that is removed when the test file ends, or before by the
 * returned `remove`: for helpers that make one per call, whether or not the test cleans up after it.
 * @example const { dir, remove } = await fileTempDir('adh-dash-')
 */
export async function fileTempDir(prefix: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  return { dir, remove: untilFileEnds(() => rm(dir, { recursive: true, force: true })) }
}

/**
 * Makes a temp dir now and removes it after the file's tests; call at the top level of a test file.
 * @example const dir = suiteTempDir('adh-probe-')
 */
export function suiteTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}
