/**
 * The client's page routes and the HTML file each is served from: one table for the Node server
 * (server/static.node.ts), the Worker (server/entry.worker.ts) and the dev server (scripts/dev.ts).
 * @module
 */

/** Page routes (Hono patterns) and the HTML file of the client build that answers each. */
export const PAGE_ROUTES: readonly (readonly [route: string, file: string])[] = [
  ['/', 'index.html'],
  ['/movies/:id', 'movie.html'],
  ['/upload', 'upload.html'],
  ['/admin', 'admin.html'],
  ['/admin/*', 'admin.html'],
]

const MATCHERS = PAGE_ROUTES.map(([route, file]) => ({
  re: new RegExp(`^${route.replace(/:[^/]+/g, '[^/]+').replace(/\/\*$/, '(/.*)?')}$`),
  file,
}))

/**
 * The HTML file that serves a path, or null when the path is not a page.
 * @example pageFile('/movies/abc') // 'movie.html'
 * @example pageFile('/api/movies') // null
 */
export function pageFile(pathname: string): string | null {
  return MATCHERS.find((m) => m.re.test(pathname))?.file ?? null
}
