/**
 * The answers the router builds itself: its own JSON pages, an agent's answer with the request id added,
 * and a failed request's answer with the log fields it adds. Pure functions of their inputs.
 */
import { Cause, Match } from "effect"
import type { RouterError } from "./Errors.js"
import { REQUEST_ID_HEADER } from "./Headers.js"
import type { Outcome, RequestCompletedEvent } from "./LogEvent.js"
import { defectProblem, missingBindingHint, type Problem, problemFor } from "./Problem.js"
import { closeCodeOf, closeReason, type SocketClose } from "./SocketClose.js"
import { renderProblem } from "./Render.js"

/** A successful request's answer and its outcome; `attempts` and the verified `user` when it was forwarded. */
export interface Answered {
  readonly response: Response
  readonly outcome: "routed" | "index" | "health" | "diagnostics" | "preflight"
  readonly attempts?: number
  readonly user?: string
}

/** Which agent and instance a request was found to name once located, and its sub-agent steps. */
export interface Place {
  readonly agent: string
  readonly instance: string
  readonly subAgents?: ReadonlyArray<{ readonly agent: string; readonly instance: string }>
}

/** What the `request.completed` line says about a request beyond its answer's status. */
export type RequestFacts = Pick<
  RequestCompletedEvent,
  "agent" | "instance" | "subAgents" | "attempts" | "reason" | "cause" | "binding" | "hint" | "user" | "clientAddress"
>

/**
 * What a request ended with: the answer, its outcome, and the facts its log line reports. `close` is set
 * for a refused WebSocket upgrade that is answered by a closed socket; `response` is then the HTTP answer
 * the table gives, whose status the log line keeps.
 */
export interface Finished {
  readonly response: Response
  readonly outcome: Outcome
  readonly facts: RequestFacts
  readonly close?: SocketClose
}

/** A JSON answer of the router's own (index, health, diagnostics), never cached. */
export const ownJson = (body: unknown, requestId: string, head: boolean) =>
  new Response(head ? null : JSON.stringify(body, null, 2), {
    headers: { "content-type": "application/json", "cache-control": "no-store", [REQUEST_ID_HEADER]: requestId }
  })

/** Adds the request id to an agent's HTTP answer. A 101 is left untouched: its headers are immutable. */
export const withRequestId = (response: Response, requestId: string): Response => {
  if (response.status === 101) return response
  const copy = new Response(response.body, response)
  copy.headers.set(REQUEST_ID_HEADER, requestId)
  return copy
}

/** The agent and instance a failure names, beside the place the request was located at (if it was). */
const failureFacts = (error: RouterError): Partial<RequestFacts> =>
  Match.value(error).pipe(
    Match.tagsExhaustive({
      // The segment as written: no agent answers to it.
      RouteNotFound: (e): Partial<RequestFacts> => ({ agent: e.agent ?? null }),
      InvalidRoute: (e): Partial<RequestFacts> => ({ agent: e.agent }),
      MissingBinding: (e): Partial<RequestFacts> => ({ agent: e.agent, binding: e.binding, hint: missingBindingHint(e) }),
      RoutingFailed: (e): Partial<RequestFacts> => ({ agent: e.agent, instance: e.instance, attempts: e.attempts, cause: e.cause }),
      UpgradeRejected: () => ({}),
      PreflightRejected: () => ({}),
      Unauthorized: () => ({}),
      Forbidden: (e): Partial<RequestFacts> => ({ user: e.user }),
      RateLimited: (e): Partial<RequestFacts> => ({ clientAddress: e.address }),
      AuthUnavailable: (e): Partial<RequestFacts> => ({ cause: e.cause })
    })
  )

/**
 * The answer and log facts for a failed request: a tagged error's table row, or a 500 for a defect.
 * `at` is where the request was located before it failed, if it got that far.
 */
export const failureAnswer = (
  cause: Cause.Cause<RouterError>,
  at: Place | undefined,
  prefix: string,
  render: { readonly requestId: string; readonly json: boolean; readonly diagnostics: boolean },
  /** The request is a WebSocket upgrade whose handshake can be accepted: it is answered with a close. */
  closable = false
): Finished => {
  const place: RequestFacts = {
    agent: at?.agent ?? null,
    instance: at?.instance ?? null,
    ...(at?.subAgents === undefined || at.subAgents.length === 0 ? {} : { subAgents: at.subAgents })
  }
  const failure = Cause.failureOption(cause)
  const closeWith = (code: number | undefined, problem: Problem) =>
    closable && code !== undefined ? { close: { code, reason: closeReason(code, problem.reason, problem.detail, render.requestId) } } : {}
  if (failure._tag === "None") {
    return {
      response: renderProblem(defectProblem, render),
      outcome: "Defect",
      facts: { ...place, reason: "defect", cause: Cause.pretty(cause) },
      ...closeWith(closeCodeOf("defect"), defectProblem)
    }
  }
  const error = failure.value
  const problem = problemFor(error, prefix)
  return {
    response: renderProblem(problem, render),
    outcome: error._tag,
    facts: { ...place, ...failureFacts(error), reason: problem.reason },
    ...closeWith(closeCodeOf(error), problem)
  }
}
