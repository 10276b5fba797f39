/** Signing in to a running server over HTTP, as a script would. @module */

/** Signs in with a password and returns the header of a fresh API token. */
export async function bearerToken(
  url: string,
  username: string,
  password: string,
): Promise<Record<string, string>> {
  // Cookie-authenticated writes need a same-origin Origin header.
  const login = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url },
    body: JSON.stringify({ username, password }),
  })
  if (login.status !== 200) throw new Error(`sign-in failed: ${login.status} ${await login.text()}`)
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!
  const token = await fetch(`${url}/api/auth/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, origin: url },
    body: JSON.stringify({ name: 'test' }),
  })
  return { authorization: `Bearer ${((await token.json()) as { token: string }).token}` }
}
