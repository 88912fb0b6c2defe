/**
 * The Worker's fetch handler: one `ManagedRuntime` per isolate (per `env` object), `env` and
 * `ExecutionContext` handed to each request as context. A configuration that cannot start (a malformed
 * var, two agents colliding on an alias) answers 500 with its request id and logs the reason.
 */
import { Cause, Effect, Exit, Layer, ManagedRuntime } from "effect"
import { incomingRequestId } from "../domain/Headers.js"
import { defectProblem } from "../domain/Problem.js"
import { acceptsJson, renderProblem } from "../domain/Render.js"
import { AgentRouter } from "../services/AgentRouter.js"
import { RequestLog } from "../services/RequestLog.js"
import { appLayer, configProviderFrom, type Platform } from "./AppLive.js"
import { JsonLoggerLive } from "./JsonLogger.js"
import type { WorkerEnv } from "./WorkerContext.js"

/** The `fetch` of an `ExportedHandler`. */
export type FetchHandler = (request: Request, env: WorkerEnv, ctx: ExecutionContext) => Promise<Response>

/**
 * The last-resort answer, a 500 with its log line: when the application layer failed to build
 * (`startup_failed`: nothing can be routed until the configuration is fixed), or for a defect that escaped
 * the pipeline's own handling (`defect`).
 */
const lastResort = (request: Request, cause: Cause.Cause<unknown>, reason: string): Promise<Response> =>
  Effect.runPromise(
    Effect.gen(function* () {
      const requestId = incomingRequestId(request.headers) ?? crypto.randomUUID()
      yield* Effect.logError({
        event: "request.completed",
        requestId,
        method: request.method,
        path: new URL(request.url).pathname,
        agent: null,
        instance: null,
        upgrade: false,
        outcome: "Defect",
        status: 500,
        durationMs: 0,
        reason,
        cause: Cause.pretty(cause)
      })
      return renderProblem(defectProblem, {
        requestId,
        json: acceptsJson(request.headers.get("accept")),
        diagnostics: false
      })
    }).pipe(Effect.provide(JsonLoggerLive))
  )

/**
 * Builds the handler for one `env`; callers cache it per `env` so the runtime is built once. The router
 * is taken out of the runtime once too, so a request runs nothing but its own pipeline.
 */
export const makeHandler = (
  platform: Layer.Layer<Platform>,
  env: WorkerEnv,
  requestLog: Layer.Layer<RequestLog> = RequestLog.Deferred
): FetchHandler => {
  const runtime = ManagedRuntime.make(appLayer(platform, configProviderFrom(env), requestLog))
  const router = runtime.runPromiseExit(AgentRouter)
  return (request, requestEnv, ctx) =>
    router.then((built) =>
      Exit.isFailure(built)
        ? lastResort(request, built.cause, "startup_failed")
        : runtime
            .runPromiseExit(built.value.handle(request, { env: requestEnv, ctx }))
            .then((exit) => (Exit.isSuccess(exit) ? exit.value : lastResort(request, exit.cause, "defect")))
    )
}

/** Caches one handler per `env` object, as the SDK caches its namespace map. */
export const handlerCache = (platform: Layer.Layer<Platform>): FetchHandler => {
  const handlers = new WeakMap<object, FetchHandler>()
  return (request, env, ctx) => {
    let handler = handlers.get(env)
    if (handler === undefined) {
      handler = makeHandler(platform, env)
      handlers.set(env, handler)
    }
    return handler(request, env, ctx)
  }
}
