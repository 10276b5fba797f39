/**
 * Control characters in names and descriptions are refused with a 422 naming the field: a NUL
 * used to cut a stored name short (`a\u0000b` came back as `a`), and the others hide or rearrange
 * text. Line breaks and tabs stay allowed in descriptions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { json, makeTestApp, type TestApp, type TestUser } from '../support/app.ts'

let t: TestApp
let uploader: TestUser
let as: Record<string, string>

beforeAll(async () => {
  t = await makeTestApp()
  uploader = await t.createUser()
  as = await t.headersFor(uploader)
})
afterAll(() => t.close())

const send = (method: string, path: string, body: unknown) =>
  t.app.request(path, { method, ...json(body, as) })

async function expectRefused(res: Response, field: string) {
  expect(res.status).toBe(422)
  const problem = (await res.json()) as { errors: { field: string }[] }
  expect(problem.errors.map((e) => e.field)).toEqual([field])
}

describe('control characters', () => {
  it.each([
    ['NUL', 'a\u0000b'],
    ['escape', 'red \u001b[31m'],
    ['newline', 'two\nlines'],
    ['DEL', 'a\u007fb'],
    ['C1 (NEL)', 'a\u0085b'],
  ])('are refused in a movie name (%s)', async (_, name) => {
    await expectRefused(await send('POST', '/api/movies', { name }), 'name')
  })

  it('are refused in a description, but line breaks and tabs are kept', async () => {
    await expectRefused(
      await send('POST', '/api/movies', { name: 'Ok', description: 'bell\u0007' }),
      'description',
    )
    const res = await send('POST', '/api/movies', {
      name: 'Ok',
      description: 'line one\r\nline two\tand a tab',
    })
    expect(res.status).toBe(201)
    expect(await res.json()).toMatchObject({ description: 'line one\r\nline two\tand a tab' })
  })

  it('are refused when a movie is renamed', async () => {
    const movie = (await (await send('POST', '/api/movies', { name: 'Plain' })).json()) as { id: string }
    await expectRefused(await send('PATCH', `/api/movies/${movie.id}`, { name: 'x\u0000y' }), 'name')
    const kept = (await (await t.app.request(`/api/movies/${movie.id}`, { headers: as })).json()) as {
      name: string
    }
    expect(kept.name).toBe('Plain')
  })

  it('are refused in series names and descriptions, and in token names', async () => {
    await expectRefused(await send('POST', '/api/series', { name: 'S\u0000' }), 'name')
    await expectRefused(
      await send('POST', '/api/series', { name: 'S', description: '\u0000' }),
      'description',
    )
    await expectRefused(await send('POST', '/api/auth/tokens', { name: 'ci\u0000' }), 'name')
  })

  it('leave ordinary names from any script alone', async () => {
    const res = await send('POST', '/api/movies', { name: '盾の勇者の成り上がり — Ép. 1 ✓' })
    expect(res.status).toBe(201)
    expect(await res.json()).toMatchObject({ name: '盾の勇者の成り上がり — Ép. 1 ✓' })
  })
})
