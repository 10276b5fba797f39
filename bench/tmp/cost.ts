// ad-hoc: CPU cost per request type on the server process (not committed)
import { mkdtempSync, readFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openLibsqlDb } from '../../db/client.libsql.ts'
import { movies, users } from '../../db/schema.ts'
import { createPasswordHasher } from '../../server/auth/password.ts'
import { nodeScrypt } from '../../server/auth/scrypt.node.ts'
import { createSession, SESSION_COOKIE } from '../../server/auth/tokens.ts'
import { DEFAULT_CONFIG, type Deps } from '../../server/env.ts'
import { newId } from '../../server/lib/crypto.ts'
import { memoryBlobStore } from '../../server/storage/memory.ts'
import { startNodeServer } from '../lib.ts'

const dir = mkdtempSync(join(tmpdir(), 'adh-cost-'))
const dbUrl = `file:${join(dir, 'app.db')}`
const { db, close } = await openLibsqlDb({ url: dbUrl })
const deps: Deps = { db, blobs: memoryBlobStore(), passwords: createPasswordHasher(nodeScrypt), config: DEFAULT_CONFIG }
const ownerId = newId()
await db.insert(users).values({ id: ownerId, username: 'o', passwordHash: 'x', role: 'uploader' })
const ids: string[] = []
for (let b = 0; b < 10; b++) {
  const rows = []
  for (let i = 0; i < 500; i++) { const id = newId(); ids.push(id); rows.push({ id, name: `m ${b} ${i}`, status: 'ready' as const, duration: 1440, ownerId }) }
  await db.insert(movies).values(rows)
}
const cookies: string[] = []
for (let i = 0; i < 1000; i++) {
  const id = newId()
  await db.insert(users).values({ id, username: `v${i}`, passwordHash: 'x', role: 'viewer' })
  cookies.push(`${SESSION_COOKIE}=${(await createSession(deps, id)).secret}`)
}
close()
const { url, proc } = await startNodeServer({ DATABASE_URL: dbUrl, MEDIA_DIR: join(dir, 'media') })
const cpu = () => { const f = readFileSync(`/proc/${proc.pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return (Number(f[11]) + Number(f[12])) * 10 }
const agent = new Agent({ keepAlive: true, maxSockets: 16 })
const { hostname, port } = new URL(url)
const send = (method: string, path: string, headers: Record<string, string | number>, body?: string) => new Promise<void>((resolve) => {
  const req = request({ agent, hostname, port, method, path, headers }, (res) => { res.resume(); res.on('end', () => resolve()) })
  req.on('error', () => resolve()); req.end(body)
})
async function run(name: string, n: number, make: (i: number) => Promise<void>) {
  const c0 = cpu(); const t0 = performance.now()
  for (let i = 0; i < n; i += 16) await Promise.all(Array.from({ length: 16 }, (_, k) => make(i + k)))
  const ms = cpu() - c0
  console.log(name, 'server CPU per request ms', (ms / n).toFixed(3), 'wall', ((performance.now() - t0) / n).toFixed(3))
}
const only = process.env.ONLY
for (let round = 0; round < 2; round++) {
  if (only === 'progress') { await run('progress', 6000, (i) => { const body = JSON.stringify({ position: i % 1400, duration: 1440 }); return send('PUT', `/api/me/progress/${ids[i % 200]}`, { cookie: cookies[i % 1000]!, origin: url, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, body) }); continue }
  await run('catalog', 3000, () => send('GET', '/api/movies?limit=20', {}))
  await run('progress', 3000, (i) => { const body = JSON.stringify({ position: i % 1400, duration: 1440 }); return send('PUT', `/api/me/progress/${ids[i % 200]}`, { cookie: cookies[i % 1000]!, origin: url, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }, body) })
  await run('me (session only)', 3000, (i) => send('GET', '/api/auth/me', { cookie: cookies[i % 1000]! }))
  await run('health', 3000, () => send('GET', '/api/health', {}))
}
proc.kill(); agent.destroy()
