/**
 * A consistent backup of a Node server's data, taken while it runs:
 *
 *   npm run backup -- DIR      # DIR/app.db (VACUUM INTO: one transaction's view) + DIR/media/
 *   npm run restore -- DIR     # into DATABASE_URL and MEDIA_DIR, which must not hold data yet
 *
 * The database is copied first, then the media files: a file uploaded meanwhile is copied without
 * a row (harmless: the next upload of it finds it), and a movie deleted meanwhile may lose files
 * its old rows name (the restored server then answers 404 for them). Temporary upload files and
 * the stores' sidecars are left out (sidecars are rebuilt on first read). Uses DATABASE_URL and
 * MEDIA_DIR like the server; a remote database or an S3 bucket is backed up with its own tools.
 * @module
 */
import { existsSync } from 'node:fs'
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { createClient } from '@libsql/client'
import { parseConfig } from '../server/config.ts'

/** Copies every file under `from` to `to`, leaving out temp files and sidecars (names with `~`). */
export async function copyMedia(from: string, to: string): Promise<number> {
  if (!existsSync(from)) return 0
  let copied = 0
  for (const entry of await readdir(from, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || entry.name.includes('~')) continue
    const source = join(entry.parentPath, entry.name)
    const target = join(to, source.slice(from.length))
    await mkdir(dirname(target), { recursive: true })
    await copyFile(source, target)
    copied++
  }
  return copied
}

/** The local paths of a Node server's data, or why they cannot be backed up here. */
export function localData(env: NodeJS.ProcessEnv): { dbFile: string; mediaDir: string } {
  const config = parseConfig(env)
  if (!config.DATABASE_URL.startsWith('file:'))
    throw new Error('DATABASE_URL is not a local file: back up a remote database with its own tools.')
  if (config.MEDIA_URL) throw new Error('MEDIA_URL is a bucket: back it up with its own tools.')
  return {
    dbFile: resolve(config.DATABASE_URL.slice('file:'.length).split('?')[0]!),
    mediaDir: resolve(config.MEDIA_DIR),
  }
}

async function backup(dir: string) {
  const { dbFile, mediaDir } = localData(process.env)
  const out = resolve(dir)
  const dbCopy = join(out, 'app.db')
  if (existsSync(dbCopy)) throw new Error(`${dbCopy} exists already: back up into a new folder.`)
  await mkdir(out, { recursive: true })
  const client = createClient({ url: `file:${dbFile}` })
  try {
    await client.execute({ sql: 'VACUUM INTO ?', args: [dbCopy] })
  } finally {
    client.close()
  }
  const files = await copyMedia(mediaDir, join(out, 'media'))
  console.log(`Backed up ${dbFile} and ${files} media files into ${out}`)
}

async function restore(dir: string) {
  const { dbFile, mediaDir } = localData(process.env)
  const from = resolve(dir)
  if (!existsSync(join(from, 'app.db'))) throw new Error(`${from} has no app.db: not a backup folder.`)
  if (existsSync(dbFile))
    throw new Error(`${dbFile} exists: restore into a new DATABASE_URL (or move it away).`)
  await mkdir(dirname(dbFile), { recursive: true })
  await copyFile(join(from, 'app.db'), dbFile)
  await rm(`${dbFile}-wal`, { force: true })
  await rm(`${dbFile}-shm`, { force: true })
  const files = await copyMedia(join(from, 'media'), mediaDir)
  console.log(`Restored ${dbFile} and ${files} media files from ${from}`)
}

const [mode, dir] = process.argv.slice(2)
if ((mode !== 'backup' && mode !== 'restore') || !dir) {
  console.error('usage: npm run backup -- DIR | npm run restore -- DIR')
  process.exit(2)
}
try {
  await (mode === 'backup' ? backup(dir) : restore(dir))
} catch (err) {
  console.error((err as Error).message)
  process.exit(1)
}
