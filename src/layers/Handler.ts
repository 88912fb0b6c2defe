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
import { appLayer, configProviderFrom, type Platform } from "./AppLive.js"
import { JsonLoggerLive } from "./JsonLogger.js"
import type { WorkerEnv } from "./WorkerContext.js"

/** The `fetch` of an `ExportedHandler`. */
export type FetchHandler = (request: Request, env: WorkerEnv, ctx: ExecutionContext) => Promise<Response>

/** The answer when the application layer failed to build: nothing can be routed until config is fixed. */
const startupFailure = (request: Request, cause: Cause.Cause<unknown>): Effect.Effect<Response> =>
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
        reason: "startup_failed",
        cause: Cause.pretty(cause)
      })
    return renderProblem(defectProblem, {
      requestId,
      json: acceptsJson(request.headers.get("accept")),
      diagnostics: false
    })
  }).pipe(Effect.provide(JsonLoggerLive))

/** Builds the handler for one `env`; callers cache it per `env` so the runtime is built once. */
export const makeHandler = (platform: Layer.Layer<Platform>, env: WorkerEnv): FetchHandler => {
  const runtime = ManagedRuntime.make(appLayer(platform, configProviderFrom(env)))
  return (request, requestEnv, ctx) =>
    runtime
      .runPromiseExit(
        Effect.flatMap(AgentRouter, (router) => router.handle(request, { env: requestEnv, ctx }))
      )
      .then((exit) => (Exit.isSuccess(exit) ? exit.value : Effect.runPromise(startupFailure(request, exit.cause))))
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
