/**
 * Where the `request.completed` line goes, and through which logger. In the Worker the line is formatted
 * at once and printed after the answer has left (one timer turn later, kept alive by `ctx.waitUntil`):
 * under `wrangler dev` a console line crosses processes and would otherwise sit between the agent's answer
 * and the client. Tests print at once (and usually collect the lines instead).
 */
import { Context, Effect, Layer, Logger, type LogLevel } from "effect"
import { deferredLogger, JsonLoggerLive, printToConsole, type LogEvent, type PrintLine } from "../layers/JsonLogger.js"
import type { WorkerContext } from "../layers/WorkerContext.js"

/** Writes one request's log line. */
export class RequestLog extends Context.Tag("app/RequestLog")<
  RequestLog,
  {
    readonly write: (level: LogLevel.LogLevel, event: LogEvent, worker: WorkerContext) => Effect.Effect<void>
  }
>() {
  /**
   * A deferred JSON logger (one per runtime) as the router's logger; each write hands the pending print to
   * `ctx.waitUntil` so the isolate stays until the line is out. `print` is the console in the Worker.
   */
  static readonly deferred = (print: PrintLine): Layer.Layer<RequestLog> =>
    Layer.unwrapEffect(
      Effect.sync(() => {
        const { logger, pendingWrites } = deferredLogger(print)
        return Layer.merge(
          Layer.succeed(RequestLog, {
            write: (level, event, { ctx }) =>
              Effect.logWithLevel(level, event).pipe(
                Effect.zipRight(
                  Effect.sync(() => {
                    const writes = pendingWrites()
                    if (writes !== undefined) ctx.waitUntil(writes)
                  })
                )
              )
          }),
          Logger.replace(Logger.defaultLogger, logger)
        )
      })
    )

  /** The Worker's request log: deferred lines on the console. */
  static readonly Deferred = RequestLog.deferred(printToConsole)

  /** The JSON logger printing at once, in the request's fiber. */
  static readonly Immediate = Layer.merge(
    Layer.succeed(RequestLog, { write: (level, event) => Effect.logWithLevel(level, event) }),
    JsonLoggerLive
  )
}
