/**
 * `npm run deploy`: builds the client, migrates the database (D1, or libSQL when LIBSQL_URL is
 * set in this shell), puts the ffmpeg cores into the R2 bucket and deploys the Worker.
 *
 *   npm run deploy                  # needs `npx wrangler login` (or CLOUDFLARE_API_TOKEN)
 *   npm run deploy -- --dry-run     # builds and bundles, checks the bundle, changes nothing remote
 *
 * The Worker itself reads LIBSQL_URL / LIBSQL_AUTH_TOKEN from its secrets (`wrangler secret put`).
 * @module
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { parseArgs } from 'node:util'
import { openLibsqlDb } from '../db/client.libsql.ts'
import { uploadCores } from './ffmpeg-cores.ts'
import { wrangler } from './wrangler.ts'

const { values } = parseArgs({
  options: {
    'dry-run': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
  },
})
const dryRun = values['dry-run']
const CLIENT_DIR = 'dist/client'

/** Finds `node:*` imports in a bundle: the Worker runs without nodejs_compat, so none may remain. */
export function nodeImportsIn(bundle: string): string[] {
  return [...new Set(bundle.match(/["'`]node:[a-z_/]+["'`]/g) ?? [])]
}

async function main() {
  if (!values['no-build']) {
    console.log('1/4 Building the client…')
    const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin/vite.js')
    execFileSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { stdio: 'inherit' })
  }

  const libsqlUrl = process.env.LIBSQL_URL
  if (libsqlUrl) {
    console.log(`2/4 Migrating the libSQL database ${new URL(libsqlUrl).host}…`)
    if (!dryRun) {
      const { close } = await openLibsqlDb({ url: libsqlUrl, authToken: process.env.LIBSQL_AUTH_TOKEN })
      close()
    }
  } else {
    console.log('2/4 Applying migrations to the D1 database…')
    if (!/^\s*database_id\s*=\s*"[^"]+"/m.test(readFileSync('wrangler.toml', 'utf8'))) {
      const why =
        'wrangler.toml has no database_id for the D1 database: run `npx wrangler d1 create anime-die-heart` ' +
        'and add the database_id it prints under [[d1_databases]] (or set LIBSQL_URL to use libSQL).'
      if (!dryRun) throw new Error(why)
      console.warn(`  warning: ${why}`)
    }
    if (dryRun) console.log('  would run: wrangler d1 migrations apply DB --remote')
    else console.log(await wrangler(['d1', 'migrations', 'apply', 'DB', '--remote']))
  }

  console.log('3/4 Putting the ffmpeg cores into the R2 bucket…')
  await uploadCores({ clientDir: CLIENT_DIR, where: ['--remote'], dryRun })

  console.log(`4/4 Deploying the Worker${dryRun ? ' (dry run)' : ''}…`)
  if (!dryRun) {
    console.log(await wrangler(['deploy']))
    return
  }
  const out = mkdtempSync(join(tmpdir(), 'adh-dry-run-'))
  try {
    console.log(await wrangler(['deploy', '--dry-run', '--outdir', out]))
    const bundle = readdirSync(out)
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(join(out, f), 'utf8'))
      .join('\n')
    const nodeImports = nodeImportsIn(bundle)
    if (nodeImports.length) throw new Error(`The Worker bundle imports ${nodeImports.join(', ')}.`)
    console.log(
      `Bundle is ${(bundle.length / 1024).toFixed(0)} KiB with no node:* imports. Nothing was deployed.`,
    )
  } finally {
    rmSync(out, { recursive: true, force: true })
  }
}

main().catch((err) => {
  console.error(`Error: ${(err as Error).message}`)
  process.exit(1)
})
