/**
 * The logger port: what the app writes its access log and errors to. On Node it is pino (one JSON
 * line per event on stdout, server/observe.node.ts); elsewhere (Workers, tests) {@link consoleLogger}.
 * @module
 */

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

type LogFn = (fields: Record<string, unknown>, msg?: string) => void

/** The subset of pino's API the app uses, so any structured logger with it will do. */
export interface Logger {
  debug: LogFn
  info: LogFn
  warn: LogFn
  error: LogFn
}

const RANK: Record<LogLevel, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: 99,
}

/**
 * One JSON object per event through the runtime's console, in pino's shape (`level`, `time`, `msg`),
 * for runtimes whose console is the log (Workers Logs) and for tests.
 * @example const log = consoleLogger('warn'); log.error({ err }, 'upload failed')
 */
export function consoleLogger(level: LogLevel = 'info'): Logger {
  const at = (name: Exclude<LogLevel, 'silent'>): LogFn => {
    if (RANK[name] < RANK[level]) return () => {}
    const write = RANK[name] >= RANK.warn ? console.error : console.log
    return (fields, msg) =>
      write(
        JSON.stringify({ level: RANK[name], time: Date.now(), ...plain(fields), ...(msg ? { msg } : {}) }),
      )
  }
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

/** Errors do not survive JSON.stringify on their own: their message and stack are not enumerable. */
function plain(fields: Record<string, unknown>): Record<string, unknown> {
  const err = fields.err
  if (!(err instanceof Error)) return fields
  return { ...fields, err: { type: err.name, message: err.message, stack: err.stack } }
}
