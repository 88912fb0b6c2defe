/**
 * The JSON line logger and where the `request.completed` line goes. In the Worker the line is formatted
 * at once and printed after the answer has left (one timer turn later, kept alive by `ctx.waitUntil`):
 * under `wrangler dev` a console line crosses processes and would otherwise sit between the agent's answer
 * and the client. Tests print at once (and usually collect the lines instead). The runtime's logger is
 * installed from this service by src/layers/Logging.ts, so every line of a runtime takes one path.
 */
import { Context, Effect, HashMap, Layer, Logger, LogLevel } from "effect"
import type { LogEvent } from "../domain/LogEvent.js"
import { formatLogLine } from "../domain/LogLine.js"

/** Effect's `Logger` formatting each record as one JSON line (`formatLogLine`). */
export const jsonLine = Logger.make(({ annotations, date, logLevel, message }) =>
  formatLogLine({ date, level: logLevel.label, message, annotations, annotationCount: HashMap.size(annotations) })
)

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

/** The JSON line logger printing at once with `print`. */
export const printingLogger = (print: PrintLine): Logger.Logger<unknown, void> =>
  Logger.make((options) => print(options.logLevel, jsonLine.log(options)))

/**
 * The JSON line logger printing one timer turn later, every line pending by then together: the line is
 * formatted at once (so it shows the request as it was), the write leaves the request's path.
 * `pendingWrites()` is the print in progress, for `ctx.waitUntil`.
 */
const deferredLogger = (print: PrintLine) => {
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
    logger: Logger.make<unknown, void>((options) => {
      pending.push([options.logLevel, jsonLine.log(options)])
      flushing ??= flushLater()
    }),
    pendingWrites: (): Promise<void> | undefined => flushing
  }
}

/** Writes one request's log line; `logger` is the logger its lines go through (the runtime installs it). */
export class RequestLog extends Context.Tag("app/RequestLog")<
  RequestLog,
  {
    /** Logs `event`; `ctx` keeps the isolate until a deferred line is printed. */
    readonly write: (level: LogLevel.LogLevel, event: LogEvent, ctx: ExecutionContext) => Effect.Effect<void>
    readonly logger: Logger.Logger<unknown, void>
  }
>() {
  /**
   * Lines printed with `print` one timer turn after they are written (one deferred logger per layer);
   * each write hands the pending print to `ctx.waitUntil` so the isolate stays until the line is out.
   */
  static readonly deferredTo = (print: PrintLine): Layer.Layer<RequestLog> =>
    Layer.sync(RequestLog, () => {
      const { logger, pendingWrites } = deferredLogger(print)
      return {
        logger,
        write: (level, event, ctx) =>
          Effect.zipRight(
            Effect.logWithLevel(level, event),
            Effect.sync(() => {
              const writes = pendingWrites()
              if (writes !== undefined) ctx.waitUntil(writes)
            })
          )
      }
    })

  /** The Worker's request log: deferred lines on the console. */
  static readonly Live = RequestLog.deferredTo(printToConsole)

  /** Lines printed at once on the console, in the request's fiber (tests). */
  static readonly Immediate = Layer.succeed(RequestLog, {
    logger: printingLogger(printToConsole),
    write: (level, event) => Effect.logWithLevel(level, event)
  })
}
