/**
 * Runs the project's own wrangler (node_modules, the version pinned in package.json) from scripts.
 * @module
 */
import { type ChildProcess, execFile, type SpawnOptions, spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { promisify } from 'node:util'

const run = promisify(execFile)
export const WRANGLER_BIN = createRequire(import.meta.url).resolve('wrangler/bin/wrangler.js')

/** Wrangler without prompts, colours or telemetry: its output is read by scripts and tests. */
export const wranglerEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  CI: '1',
  FORCE_COLOR: '0',
  NO_COLOR: '1',
  WRANGLER_SEND_METRICS: 'false',
  ...extra,
})

/** Runs a wrangler command to completion; rejects with its output when it fails. */
export async function wrangler(args: string[], opts: { cwd?: string } = {}): Promise<string> {
  try {
    const { stdout } = await run(process.execPath, [WRANGLER_BIN, ...args], {
      env: wranglerEnv(),
      cwd: opts.cwd ?? process.cwd(),
      maxBuffer: 64 * 1024 * 1024,
    })
    return stdout
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string }
    throw new Error(`wrangler ${args.slice(0, 3).join(' ')} failed:\n${e.stderr || e.stdout || e.message}`)
  }
}

/** Starts a long-running wrangler command (`dev`) in its own process group, so it and workerd stop together. */
export function spawnWrangler(args: string[], opts: SpawnOptions = {}): ChildProcess {
  return spawn(process.execPath, [WRANGLER_BIN, ...args], { env: wranglerEnv(), detached: true, ...opts })
}

/** Stops a process started by spawnWrangler, with its children. */
export function stopGroup(proc: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
  if (proc.pid === undefined || proc.exitCode !== null || proc.signalCode !== null) return
  try {
    process.kill(-proc.pid, signal)
  } catch {
    proc.kill(signal)
  }
}
