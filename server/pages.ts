/**
 * The client's page routes and the HTML file each is served from, and the headers its static
 * files are served with: one table for the Node server (server/static.node.ts), the Worker
 * (server/entry.worker.ts, and the `_headers` file vite.config.ts writes into the build from
 * {@link workersHeaders}) and the dev server (scripts/dev.ts, vite.config.ts).
 * @module
 */

/**
 * The movie page: served with the movie's sharing tags in its head (services/page-meta.ts) by the
 * Node server and the Worker alike.
 */
export const MOVIE_PAGE = { route: '/movies/:id', file: 'movie.html' } as const

/** Page routes (Hono patterns) and the HTML file of the client build that answers each. */
export const PAGE_ROUTES: readonly (readonly [route: string, file: string])[] = [
  ['/', 'index.html'],
  [MOVIE_PAGE.route, MOVIE_PAGE.file],
  ['/embed/:id', 'embed.html'],
  ['/series/:id', 'series.html'],
  ['/list', 'list.html'],
  ['/signup', 'signup.html'],
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

/**
 * Cross-origin isolation. ffmpeg.wasm's threaded core and the encoder's back-pressure need
 * SharedArrayBuffer, which a page only gets when it is isolated; the scripts it starts as workers
 * must say so too.
 */
export const CROSS_ORIGIN_ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
} as const

/** Everything of ours an isolated page loads is same-origin, and says so. */
export const SAME_ORIGIN_RESOURCE = { 'Cross-Origin-Resource-Policy': 'same-origin' } as const

/** What is served isolated: the encoding page and the ffmpeg cores (Workers `_headers` patterns). */
export const ISOLATED_PATHS = ['/upload', '/ffmpeg/*'] as const

/**
 * What the client's pages may load: only our own origin, plus what the pages create themselves:
 * blob: media (dash.js feeds the video element through Media Source), blob: workers (the encoder's
 * bootstrap, client/src/encode/runner.ts) and blob: images (the poster preview of a
 * file being uploaded). 'wasm-unsafe-eval' lets WebAssembly compile (ffmpeg.wasm, the encoder's
 * demuxers); it allows no JavaScript eval. No inline scripts or styles, no plugins, no framing
 * by other sites.
 */
const policy = (frameAncestors: string) =>
  [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "style-src 'self'",
    "img-src 'self' blob:",
    "media-src 'self' blob:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors}`,
  ].join('; ')
export const CONTENT_SECURITY_POLICY = policy("'self'")

/**
 * The embed player is made to sit in other sites' iframes: it may be framed by anyone (the rest
 * of the site may not), and it never holds anything an attacker could click through to change.
 * Otherwise the same policy as every page.
 */
export const EMBED_PATHS = ['/embed/*'] as const
export const EMBED_HEADERS = { 'Content-Security-Policy': policy('*') } as const

/** Headers of every HTML page, besides {@link STATIC_HEADERS}. */
export const PAGE_HEADERS = { 'Content-Security-Policy': CONTENT_SECURITY_POLICY } as const

/** The page routes as Workers `_headers` patterns (`:id` and `*` mean the same there). */
const PAGE_PATTERNS = [...new Set(PAGE_ROUTES.map(([route]) => route.replace(/:[^/]+/g, '*')))]

/** Vite fingerprints everything under assets/, so a name never changes meaning. */
export const ASSET_CACHE = 'public, max-age=31536000, immutable'

/** Headers of every static file (the Node server's secureHeaders sends these and a few more). */
export const STATIC_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'SAMEORIGIN',
  'Referrer-Policy': 'strict-origin-when-cross-origin',
  ...SAME_ORIGIN_RESOURCE,
} as const

/**
 * The Workers static-assets `_headers` file: the same headers the Node server sets, from the
 * tables above. vite.config.ts writes it into the build; nobody edits a copy by hand.
 */
export function workersHeaders(): string {
  const block = (pattern: string, headers: Record<string, string>) =>
    `${pattern}\n${Object.entries(headers)
      .map(([k, v]) => `  ${k}: ${v}\n`)
      .join('')}`
  return [
    '# Written by vite.config.ts from server/pages.ts at build time; change it there.\n',
    block('/*', STATIC_HEADERS),
    // The embed page has a policy of its own (below): two would both apply.
    ...PAGE_PATTERNS.filter((path) => !(EMBED_PATHS as readonly string[]).includes(path)).map((path) =>
      block(path, PAGE_HEADERS),
    ),
    ...ISOLATED_PATHS.map((path) => block(path, CROSS_ORIGIN_ISOLATION)),
    // `! Name` detaches a header an earlier block set (Cloudflare's _headers syntax).
    ...EMBED_PATHS.map((path) => `${block(path, EMBED_HEADERS)}  ! X-Frame-Options\n`),
    block('/assets/*', { 'Cache-Control': ASSET_CACHE }),
  ].join('\n')
}
