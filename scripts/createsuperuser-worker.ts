/**
 * Creates an admin account in the Worker's D1 database, like `npm run createsuperuser` does for
 * the Node server. The password is hashed here (same scrypt format the Worker verifies) and only
 * the hash travels, in an INSERT run by `wrangler d1 execute`.
 *
 *   npm run createsuperuser:worker -- --username NAME --password PASS            # local D1 (dev:worker)
 *   npm run createsuperuser:worker -- --username NAME --password PASS --remote   # the deployed D1
 *   ADH_SUPERUSER_PASSWORD=… npm run createsuperuser:worker -- --username NAME --remote
 *
 * With a libSQL database instead of D1, use the Node script against it:
 *   DATABASE_URL=libsql://… DATABASE_AUTH_TOKEN=… npm run createsuperuser -- --username NAME
 * @module
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { createPasswordHasher } from '../server/auth/password.ts'
import { nodeScrypt } from '../server/auth/scrypt.node.ts'
import { newId } from '../server/lib/crypto.ts'
import { PASSWORD_MAX, PASSWORD_MIN, USERNAME_RE } from '../server/routes/users/users.schemas.ts'
import { wrangler } from './wrangler.ts'

const { values } = parseArgs({
  options: {
    username: { type: 'string' },
    password: { type: 'string' },
    remote: { type: 'boolean', default: false },
    'persist-to': { type: 'string' },
    config: { type: 'string' },
    /** The D1 binding name in wrangler.toml. */
    database: { type: 'string', default: 'DB' },
  },
})

/** A SQL string literal: the only character to escape inside single quotes is the quote itself. */
export const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`

async function main() {
  const username = values.username ?? process.env.ADH_SUPERUSER_USERNAME
  const password = values.password ?? process.env.ADH_SUPERUSER_PASSWORD
  if (!username) throw new Error('Give --username NAME (or ADH_SUPERUSER_USERNAME).')
  if (!password) throw new Error('Give --password PASS (or ADH_SUPERUSER_PASSWORD).')
  if (!USERNAME_RE.test(username)) throw new Error('Usernames are 3-150 letters, digits or @.+_-')
  if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) {
    throw new Error(`Passwords are ${PASSWORD_MIN} to ${PASSWORD_MAX} characters.`)
  }

  const hash = await createPasswordHasher(nodeScrypt).hash(password)
  const row = [newId(), username, hash, 'admin', '1', String(Date.now())]
  const insert =
    'INSERT INTO users (id, username, password_hash, role, active, created_at) VALUES (' +
    row.map((v, i) => (i >= 4 ? v : sqlString(v))).join(', ') +
    ');\n'

  // A file, not --command: nothing of the statement passes through a shell or an argument list.
  const dir = await mkdtemp(join(tmpdir(), 'adh-superuser-'))
  try {
    const file = join(dir, 'insert.sql')
    await writeFile(file, insert, { mode: 0o600 })
    const where = values.remote
      ? ['--remote']
      : ['--local', ...(values['persist-to'] ? ['--persist-to', values['persist-to']] : [])]
    await wrangler([
      'd1',
      'execute',
      values.database,
      ...where,
      '--file',
      file,
      '--yes',
      ...(values.config ? ['--config', values.config] : []),
    ]).catch((err: Error) => {
      if (/UNIQUE constraint failed: users\.username/.test(err.message)) {
        throw new Error(`The username "${username}" is taken.`)
      }
      throw err
    })
    console.log(`Superuser "${username}" created in the ${values.remote ? 'remote' : 'local'} D1 database.`)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

main().catch((err) => {
  console.error(`Error: ${(err as Error).message}`)
  process.exit(1)
})
