/**
 * The request pipeline, top to bottom as the data flows: the router's own pages, else
 * parse path -> resolve agent -> validate instance -> CORS preflight -> authenticate -> check handshake
 * -> enrich -> forward,
 * and on any failure the one answer `problemFor` gives that error. Every request ends in exactly one
 * `request.completed` log line.
 */
import { Cause, Clock, Context, Effect, Exit, Layer, LogLevel, Option } from "effect"
import { urlNames } from "../domain/AgentCatalog.js"
import { allowedOrigin, isPreflight, preflightHeaders } from "../domain/Cors.js"
import { PreflightRejected, type RouterError } from "../domain/Errors.js"
import { checkHandshake, isUpgradeRequest } from "../domain/Handshake.js"
import { REQUEST_ID_HEADER } from "../domain/Headers.js"
import { indexText } from "../domain/IndexPage.js"
import { levelOf, type Outcome } from "../domain/LogEvent.js"
import { defectProblem, problemFor } from "../domain/Problem.js"
import { acceptsJson, renderProblem } from "../domain/Render.js"
import { canonicalPath, parseAgentPath, validateInstance } from "../domain/Route.js"
import type { LogEvent } from "../layers/JsonLogger.js"
import type { WorkerContext, WorkerEnv } from "../layers/WorkerContext.js"
import { AgentGateway } from "./AgentGateway.js"
import { AgentRegistry } from "./AgentRegistry.js"
import { AppConfig } from "./AppConfig.js"
import { Authenticator, TOKEN_PARAM } from "./Authenticator.js"
import { Diagnostics } from "./Diagnostics.js"
import { RequestEnricher } from "./RequestEnricher.js"
import { RequestLog } from "./RequestLog.js"

/** What the log line says about a request, filled in as the pipeline learns it. */
interface Facts {
  agent: string | null
  instance: string | null
  attempts: number | undefined
}

interface Answered {
  readonly response: Response
  readonly outcome: "routed" | "index" | "health" | "diagnostics" | "preflight"
}

/** The query string of `url` without `name` (left byte-for-byte alone when `name` is absent). */
const withoutParam = (url: URL, name: string): string => {
  if (!url.searchParams.has(name)) return url.search
  const params = new URLSearchParams(url.search)
  params.delete(name)
  const rest = params.toString()
  return rest.length === 0 ? "" : `?${rest}`
}

const readMethods = new Set(["GET", "HEAD"])
const ownPaths = new Set(["/", "/health", "/_diagnostics"])

/** A JSON answer of the router's own (index, health, diagnostics), never cached. */
const ownJson = (body: unknown, requestId: string, head: boolean) =>
  new Response(head ? null : JSON.stringify(body, null, 2), {
    headers: { "content-type": "application/json", "cache-control": "no-store", [REQUEST_ID_HEADER]: requestId }
  })

const logLevels = { INFO: LogLevel.Info, WARN: LogLevel.Warning, ERROR: LogLevel.Error } as const

/** Adds the request id to an agent's HTTP answer. A 101 is left untouched: its headers are immutable. */
const withRequestId = (response: Response, requestId: string): Response => {
  if (response.status === 101) return response
  const copy = new Response(response.body, response)
  copy.headers.set(REQUEST_ID_HEADER, requestId)
  return copy
}

/** Handles one request end to end; never fails, never throws. */
export class AgentRouter extends Context.Tag("app/AgentRouter")<
  AgentRouter,
  { readonly handle: (request: Request, worker: WorkerContext) => Effect.Effect<Response> }
>() {
  static readonly Live = Layer.effect(
    AgentRouter,
    Effect.gen(function* () {
      const config = yield* AppConfig
      const registry = yield* AgentRegistry
      const enricher = yield* RequestEnricher
      const gateway = yield* AgentGateway
      const diagnostics = yield* Diagnostics
      const authenticator = yield* Authenticator
      const requestLog = yield* RequestLog
      const known = urlNames(registry.catalog)
      const index = indexText(registry.catalog, config.prefix)

      const corsEnabled = config.allowedOrigins.length > 0

      /** The router's own pages: `/`, `/health`, and `/_diagnostics` when allowed. */
      const ownPage = (request: Request, url: URL, requestId: string, env: WorkerEnv) =>
        Effect.gen(function* (): Effect.fn.Return<Option.Option<Answered>> {
          if (!readMethods.has(request.method)) return Option.none()
          const head = request.method === "HEAD"
          if (url.pathname === "/") {
            const headers = { "content-type": "text/plain; charset=utf-8", [REQUEST_ID_HEADER]: requestId }
            return Option.some({ response: new Response(head ? null : index, { headers }), outcome: "index" })
          }
          if (url.pathname === "/health") {
            return Option.some({ response: ownJson(diagnostics.health(env), requestId, head), outcome: "health" })
          }
          // Without permission, /_diagnostics is answered exactly like any unknown path.
          if (url.pathname === "/_diagnostics" && (yield* diagnostics.allows(request))) {
            const report = yield* diagnostics.report(env, url.origin, url.searchParams.get("probe") === "1")
            return Option.some({ response: ownJson(report, requestId, head), outcome: "diagnostics" })
          }
          return Option.none()
        })

      /** An agent request, step by step; each step's failure is a row of the table. */
      const route = (request: Request, url: URL, requestId: string, env: WorkerEnv, facts: Facts) =>
        Effect.gen(function* (): Effect.fn.Return<Answered, RouterError> {
          const path = yield* parseAgentPath(url.pathname, config.prefix, known)
          facts.agent = path.agentSegment
          const agent = yield* registry.resolve(path.agentSegment, url.pathname, env)
          facts.agent = agent.className
          const instance = yield* validateInstance(agent.className, path.rawInstance)
          facts.instance = instance
          if (corsEnabled && isPreflight(request.method, request.headers)) {
            const origin = allowedOrigin(request.headers, config.allowedOrigins)
            if (origin === undefined) return yield* new PreflightRejected({ origin: request.headers.get("origin") ?? "" })
            const headers = { ...preflightHeaders(origin, request.headers.get("access-control-request-headers")), [REQUEST_ID_HEADER]: requestId }
            return { response: new Response(null, { status: 204, headers }), outcome: "preflight" }
          }
          yield* authenticator.check(request, url)
          yield* checkHandshake(
            { method: request.method, headers: request.headers, hasBody: request.body !== null },
            config.allowedOrigins
          )
          const search = authenticator.enabled ? withoutParam(url, TOKEN_PARAM) : url.search
          const target = `${url.origin}${canonicalPath(config.prefix, agent.urlName, instance, path.rest)}${search}`
          const forwarded = yield* gateway.forward({
            forwarding: enricher.enrich(request, target, requestId, authenticator.enabled),
            agent,
            instance,
            env
          })
          facts.attempts = forwarded.attempts
          return { response: withRequestId(forwarded.response, requestId), outcome: "routed" }
        })

      const answer = (request: Request, url: URL, requestId: string, env: WorkerEnv, facts: Facts) =>
        Effect.gen(function* (): Effect.fn.Return<Answered, RouterError> {
          // Most requests are agent requests: only the router's own paths go through `ownPage`.
          const page = ownPaths.has(url.pathname) ? yield* ownPage(request, url, requestId, env) : Option.none()
          return Option.isSome(page) ? page.value : yield* route(request, url, requestId, env, facts)
        })

      const handle = (request: Request, worker: WorkerContext) =>
        Effect.gen(function* () {
          const started = yield* Clock.currentTimeMillis
          const requestId = yield* enricher.requestId(request)
          const url = new URL(request.url)
          const facts: Facts = { agent: null, instance: null, attempts: undefined }
          const exit = yield* Effect.exit(answer(request, url, requestId, worker.env, facts))
          const { outcome, response, details } = Exit.isSuccess(exit)
            ? { ...exit.value, details: {} }
            : failureAnswer(exit.cause, config.prefix, {
                requestId,
                json: acceptsJson(request.headers.get("accept")),
                diagnostics: yield* diagnostics.allows(request)
              })
          if (corsEnabled && response.status !== 101) {
            const origin = allowedOrigin(request.headers, config.allowedOrigins)
            if (origin !== undefined) response.headers.set("access-control-allow-origin", origin)
            response.headers.append("vary", "Origin")
          }
          const durationMs = (yield* Clock.currentTimeMillis) - started
          yield* requestLog.write(logLevels[levelOf(outcome)], {
            event: "request.completed",
            requestId,
            method: request.method,
            path: url.pathname,
            agent: facts.agent,
            instance: facts.instance,
            upgrade: isUpgradeRequest(request.headers),
            outcome,
            status: response.status,
            durationMs,
            ...(facts.attempts === undefined ? {} : { attempts: facts.attempts }),
            ...details
          } satisfies LogEvent, worker)
          return response
        })

      return { handle }
    })
  )
}

/** The answer and log details for a failed request: a tagged error's table row, or a 500 for a defect. */
const failureAnswer = (
  cause: Cause.Cause<RouterError>,
  prefix: string,
  render: { readonly requestId: string; readonly json: boolean; readonly diagnostics: boolean }
): { response: Response; outcome: Outcome; details: Record<string, string | number> } => {
  const failure = Cause.failureOption(cause)
  if (failure._tag === "Some") {
    const error = failure.value
    const problem = problemFor(error, prefix)
    const details: Record<string, string | number> = { reason: problem.reason }
    // A missing binding fails before the agent is resolved; name it by its class as routed requests are.
    if (error._tag === "MissingBinding") details.agent = error.agent
    if (error._tag === "RoutingFailed") {
      details.attempts = error.attempts
      details.cause = error.cause
    }
    return { response: renderProblem(problem, render), outcome: error._tag, details }
  }
  return {
    response: renderProblem(defectProblem, render),
    outcome: "Defect",
    details: { reason: "defect", cause: Cause.pretty(cause) }
  }
}
