/**
 * A database made by an earlier release (migrations 0000 and 0001 only) upgrades in place when
 * the server opens it: its accounts, movies and search index keep working, and the new tables and
 * columns arrive.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient } from '@libsql/client'
import { sql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/libsql'
import { migrate } from 'drizzle-orm/libsql/migrator'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { MIGRATIONS_DIR, openLibsqlDb } from '../../db/client.libsql.ts'
import { createApp } from '../../server/app.ts'
import { createPasswordHasher } from '../../server/auth/password.ts'
import { nodeScrypt } from '../../server/auth/scrypt.node.ts'
import { DEFAULT_CONFIG } from '../../server/env.ts'
import { memoryBlobStore } from '../../server/storage/memory.ts'
import { json } from '../support/app.ts'

const hasher = createPasswordHasher(nodeScrypt, { ln: 10, r: 8, p: 1 })
let dir: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'adh-migrate-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** The migrations folder as an earlier release shipped it: the first `count` migrations. */
function olderMigrations(count: number): string {
  const folder = join(dir, `migrations-${count}`)
  cpSync(MIGRATIONS_DIR, folder, { recursive: true })
  const journalPath = join(folder, 'meta', '_journal.json')
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: unknown[] }
  writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, count) }))
  return folder
}

it('upgrades a database made before viewers and series, keeping its data and search', async () => {
  const url = `file:${join(dir, 'old.db')}`
  const old = createClient({ url })
  await old.execute('PRAGMA foreign_keys = ON')
  await migrate(drizzle(old), { migrationsFolder: olderMigrations(2) })
  const passwordHash = await hasher.hash('old-admin-password')
  await old.batch([
    {
      sql: "INSERT INTO users (id, username, password_hash, role) VALUES ('oldadmin00000001', 'oldadmin', ?, 'admin')",
      args: [passwordHash],
    },
    "INSERT INTO movies (id, name, description, status, owner_id) VALUES ('oldmovie00000001', 'Lantern Festival', 'paper boats at night', 'ready', 'oldadmin00000001')",
  ])
  old.close()

  const { db, close } = await openLibsqlDb({ url })
  try {
    const app = createApp({ db, blobs: memoryBlobStore(), passwords: hasher, config: DEFAULT_CONFIG })
    const login = await app.request('/api/auth/login', {
      method: 'POST',
      ...json({ username: 'oldadmin', password: 'old-admin-password' }),
    })
    expect(login.status).toBe(200)
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!
    const headers = { cookie, origin: 'http://localhost' }

    // The old movie: listed, found by the old search index, with the new fields.
    const found = (await (await app.request('/api/movies?q=boats')).json()) as {
      items: Record<string, unknown>[]
    }
    expect(found.items).toEqual([
      expect.objectContaining({ id: 'oldmovie00000001', series: null, season: null, episode: null }),
    ])
    // Preferences of an old account: the defaults.
    expect(await (await app.request('/api/me/preferences', { headers })).json()).toEqual({
      autoplayNext: true,
    })

    // The new tables work with the old rows.
    const created = await app.request('/api/series', {
      method: 'POST',
      ...json({ name: 'Festivals' }, headers),
    })
    expect(created.status).toBe(201)
    const { id: seriesId } = (await created.json()) as { id: string }
    const moved = await app.request('/api/movies/oldmovie00000001', {
      method: 'PATCH',
      ...json({ seriesId, name: 'Lantern Festival, part 1' }, headers),
    })
    expect(await moved.json()).toMatchObject({ series: { id: seriesId }, season: 1, episode: 1 })
    // The search index still follows renames (its triggers survived the ALTER TABLE).
    const renamed = (await (await app.request('/api/movies?q=part')).json()) as { items: { id: string }[] }
    expect(renamed.items.map((m) => m.id)).toEqual(['oldmovie00000001'])
    expect(
      (
        await app.request('/api/me/progress/oldmovie00000001', {
          method: 'PUT',
          ...json({ position: 5, duration: 100 }, headers),
        })
      ).status,
    ).toBe(200)

    // The added column's foreign key: a series deleted by SQL alone unlinks its episodes.
    await db.run(sql`DELETE FROM series WHERE id = ${seriesId}`)
    const after = (await (await app.request('/api/movies/oldmovie00000001')).json()) as { series: unknown }
    expect(after.series).toBeNull()
  } finally {
    close()
  }
})
