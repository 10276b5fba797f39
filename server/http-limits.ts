/**
 * The limits the Node HTTP server runs with. Node's defaults cut any request that lasts over
 * 300 s (a large upload on a slow link) and let idle sockets and readers that never read hold a
 * connection forever; these are chosen for long uploads instead: a request may last hours while
 * bytes keep moving, a socket on which nothing moves either way is closed after a minute, and the
 * number of open connections is capped. Set from HTTP_* (config.ts), applied by http-server.node.ts.
 * @module
 */
export interface HttpLimits {
  /** Time a client has to send the request line and headers. */
  headersTimeoutMs: number
  /** Time a client has to send a whole request, body included (0: no limit). */
  requestTimeoutMs: number
  /**
   * Time a socket may go without a byte moving either way: a stalled upload, a reader that stopped
   * reading, a connection that never sends anything (0: no limit).
   */
  socketTimeoutMs: number
  /** Time an idle keep-alive connection is kept open between requests. */
  keepAliveTimeoutMs: number
  /** Open connections at once; the next ones are closed as they arrive. */
  maxConnections: number
  /** How often the headers and request timeouts are checked (Node checks them on a timer). */
  checkIntervalMs?: number
}

/**
 * A 256 MiB file (the default largest) over a 1 Mbit/s link takes about 36 minutes: the request
 * limit leaves room for several times that, and the socket limit catches what has stopped.
 */
export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 6 * 3600_000,
  socketTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1024,
}
