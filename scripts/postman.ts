/**
 * Writes a Postman collection (v2.1) generated from the OpenAPI document, for people who live in
 * Postman, as the app this one replaces shipped one.
 *
 *   npm run postman [-- --out anime-die-heart.postman_collection.json] [-- --base-url http://127.0.0.1:3000]
 * @module
 */
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import Converter from 'openapi-to-postmanv2'
import { openLibsqlDb } from '../db/client.libsql.ts'
import { createApp } from '../server/app.ts'
import { createPasswordHasher } from '../server/auth/password.ts'
import { nodeScrypt } from '../server/auth/scrypt.node.ts'
import { DEFAULT_CONFIG } from '../server/env.ts'
import { memoryBlobStore } from '../server/storage/memory.ts'

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'anime-die-heart.postman_collection.json' },
    'base-url': { type: 'string', default: 'http://127.0.0.1:3000' },
  },
})

const { db, close } = await openLibsqlDb({ url: ':memory:' })
const app = createApp({
  db,
  blobs: memoryBlobStore(),
  passwords: createPasswordHasher(nodeScrypt),
  config: DEFAULT_CONFIG,
})
const doc = (await (await app.request('/api/openapi.json')).json()) as Record<string, unknown>
close()
// The collection's {{baseUrl}} variable starts at the server this document names.
doc.servers = [{ url: values['base-url'] }]

const collection = await new Promise<unknown>((resolve, reject) =>
  Converter.convert(
    { type: 'json', data: doc },
    { folderStrategy: 'Tags', requestNameSource: 'Fallback', parametersResolution: 'Example' },
    (err, result) => {
      if (err) reject(err)
      else if (!result?.result) reject(new Error(result?.reason ?? 'conversion failed'))
      else resolve(result.output?.[0]?.data)
    },
  ),
)
writeFileSync(values.out, `${JSON.stringify(collection, null, 2)}\n`)
console.log(`Wrote ${values.out}`)
