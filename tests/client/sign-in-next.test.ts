/**
 * Where sign-in sends someone afterwards (`/admin?next=…`): only a path of this site, whatever a
 * crafted link puts in `next`. Browsers drop tabs and newlines from URLs and read a backslash as a
 * slash, so `/\t/evil.example` is `//evil.example` to them: another site.
 */
import { describe, expect, it } from 'vitest'
import { safeNext } from '../../client/src/pages/admin/sign-in.ts'

const ORIGIN = 'https://video.example'
const FALLBACK = '/admin/movies'

describe('safeNext', () => {
  it.each([
    '/\t/evil.example',
    '/\n/evil.example',
    '/\r\n/evil.example/x',
    '//evil.example',
    '/\\evil.example',
    '\\/evil.example',
    'https://evil.example/admin',
    'javascript:alert(1)',
    ' //evil.example',
    'evil.example',
    '',
  ])('refuses %j', (next) => {
    expect(safeNext(next, ORIGIN)).toBe(FALLBACK)
  })

  it('keeps a path of this site with its query and fragment', () => {
    expect(safeNext('/admin/users?x=1#top', ORIGIN)).toBe('/admin/users?x=1#top')
    expect(safeNext('/movies/abc', ORIGIN)).toBe('/movies/abc')
  })

  it('falls back without a next', () => {
    expect(safeNext(null, ORIGIN)).toBe(FALLBACK)
  })
})
