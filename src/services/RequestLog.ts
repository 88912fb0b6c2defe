/**
 * Where the `request.completed` line goes. In the Worker it is written after the answer has left
 * (`ctx.waitUntil`, one timer turn later): under `wrangler dev` a console line crosses processes and
 * would otherwise sit between the agent's answer and the client. Tests write it at once.
 */
import { Context, Effect, Layer, type LogLevel, Runtime } from "effect"
import type { LogEvent } from "../layers/JsonLogger.js"
import { WorkerContext } from "../layers/WorkerContext.js"

/** Writes one request's log line. */
export class RequestLog extends Context.Tag("app/RequestLog")<
  RequestLog,
  { readonly write: (level: LogLevel.LogLevel, event: LogEvent) => Effect.Effect<void, never, WorkerContext> }
>() {
  /** After the answer, through `ctx.waitUntil`, with the request's own runtime (so its logger). */
  static readonly Deferred = Layer.succeed(RequestLog, {
    write: (level, event) =>
      Effect.flatMap(Effect.runtime<never>(), (runtime) =>
        Effect.flatMap(WorkerContext, ({ ctx }) =>
          Effect.sync(() =>
            ctx.waitUntil(Runtime.runPromise(runtime)(Effect.sleep(0).pipe(Effect.zipRight(Effect.logWithLevel(level, event)))))
          )
        )
      )
  })

  /** At once, in the request's fiber: what tests read. */
  static readonly Immediate = Layer.succeed(RequestLog, {
    write: (level, event) => Effect.logWithLevel(level, event)
  })
}
