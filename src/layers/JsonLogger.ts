/**
 * Effect's `Logger` writing one JSON object per line to stdout, the format `wrangler dev`,
 * `wrangler tail --format json` and Workers Logs consumers parse: `timestamp`, `level`, `event`, then the
 * event's fields in name order, credentials redacted. An event is logged as one object,
 * `Effect.log({ event, ...fields })` (one allocation, where `annotateLogs` costs a HashMap update per
 * field); a plain string message becomes `event`, and log annotations are added as fields too.
 */
import { Effect, FiberRef, HashMap, HashSet, Logger, LogLevel } from "effect"
import { redactSecrets } from "../domain/Redact.js"

/** A log event: its name and its fields. */
export interface LogEvent {
  readonly event: string
  readonly [field: string]: unknown
}

/** Formats one log record as a single-line JSON object. */
export const jsonLine = Logger.make(({ annotations, date, logLevel, message }) => {
  const first: unknown = Array.isArray(message) ? message[0] : message
  const fields: Record<string, unknown> =
    typeof first === "object" && first !== null ? { ...first } : { event: String(first) }
  if (HashMap.size(annotations) > 0) for (const [key, value] of annotations) fields[key] = value
  const record: Record<string, unknown> = { timestamp: date.toISOString(), level: logLevel.label, event: undefined }
  // Code-unit order, as `<` compares; the default sort needs no comparator call per pair.
  for (const key of Object.keys(fields).sort()) {
    const value = fields[key]
    record[key] = typeof value === "string" ? redactSecrets(value) : value
  }
  return JSON.stringify(record)
})

/** Where a formatted line goes. */
export type PrintLine = (level: LogLevel.LogLevel, line: string) => void

/**
 * Prints one line: INFO and below with `console.info`, WARN and above with `console.log`. `wrangler dev`
 * source-maps every `console.log` line (costly on the hot path) but not `console.info` ones, and it decorates
 * `console.warn`/`console.error` output (`▲ [WARNING] ...`), which would break one-object-per-line for
 * `jq`; `console.log` keeps WARN and ERROR lines plain. The JSON `level` field is the level to read.
 */
export const printToConsole: PrintLine = (level, line) => {
  if (LogLevel.greaterThanEqual(level, LogLevel.Warning)) console.log(line)
  else console.info(line)
}

/** The JSON line logger printing at once. */
export const jsonConsoleLogger = Logger.make((options) => printToConsole(options.logLevel, jsonLine.log(options)))

/** A logger whose lines are printed later, and the write of those lines in progress, if any. */
export interface DeferredLogger {
  readonly logger: Logger.Logger<unknown, void>
  readonly pendingWrites: () => Promise<void> | undefined
}

/**
 * The JSON line logger printing one timer turn later, every line pending by then together: the line is
 * formatted at once (so it shows the request as it was), the write leaves the request's path. Pass
 * `pendingWrites()` to `ctx.waitUntil` so the isolate stays until the lines are out.
 */
export const deferredLogger = (print: PrintLine): DeferredLogger => {
  const pending: Array<readonly [LogLevel.LogLevel, string]> = []
  let flushing: Promise<void> | undefined
  const flushLater = (): Promise<void> =>
    new Promise((done) =>
      setTimeout(() => {
        for (const [level, line] of pending.splice(0)) print(level, line)
        flushing = undefined
        done()
      }, 0)
    )
  return {
    logger: Logger.make((options) => {
      pending.push([options.logLevel, jsonLine.log(options)])
      flushing ??= flushLater()
    }),
    pendingWrites: () => flushing
  }
}

/** Replaces Effect's default logger with the JSON line logger. */
export const JsonLoggerLive = Logger.replace(Logger.defaultLogger, jsonConsoleLogger)

/** For tests: runs `effect` with the JSON lines collected into `sink` instead of printed. */
export const collectLogs =
  (sink: Array<string>) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.locallyWith(effect, FiberRef.currentLoggers, () =>
      HashSet.make(
        Logger.map(jsonLine, (line) => {
          sink.push(line)
        })
      )
    )
