/**
 * The client's page routes and the HTML each is served from, for the Worker, where a page route
 * that is not a file (/movies/:id, /admin/users) reaches the Worker and is answered from the
 * static assets. Same table as the Node server's (server/static.node.ts).
 * @module
 */

/**
 * Page routes and the asset path that serves them. Workers assets serve `x.html` at `/x`
 * (`html_handling = "auto-trailing-slash"`) and redirect `/x.html` there, so the clean path is asked.
 */
const PAGES: [RegExp, string][] = [
  [/^\/$/, '/'],
  [/^\/movies\/[^/]+\/?$/, '/movie'],
  [/^\/upload\/?$/, '/upload'],
  [/^\/admin(\/.*)?$/, '/admin'],
]

/**
 * @example pageFor('https://x.dev/movies/abc') // '/movie'
 * @example pageFor('https://x.dev/api/movies')  // null
 */
export function pageFor(url: string): string | null {
  const { pathname } = new URL(url)
  for (const [pattern, page] of PAGES) if (pattern.test(pathname)) return page
  return null
}
