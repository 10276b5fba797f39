/**
 * Creates an admin account, like Django's `createsuperuser`.
 *
 *   npm run createsuperuser                                   # asks for username and password
 *   npm run createsuperuser -- --username NAME --password PASS
 *   ADH_SUPERUSER_PASSWORD=… npm run createsuperuser -- --username NAME --no-input
 *
 * Uses DATABASE_URL like the server (default file:data/app.db), migrating it first if needed.
 * @module
 */
import { createInterface } from 'node:readline/promises'
import { Writable } from 'node:stream'
import { parseArgs } from 'node:util'
import { openLibsqlDb } from '../db/client.libsql.ts'
import { createPasswordHasher } from '../server/auth/password.ts'
import { nodeScrypt } from '../server/auth/scrypt.node.ts'
import { appConfig, parseConfig } from '../server/config.ts'
import { ApiError } from '../server/lib/problem.ts'
import { createUser } from '../server/services/users.ts'
import { memoryBlobStore } from '../server/storage/memory.ts'

const { values } = parseArgs({
  options: {
    username: { type: 'string' },
    password: { type: 'string' },
    'no-input': { type: 'boolean', default: false },
  },
})

// Echo is switched off while a password is typed, as a terminal's own prompts do.
let muted = false
const output = new Writable({
  write(chunk, _enc, done) {
    if (!muted) process.stdout.write(chunk)
    done()
  },
})

async function ask(question: string, secret = false): Promise<string> {
  const rl = createInterface({ input: process.stdin, output, terminal: process.stdin.isTTY })
  const pending = rl.question(question)
  muted = secret
  const answer = await pending
  muted = false
  if (secret) process.stdout.write('\n')
  rl.close()
  return answer
}

async function main() {
  const config = parseConfig(process.env)
  const interactive = !values['no-input'] && process.stdin.isTTY
  let username = values.username ?? process.env.ADH_SUPERUSER_USERNAME
  let password = values.password ?? process.env.ADH_SUPERUSER_PASSWORD
  if (!username) {
    if (!interactive) throw new Error('Give --username NAME (or ADH_SUPERUSER_USERNAME).')
    username = (await ask('Username: ')).trim()
  }
  if (!password) {
    if (!interactive) throw new Error('Give --password PASS (or ADH_SUPERUSER_PASSWORD).')
    password = await ask('Password: ', true)
    const again = await ask('Password (again): ', true)
    if (password !== again) throw new Error("The passwords didn't match.")
  }

  const { db, close } = await openLibsqlDb({
    url: config.DATABASE_URL,
    authToken: config.DATABASE_AUTH_TOKEN,
  })
  try {
    await createUser(
      {
        db,
        blobs: memoryBlobStore(),
        passwords: createPasswordHasher(nodeScrypt),
        config: appConfig(config),
      },
      { username, password, role: 'admin' },
    )
    console.log(`Superuser "${username}" created in ${config.DATABASE_URL}.`)
  } finally {
    close()
  }
}

main().catch((err) => {
  console.error(`Error: ${err instanceof ApiError ? err.detail : (err as Error).message}`)
  process.exit(1)
})
