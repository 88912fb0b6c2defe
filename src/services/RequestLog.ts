/**
 * Where the `request.completed` line goes. In the Worker it is formatted at once and printed after the
 * answer has left (one timer turn later, kept alive by `ctx.waitUntil`): under `wrangler dev` a console
 * line crosses processes and would otherwise sit between the agent's answer and the client. Tests write
 * it at once through the current logger.
 */
import { Context, Effect, FiberRef, HashSet, Layer, type LogLevel } from "effect"
import { deferredConsoleLogger, pendingWrites, type LogEvent } from "../layers/JsonLogger.js"
import { WorkerContext } from "../layers/WorkerContext.js"

const deferredLoggers = HashSet.make(deferredConsoleLogger)

/** Writes one request's log line. */
export class RequestLog extends Context.Tag("app/RequestLog")<
  RequestLog,
  { readonly write: (level: LogLevel.LogLevel, event: LogEvent) => Effect.Effect<void, never, WorkerContext> }
>() {
  /** Formatted now, printed after the answer; the request is kept alive until the line is out. */
  static readonly Deferred = Layer.succeed(RequestLog, {
    write: (level, event) =>
      Effect.logWithLevel(level, event).pipe(
        Effect.locally(FiberRef.currentLoggers, deferredLoggers),
        Effect.zipRight(
          Effect.flatMap(WorkerContext, ({ ctx }) =>
            Effect.sync(() => {
              const writes = pendingWrites()
              if (writes !== undefined) ctx.waitUntil(writes)
            })
          )
        )
      )
  })

  /** At once, in the request's fiber, through the current logger: what tests read. */
  static readonly Immediate = Layer.succeed(RequestLog, {
    write: (level, event) => Effect.logWithLevel(level, event)
  })
}
