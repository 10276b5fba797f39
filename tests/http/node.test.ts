/**
 * The shared HTTP suite against the Node server: `server/entry.node.ts` on a random 127.0.0.1
 * port with a temp database and media folder, its admin made by `npm run createsuperuser`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createSuperuser, startNodeServer } from '../../bench/lib.ts'
import { httpSuite } from './suite.ts'

httpSuite('the Node server', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'adh-http-node-'))
  const admin = { username: 'root-admin', password: 'root-admin-password' }
  const env = { DATABASE_URL: `file:${join(dir, 'app.db')}`, MEDIA_DIR: join(dir, 'media'), CLIENT_DIR: dir }
  // A stand-in for the Vite build's movie page, which the server writes sharing tags into.
  await writeFile(
    join(dir, 'movie.html'),
    '<!doctype html><html><head><title>movie</title></head><body></body></html>',
  )
  await createSuperuser(env, admin)
  const server = await startNodeServer(env)
  return {
    url: server.url,
    admin,
    stop: async () => {
      server.proc.kill('SIGTERM')
      await rm(dir, { recursive: true, force: true })
    },
  }
})
