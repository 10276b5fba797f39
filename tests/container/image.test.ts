/**
 * The container image, built from the Dockerfile and run with podman, when podman works on this
 * machine (.ci/run installs it): it starts as a non-root user with everything it writes in the
 * /data volume, reports healthy through its own HEALTHCHECK command, serves the built client and
 * the API, stops cleanly on SIGTERM, and a new container on the same volume carries on.
 *
 * It builds the image itself from `node:20-bookworm-slim`, or from ADH_NODE_IMAGE (a local
 * stand-in made by .ci/node-image.sh where no container registry is reachable) — slow the first
 * time: two `npm ci` and a client build; run it alone, under the heavy lock. Or it takes the image
 * ADH_IMAGE names, which .ci/run builds before the tests start.
 */
import { execFile, spawnSync } from 'node:child_process'
import { chown, mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../../bench/lib.ts'
import { bytesOf, sha256Of } from '../support/bytes.ts'
import { bearerToken } from '../support/http.ts'

const ROOT = resolve(import.meta.dirname, '../..')
const run = promisify(execFile)
const podmanWorks = spawnSync('podman', ['info'], { stdio: 'ignore' }).status === 0
const podman = (...args: string[]) => run('podman', args, { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 })

describe.runIf(podmanWorks)('the container image (podman)', () => {
  let tag = `localhost/anime-die-heart:test-${process.pid}`
  const containers: string[] = []
  let data = ''

  beforeAll(async () => {
    // .ci/run builds the image before the tests, so the build does not compete with them.
    if (process.env.ADH_IMAGE) tag = process.env.ADH_IMAGE
    else
      await podman(
        'build',
        // Docker's format, not OCI's: OCI images have no HEALTHCHECK.
        '--format',
        'docker',
        '--build-arg',
        `NODE_IMAGE=${process.env.ADH_NODE_IMAGE ?? 'node:20-bookworm-slim'}`,
        '-t',
        tag,
        '.',
      )
    // The volume, as a folder the test can look into; the image's user (node, uid 1000) owns it.
    data = await mkdtemp(join(tmpdir(), 'adh-image-data-'))
    if (process.getuid?.() === 0) await chown(data, 1000, 1000)
  }, 30 * 60_000)

  afterAll(async () => {
    for (const c of containers) await podman('rm', '-f', c).catch(() => {})
    if (!process.env.ADH_IMAGE) await podman('rmi', '-f', tag).catch(() => {})
    if (data) await rm(data, { recursive: true, force: true })
  })

  /** Starts a container on the data folder; resolves once its HEALTHCHECK passes. */
  async function start(): Promise<{ name: string; url: string }> {
    const port = await freePort()
    const name = `adh-test-${process.pid}-${containers.length}`
    containers.push(name)
    await podman('run', '-d', '--name', name, '-p', `127.0.0.1:${port}:3000`, '-v', `${data}:/data`, tag)
    for (let i = 0; ; i++) {
      // The image's own HEALTHCHECK command, run inside the container.
      const check = await podman('healthcheck', 'run', name).then(
        () => true,
        () => false,
      )
      if (check) break
      const state = (await podman('inspect', name, '--format', '{{.State.Status}}')).stdout.trim()
      if (state !== 'running' || i > 150) {
        throw new Error(`container ${state}: ${(await podman('logs', name)).stderr}`)
      }
      await new Promise((r) => setTimeout(r, 200))
    }
    return { name, url: `http://127.0.0.1:${port}` }
  }

  it('declares its user, port, volume and health check, and holds no build tools', async () => {
    type Check = { Test: string[] }
    const [image] = JSON.parse((await podman('image', 'inspect', tag)).stdout) as {
      Config: { User: string; ExposedPorts: object; Volumes: object; Healthcheck?: Check }
      Healthcheck?: Check
    }[]
    expect(image!.Config.User).toBe('node')
    expect(Object.keys(image!.Config.ExposedPorts)).toEqual(['3000/tcp'])
    expect(Object.keys(image!.Config.Volumes)).toEqual(['/data'])
    // podman shows it beside Config, docker inside.
    expect((image!.Healthcheck ?? image!.Config.Healthcheck)?.Test.join(' ')).toMatch(/\/api\/health/)
    const modules = (await podman('run', '--rm', tag, 'ls', '/app/node_modules')).stdout.split('\n')
    expect(modules).toContain('tsx')
    expect(modules).toContain('hono')
    for (const devOnly of ['vite', 'vitest', 'wrangler', 'dashjs', 'typescript'])
      expect(modules).not.toContain(devOnly)
  }, 60_000)

  it('runs as node, keeps its data in the volume, serves the client and API, and stops on SIGTERM', async () => {
    const { name, url } = await start()
    expect((await podman('exec', name, 'id', '-u')).stdout.trim()).toBe('1000')
    expect(await readdir(data)).toContain('app.db')
    const page = await fetch(`${url}/`)
    expect(page.status).toBe(200)
    expect(await page.text()).toMatch(/<html/i)
    expect(await (await fetch(`${url}/api/health`)).json()).toEqual({ status: 'ok' })

    await podman(
      'exec',
      name,
      'npm',
      'run',
      'createsuperuser',
      '--',
      '--username',
      'admin',
      '--password',
      'a long secret',
    )
    const auth = await bearerToken(url, 'admin', 'a long secret')
    const created = await fetch(`${url}/api/movies`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'In the volume' }),
    })
    const { id } = (await created.json()) as { id: string }
    const seg = bytesOf(5000, 3)
    const put = await fetch(`${url}/api/movies/${id}/files/seg-1.m4s`, {
      method: 'PUT',
      headers: { ...auth, 'x-content-sha256': sha256Of(seg) },
      body: seg,
    })
    expect(put.status).toBe(201)
    expect(await readdir(join(data, 'media', 'movies', id))).toContain('seg-1.m4s')

    const stopping = Date.now()
    await podman('stop', '--time', '20', name)
    expect(Date.now() - stopping).toBeLessThan(15_000)
    expect((await podman('inspect', name, '--format', '{{.State.ExitCode}}')).stdout.trim()).toBe('0')

    // A new container on the same volume: same accounts, same files.
    const again = await start()
    const auth2 = await bearerToken(again.url, 'admin', 'a long secret')
    const files = await fetch(`${again.url}/api/movies/${id}/files`, { headers: auth2 })
    expect(((await files.json()) as { items: { path: string }[] }).items.map((f) => f.path)).toEqual([
      'seg-1.m4s',
    ])
  }, 180_000)
})
