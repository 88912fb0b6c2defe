/**
 * Effect's `Logger` writing one JSON object per line to stdout, the format `wrangler dev`,
 * `wrangler tail --format json` and Workers Logs consumers parse: `timestamp`, `level`, `event` (the log
 * message), then the log annotations as top-level fields in name order, credentials redacted.
 */
import { Effect, FiberRef, HashMap, HashSet, Logger } from "effect"
import { redactSecrets } from "../domain/Redact.js"

/** Formats one log record as a single-line JSON object. */
export const jsonLine = Logger.make(({ annotations, date, logLevel, message }) => {
  const event = Array.isArray(message) ? message[0] : message
  const record: Record<string, unknown> = {
    timestamp: date.toISOString(),
    level: logLevel.label,
    event: typeof event === "string" ? event : String(event)
  }
  // Annotations live in a HashMap (no order); sorting keeps every line's field order stable.
  const fields = HashMap.toEntries(annotations).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  for (const [key, value] of fields) record[key] = typeof value === "string" ? redactSecrets(value) : value
  return JSON.stringify(record)
})

/** The JSON line logger printing through `console.log`. */
export const jsonConsoleLogger = Logger.withConsoleLog(jsonLine)

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
