/**
 * The request pipeline, top to bottom as the data flows: the router's own pages (OwnPages), else
 * locate (parse path -> resolve agent -> validate instance -> check sub-agent steps) -> CORS preflight
 * -> authenticate -> authorize (the instance is the caller's) -> check handshake -> enrich -> forward,
 * and on any failure the one answer `failureAnswer` gives that error (a closed socket for a refused
 * upgrade). Each step returns what it learned as a value; every request ends in exactly one
 * `request.completed` line, built by `requestCompleted`.
 */
import { Cause, Context, Effect, Either, Layer, LogLevel, Option } from "effect"
import { type DeclaredAgent, publicNames } from "../domain/AgentCatalog.js"
import { type Answered, failureAnswer, type Finished, type Place, type RequestFacts, withRequestId } from "../domain/Answers.js"
import { allowOriginValue, isPreflight, preflightHeaders, varyOnOrigin } from "../domain/Cors.js"
import { anyone, type Caller, mayOpen, userOf } from "../domain/Access.js"
import {
  type AuthUnavailable,
  Forbidden,
  type InvalidRoute,
  type MissingBinding,
  PreflightRejected,
  type RateLimited,
  type RouteNotFound,
  type RoutingFailed,
  type Unauthorized,
  type UpgradeRejected
} from "../domain/Errors.js"
import { checkHandshake, type HandshakeInput, handshakeInputOf, isAcceptableUpgrade } from "../domain/Handshake.js"
import { clientRequestId, REQUEST_ID_HEADER } from "../domain/Headers.js"
import { requestCompleted } from "../domain/LogEvent.js"
import { acceptsJson } from "../domain/Render.js"
import {
  boundUrl,
  canonicalPath,
  checkSubAgents,
  type CheckedRest,
  parseAgentPath,
  validateName,
  type ValidName,
  withoutParam
} from "../domain/Route.js"
import type { WorkerContext } from "../domain/Worker.js"
import { AgentGateway } from "./AgentGateway.js"
import { AgentRegistry } from "./AgentRegistry.js"
import { AppConfig } from "./AppConfig.js"
import { Authenticator, TOKEN_PARAM } from "./Authenticator.js"
import { Diagnostics } from "./Diagnostics.js"
import { RequestEnricher } from "./RequestEnricher.js"
import { OwnPages } from "./OwnPages.js"
import { RequestLog } from "./RequestLog.js"
import { SocketRefusal } from "./SocketRefusal.js"

/** The request as every step reads it. */
interface Incoming {
  readonly request: Request
  /** `request.url`, read once (Node serialises it on every read). */
  readonly href: string
  readonly url: URL
  /** `url.pathname`, read once (Node's URL slices it out of the href on every read). */
  readonly path: string
  readonly requestId: string
  readonly worker: WorkerContext
  /** What the handshake rules read (whether it is an upgrade, read once for the rules, the answer and the line). */
  readonly handshake: HandshakeInput
}

/** Where an agent request goes: the declared agent, the instance, and the rest with its sub-agent steps checked. */
interface Located {
  readonly agent: DeclaredAgent
  readonly instance: ValidName
  readonly rest: CheckedRest
}

/** What admitting a located request can fail with. */
type AdmitError = PreflightRejected | Unauthorized | Forbidden | RateLimited | AuthUnavailable | UpgradeRejected | RoutingFailed

const EXPOSED_HEADERS = `${REQUEST_ID_HEADER}, retry-after`

const logLevels = { INFO: LogLevel.Info, WARN: LogLevel.Warning, ERROR: LogLevel.Error } as const

/** A located request's line facts: its place, and for a forwarded one its attempts and verified user. */
const factsOf = ({ agent, instance, rest }: Located, attempts?: number, user?: string): RequestFacts & Place => ({
  agent: agent.className,
  instance: instance.name,
  subAgents: rest.children.length === 0 ? undefined : rest.children.map((child) => ({ agent: child.agent.className, instance: child.name })),
  attempts,
  user
})

/** The pipeline over the configured services, built once per runtime. */
const make = Effect.gen(function* () {
  const config = yield* AppConfig
  const registry = yield* AgentRegistry
  const enricher = yield* RequestEnricher
  const gateway = yield* AgentGateway
  const diagnostics = yield* Diagnostics
  const authenticator = yield* Authenticator
  const requestLog = yield* RequestLog
  const refusal = yield* SocketRefusal
  const clock = yield* Effect.clock
  const known = publicNames(registry.catalog)
  const pages = yield* OwnPages
  const corsByList = config.allowedOrigins.length > 0

  /**
   * One request, end to end: the router's own pages or an agent request, then its answer and log line.
   * The synchronous steps (locate, preflight, handshake, enrich) are plain functions inside one
   * `Effect.suspend`; only what waits (authentication, the forward, diagnostics) and the log write are
   * Effect steps (with the gateway's and the runtime's, about 7k instructions per request fewer by bench:count).
   */
  const handle = (request: Request, worker: WorkerContext) =>
    Effect.suspend(() => {
      const started = clock.unsafeCurrentTimeMillis()
      const href = request.url
      const url = new URL(href)
      const incoming: Incoming = {
        request,
        href,
        url,
        path: url.pathname,
        requestId: enricher.newRequestId(),
        worker,
        handshake: handshakeInputOf(request)
      }
      // Most requests are agent requests: only the router's own paths go through `OwnPages`.
      return pages.paths.has(incoming.path)
        ? Effect.flatMap(pages.answer(request, incoming.url, incoming.requestId, worker.env), (page) =>
            Option.isSome(page) ? finish(incoming, started, { ...page.value, facts: nowhere }) : agentRequest(incoming, started)
          )
        : agentRequest(incoming, started)
    })

  const nowhere = { agent: null, instance: null } as const

  /** An agent request, from locating it to its answer and log line. */
  const agentRequest = (incoming: Incoming, started: number): Effect.Effect<Response> =>
    Either.match(locate(incoming), {
      onLeft: (error) => failed(incoming, started, undefined, Cause.fail(error)),
      onRight: (to) =>
        Effect.matchCauseEffect(admit(incoming, to), {
          onSuccess: ({ attempts, outcome, response, user }) =>
            finish(incoming, started, { response, outcome, facts: factsOf(to, attempts, user) }),
          onFailure: (cause) => failed(incoming, started, factsOf(to), cause)
        })
    })

  /** Parse, resolve, validate, bound the URL, check sub-agent steps: synchronous, each failure a row of the table. */
  const locate = ({ path: pathname, url, worker }: Incoming): Either.Either<Located, RouteNotFound | MissingBinding | InvalidRoute> =>
    Either.flatMap(parseAgentPath(pathname, config.prefix, known), (path) =>
      Either.flatMap(registry.resolve(path.agentSegment, pathname, worker.env), (agent) =>
        Either.flatMap(validateName(agent.className, path.rawInstance), (instance) =>
          Either.flatMap(boundUrl(url.href, agent.className), () =>
            Either.map(checkSubAgents(path.rest, pathname, registry.children), (rest) => ({ agent, instance, rest }))
          )
        )
      )
    )

  /** A located request: CORS preflight, or authenticate -> authorize -> handshake -> forward. */
  const admit = (incoming: Incoming, to: Located): Effect.Effect<Answered, AdmitError> => {
    const { request, url, worker } = incoming
    if (isPreflight(request.method, request.headers)) return preflight(incoming)
    if (!authenticator.enabled) return forward(incoming, to, anyone)
    return Effect.flatMap(authenticator.check(request, url, worker.env), (caller): Effect.Effect<Answered, AdmitError> =>
      // Sub-agents belong to their parent's owner: the top-level instance decides.
      mayOpen(caller, to.instance.name)
        ? forward(incoming, to, caller)
        : Effect.fail(new Forbidden({ agent: to.agent.className, instance: to.instance.name, user: userOf(caller) ?? "" }))
    )
  }

  /** A CORS preflight for an agent URL, answered here from the Origin rule (it carries no credentials). */
  const preflight = ({ request, requestId, url }: Incoming): Either.Either<Answered, PreflightRejected> => {
    const allow = allowOriginValue(request.headers.get("origin"), config.allowedOrigins, url)
    if (allow === undefined) return Either.left(new PreflightRejected({ origin: request.headers.get("origin") ?? "" }))
    const headers = { ...preflightHeaders(allow, request.headers.get("access-control-request-headers")), [REQUEST_ID_HEADER]: requestId }
    return Either.right({ response: new Response(null, { status: 204, headers }), outcome: "preflight" })
  }

  /** Handshake check, enrichment, then the forward to the agent's Durable Object. */
  const forward = (
    { handshake, href, request, requestId, url, worker }: Incoming,
    to: Located,
    caller: Caller
  ): Effect.Effect<Answered, UpgradeRejected | RoutingFailed> =>
    Either.match(checkHandshake(handshake, config.allowedOrigins, url), {
      onLeft: (rejected) => Effect.fail(rejected),
      onRight: () => {
        const search = authenticator.enabled ? withoutParam(url, TOKEN_PARAM) : url.search
        const target = `${url.origin}${canonicalPath(config.prefix, to.agent.urlName, to.instance.segment, to.rest.rest)}${search}`
        const user = userOf(caller)
        const forwarding = enricher.enrich(request, href, target, requestId, { consumed: authenticator.enabled, user })
        return Effect.map(
          gateway.forward({ forwarding, agent: to.agent, instance: to.instance.name, env: worker.env }),
          ({ attempts, response }): Answered => ({
            response,
            outcome: "routed",
            attempts,
            ...(user === undefined ? {} : { user })
          })
        )
      }
    })

  /**
   * The answer to a failed request, with the place it was located at, if any, and its log line. A WebSocket
   * upgrade whose handshake can be accepted is answered with a close (see `SocketRefusal`); a broken one keeps HTTP.
   */
  const failed = (incoming: Incoming, started: number, at: Place | undefined, cause: Parameters<typeof failureAnswer>[0]) =>
    Effect.flatMap(diagnostics.allows(incoming.request), (allowed) => {
      const { request } = incoming
      const closable = isAcceptableUpgrade(incoming.handshake)
      const ended = failureAnswer(
        cause,
        at,
        config.prefix,
        { requestId: incoming.requestId, json: acceptsJson(request.headers.get("accept")), diagnostics: allowed },
        closable
      )
      return finish(incoming, started, ended)
    })

  /** The response with CORS headers (or the closed socket of a refused upgrade), and its one log line. */
  const finish = ({ handshake, path, request, requestId, url, worker }: Incoming, started: number, ended: Finished): Effect.Effect<Response> => {
    const { close, facts, outcome } = ended
    const answer = close === undefined ? ended.response : refusal.refuse(close, requestId)
    const upgraded = answer.status === 101
    const allow = upgraded ? undefined : allowOriginValue(request.headers.get("origin"), config.allowedOrigins, url)
    // The agent's answer gets the request id here, copied only when it must change (see `withRequestId`).
    const response = outcome === "routed" ? withRequestId(answer, requestId, allow !== undefined || corsByList) : answer
    if (!upgraded) {
      if (allow !== undefined) {
        response.headers.set("access-control-allow-origin", allow)
        // So a page's script can quote the request id and honour Retry-After.
        response.headers.set("access-control-expose-headers", EXPOSED_HEADERS)
      }
      // The answer depends on Origin only when a list decides it.
      if (corsByList) varyOnOrigin(response.headers)
    }
    const event = requestCompleted(
      {
        requestId,
        method: request.method,
        path,
        upgrade: handshake.upgrade,
        outcome,
        // A refused upgrade answered with a close keeps the table's status; `closeCode` says how it ended.
        status: ended.response.status,
        durationMs: clock.unsafeCurrentTimeMillis() - started,
        closeCode: close?.code,
        clientRequestId: clientRequestId(request.headers)
      },
      facts
    )
    return Effect.as(requestLog.write(logLevels[ended.level ?? "INFO"], event, worker.ctx), response)
  }

  return { handle }
})

/** Handles one request end to end; never fails, never throws. */
export class AgentRouter extends Context.Tag("app/AgentRouter")<AgentRouter, Effect.Effect.Success<typeof make>>() {
  static readonly Live = Layer.effect(this, make)
}
