/**
 * The Worker's runtime and fetch function: one `ManagedRuntime` per isolate (per `env` object), `env` and
 * `ExecutionContext` handed to each request as arguments. A configuration that cannot start (a malformed
 * var, two agents colliding on an alias) answers 500 with its request id and logs the reason.
 */
import { Cause, Effect, Exit, Layer, LogLevel, ManagedRuntime } from "effect"
import { handshakeInputOf, isAcceptableUpgrade } from "../domain/Handshake.js"
import { clientRequestId } from "../domain/Headers.js"
import { type DefectReason, requestCompleted } from "../domain/LogEvent.js"
import { defectProblem } from "../domain/Problem.js"
import { acceptsJson, renderProblem } from "../domain/Render.js"
import { closeReason } from "../domain/SocketClose.js"
import type { WorkerEnv } from "../domain/Worker.js"
import { AgentRouter } from "../services/AgentRouter.js"
import { AgentsSdk } from "../services/AgentsSdk.js"
import { BuildInfo } from "../services/BuildInfo.js"
import { RequestLog } from "../services/RequestLog.js"
import { SocketRefusal } from "../services/SocketRefusal.js"
import { WorkerBindings } from "../services/WorkerBindings.js"
import { makeAppLive, type WorkerPlatform } from "./AppLive.js"
import { RequestLoggerLive } from "./Logging.js"
import { configProviderFrom } from "./WorkerVars.js"

/** The `fetch` of an `ExportedHandler`. */
export type FetchHandler = (request: Request, env: WorkerEnv, ctx: ExecutionContext) => Promise<Response>

/**
 * The last-resort answer, a 500, and its `request.completed` line through the request log: when the
 * application failed to build (`startup_failed`: nothing can be routed until the configuration is fixed), or
 * for a defect that escaped the pipeline's own handling (`defect`). A log sink that fails too does not stop
 * the answer.
 */
const lastResort = (request: Request, ctx: ExecutionContext, cause: Cause.Cause<unknown>, reason: DefectReason) =>
  Effect.flatMap(Effect.all([RequestLog, SocketRefusal]), ([log, refusal]) => {
    const requestId = crypto.randomUUID()
    // A WebSocket gets the defect as close 1011, which its script can read.
    const handshake = handshakeInputOf(request)
    const close = isAcceptableUpgrade(handshake)
      ? { code: 1011, reason: closeReason(1011, reason, defectProblem.detail, requestId) }
      : undefined
    const event = requestCompleted(
      {
        requestId,
        method: request.method,
        path: new URL(request.url).pathname,
        upgrade: handshake.upgrade,
        outcome: "Defect",
        status: 500,
        durationMs: 0,
        closeCode: close?.code,
        clientRequestId: clientRequestId(request.headers)
      },
      { agent: null, instance: null, reason, cause: Cause.pretty(cause) }
    )
    const response =
      close === undefined
        ? renderProblem(defectProblem, { requestId, json: acceptsJson(request.headers.get("accept")), diagnostics: false })
        : refusal.refuse(close, requestId)
    return log.write(LogLevel.Error, event, ctx).pipe(Effect.catchAllCause(() => Effect.void), Effect.as(response))
  })

/**
 * Builds the handler for one `env`; callers cache it per `env` so the runtime is built once. The request
 * log is built on its own first, so the last resort can log even when the application cannot start; the
 * router is taken out of the runtime once, so a request runs nothing but its own pipeline.
 */
export const makeHandler = (
  platform: Layer.Layer<Exclude<WorkerPlatform, WorkerBindings>>,
  env: WorkerEnv,
  requestLog: Layer.Layer<RequestLog> = RequestLog.Live
): FetchHandler => {
  // The last resort's runtime: the request log and the platform's socket refusal, nothing that can fail.
  const logs = ManagedRuntime.make(Layer.merge(RequestLoggerLive.pipe(Layer.provideMerge(requestLog)), platform))
  const sharedLog = Layer.effectContext(Effect.map(logs.runtimeEffect, (runtime) => runtime.context))
  const runtime = ManagedRuntime.make(
    makeAppLive(Layer.merge(platform, WorkerBindings.fromEnv(env)), configProviderFrom(env), sharedLog)
  )
  const fail = (request: Request, ctx: ExecutionContext, cause: Cause.Cause<unknown>, reason: DefectReason) =>
    logs.runPromise(lastResort(request, ctx, cause, reason))
  const run = (built: Exit.Exit<AgentRouter["Type"], unknown>, request: Request, requestEnv: WorkerEnv, ctx: ExecutionContext) =>
    Exit.isFailure(built)
      ? fail(request, ctx, built.cause, "startup_failed")
      : new Promise<Response>((resolve) => {
          runtime.runCallback(built.value.handle(request, { env: requestEnv, ctx }), {
            onExit: (exit) => resolve(Exit.isSuccess(exit) ? exit.value : fail(request, ctx, exit.cause, "defect"))
          })
        })
  // Once built, a request goes straight to its pipeline, without waiting a turn on the build's promise.
  let ready: Exit.Exit<AgentRouter["Type"], unknown> | undefined
  const router = runtime.runPromiseExit(AgentRouter).then((built) => (ready = built))
  return (request, requestEnv, ctx) =>
    ready === undefined ? router.then((built) => run(built, request, requestEnv, ctx)) : run(ready, request, requestEnv, ctx)
}

/** Caches one handler per `env` object, as the SDK caches its namespace map. */
export const handlerCache = (platform: Layer.Layer<Exclude<WorkerPlatform, WorkerBindings>>): FetchHandler => {
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

/**
 * The Worker's handler for an entry module: the platform's live services, and the agent classes the entry
 * exports (`classes`, read when the first request builds the runtime; see src/agents/AgentClasses.ts).
 */
export const workerFor = (classes: () => ReadonlyArray<string>): ExportedHandler<Record<string, unknown>> => {
  const fetch = handlerCache(Layer.mergeAll(AgentsSdk.Live, BuildInfo.layer(classes), SocketRefusal.Live))
  return { fetch: (request, env, ctx) => fetch(request, env, ctx) }
}
