/**
 * The request pipeline, top to bottom as the data flows: the router's own pages, else
 * parse path -> resolve agent -> validate instance -> CORS preflight -> authenticate -> check handshake
 * -> enrich -> forward,
 * and on any failure the one answer `problemFor` gives that error. Every request ends in exactly one
 * `request.completed` log line.
 */
import { Context, Effect, Either, Layer, LogLevel, Option } from "effect"
import { type DeclaredAgent, urlNames } from "../domain/AgentCatalog.js"
import { type Answered, failureAnswer, type Finished, ownJson, withRequestId } from "../domain/Answers.js"
import { allowedOrigin, isPreflight, preflightHeaders } from "../domain/Cors.js"
import {
  type InvalidRoute,
  type MissingBinding,
  PreflightRejected,
  type RouteNotFound,
  type RouterError,
  type RoutingFailed,
  type UpgradeRejected
} from "../domain/Errors.js"
import { checkHandshake, isUpgradeRequest } from "../domain/Handshake.js"
import { REQUEST_ID_HEADER } from "../domain/Headers.js"
import { indexText } from "../domain/IndexPage.js"
import { levelOf } from "../domain/LogEvent.js"
import { acceptsJson } from "../domain/Render.js"
import { canonicalPath, parseAgentPath, validateInstance, withoutParam } from "../domain/Route.js"
import type { LogEvent } from "../layers/JsonLogger.js"
import type { WorkerContext } from "../layers/WorkerContext.js"
import { AgentGateway } from "./AgentGateway.js"
import { AgentRegistry } from "./AgentRegistry.js"
import { AppConfig } from "./AppConfig.js"
import { Authenticator, TOKEN_PARAM } from "./Authenticator.js"
import { Diagnostics } from "./Diagnostics.js"
import { RequestEnricher } from "./RequestEnricher.js"
import { RequestLog } from "./RequestLog.js"

/**
 * One request in flight: what every step reads, and what the log line says about it, filled in as the
 * pipeline learns it (`agent`, `instance`, `attempts`).
 */
interface InFlight {
  readonly request: Request
  readonly url: URL
  readonly requestId: string
  readonly started: number
  readonly worker: WorkerContext
  agent: string | null
  instance: string | null
  attempts: number | undefined
}

/** The declared agent, decoded instance and rest of the path an agent URL names. */
interface Located {
  readonly agent: DeclaredAgent
  readonly instance: string
  readonly rest: string
}

type LocateError = RouteNotFound | MissingBinding | InvalidRoute

const readMethods = new Set(["GET", "HEAD"])
const ownPaths = new Set(["/", "/health", "/_diagnostics"])

const logLevels = { INFO: LogLevel.Info, WARN: LogLevel.Warning, ERROR: LogLevel.Error } as const

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
      const clock = yield* Effect.clock
      const known = urlNames(registry.catalog)
      const index = indexText(registry.catalog, config.prefix)

      const corsEnabled = config.allowedOrigins.length > 0

      /** The router's own pages: `/`, `/health`, and `/_diagnostics` when allowed. */
      const ownPage = ({ request, requestId, url, worker }: InFlight) =>
        Effect.gen(function* (): Effect.fn.Return<Option.Option<Answered>> {
          if (!readMethods.has(request.method)) return Option.none()
          const head = request.method === "HEAD"
          if (url.pathname === "/") {
            const headers = { "content-type": "text/plain; charset=utf-8", [REQUEST_ID_HEADER]: requestId }
            return Option.some({ response: new Response(head ? null : index, { headers }), outcome: "index" })
          }
          if (url.pathname === "/health") {
            return Option.some({ response: ownJson(diagnostics.health(worker.env), requestId, head), outcome: "health" })
          }
          // Without permission, /_diagnostics is answered exactly like any unknown path.
          if (url.pathname === "/_diagnostics" && (yield* diagnostics.allows(request))) {
            const report = yield* diagnostics.report(worker.env, url.origin, url.searchParams.get("probe") === "1")
            return Option.some({ response: ownJson(report, requestId, head), outcome: "diagnostics" })
          }
          return Option.none()
        })

      /** Where an agent request goes; the synchronous steps, each failure a row of the table. */
      const locate = (flight: InFlight): Either.Either<Located, LocateError> => {
        const { pathname } = flight.url
        const path = parseAgentPath(pathname, config.prefix, known)
        if (Either.isLeft(path)) return Either.left(path.left)
        flight.agent = path.right.agentSegment
        const agent = registry.resolve(path.right.agentSegment, pathname, flight.worker.env)
        if (Either.isLeft(agent)) return Either.left(agent.left)
        flight.agent = agent.right.className
        const instance = validateInstance(agent.right.className, path.right.rawInstance)
        if (Either.isLeft(instance)) return Either.left(instance.left)
        flight.instance = instance.right
        return Either.right({ agent: agent.right, instance: instance.right, rest: path.right.rest })
      }

      /** A CORS preflight for an agent URL, answered from the allow-list. */
      const preflight = ({ request, requestId }: InFlight): Either.Either<Answered, PreflightRejected> => {
        const origin = allowedOrigin(request.headers, config.allowedOrigins)
        if (origin === undefined) return Either.left(new PreflightRejected({ origin: request.headers.get("origin") ?? "" }))
        const headers = { ...preflightHeaders(origin, request.headers.get("access-control-request-headers")), [REQUEST_ID_HEADER]: requestId }
        return Either.right({ response: new Response(null, { status: 204, headers }), outcome: "preflight" })
      }

      /** Handshake check, then the forward to the agent's Durable Object. */
      const forward = (flight: InFlight, to: Located): Effect.Effect<Answered, UpgradeRejected | RoutingFailed> => {
        const { request, requestId, url } = flight
        const handshake = checkHandshake(
          { method: request.method, headers: request.headers, hasBody: request.body !== null },
          config.allowedOrigins
        )
        if (Either.isLeft(handshake)) return Effect.fail(handshake.left)
        const search = authenticator.enabled ? withoutParam(url, TOKEN_PARAM) : url.search
        const target = `${url.origin}${canonicalPath(config.prefix, to.agent.urlName, to.instance, to.rest)}${search}`
        return Effect.map(
          gateway.forward({
            forwarding: enricher.enrich(request, target, requestId, authenticator.enabled),
            agent: to.agent,
            instance: to.instance,
            env: flight.worker.env
          }),
          (forwarded): Answered => {
            flight.attempts = forwarded.attempts
            return { response: withRequestId(forwarded.response, requestId), outcome: "routed" }
          }
        )
      }

      /** An agent request: locate -> CORS preflight -> authenticate -> handshake -> forward. */
      const route = (flight: InFlight): Effect.Effect<Answered, RouterError> => {
        const located = locate(flight)
        if (Either.isLeft(located)) return Effect.fail(located.left)
        const { request, url } = flight
        if (corsEnabled && isPreflight(request.method, request.headers)) return preflight(flight)
        if (!authenticator.enabled) return forward(flight, located.right)
        return Effect.flatMap(authenticator.check(request, url), () => forward(flight, located.right))
      }

      const answer = (flight: InFlight) =>
        // Most requests are agent requests: only the router's own paths go through `ownPage`.
        ownPaths.has(flight.url.pathname)
          ? Effect.flatMap(ownPage(flight), (page) => (Option.isSome(page) ? Effect.succeed(page.value) : route(flight)))
          : route(flight)

      /** The response with CORS headers, and its one log line. */
      const finish = (flight: InFlight, { details, outcome, response }: Finished): Effect.Effect<Response> => {
        const { request } = flight
        if (corsEnabled && response.status !== 101) {
          const origin = allowedOrigin(request.headers, config.allowedOrigins)
          if (origin !== undefined) response.headers.set("access-control-allow-origin", origin)
          response.headers.append("vary", "Origin")
        }
        const event = {
          event: "request.completed",
          requestId: flight.requestId,
          method: request.method,
          path: flight.url.pathname,
          agent: flight.agent,
          instance: flight.instance,
          upgrade: isUpgradeRequest(request.headers),
          outcome,
          status: response.status,
          durationMs: clock.unsafeCurrentTimeMillis() - flight.started,
          ...(flight.attempts === undefined ? {} : { attempts: flight.attempts }),
          ...details
        } satisfies LogEvent
        return Effect.as(requestLog.write(logLevels[levelOf(outcome)], event, flight.worker), response)
      }

      const handle = (request: Request, worker: WorkerContext) =>
        Effect.suspend(() => {
          const started = clock.unsafeCurrentTimeMillis()
          return Effect.flatMap(enricher.requestId(request), (requestId) => {
            const flight: InFlight = {
              request,
              url: new URL(request.url),
              requestId,
              started,
              worker,
              agent: null,
              instance: null,
              attempts: undefined
            }
            return Effect.matchCauseEffect(answer(flight), {
              onSuccess: (answered) => finish(flight, { ...answered, details: {} }),
              onFailure: (cause) =>
                Effect.flatMap(diagnostics.allows(request), (allowed) =>
                  finish(
                    flight,
                    failureAnswer(cause, config.prefix, {
                      requestId,
                      json: acceptsJson(request.headers.get("accept")),
                      diagnostics: allowed
                    })
                  )
                )
            })
          })
        })

      return { handle }
    })
  )
}
