/**
 * The answers the router builds itself: its own JSON pages, an agent's answer with the request id added,
 * and a failed request's answer with the log fields it adds. Pure functions of their inputs.
 */
import { Cause } from "effect"
import type { RouterError } from "./Errors.js"
import { REQUEST_ID_HEADER } from "./Headers.js"
import type { Outcome, RequestFacts } from "./LogEvent.js"
import { defectProblem, type Problem, problemFor } from "./Problem.js"
import { closeReason, type SocketClose } from "./SocketClose.js"
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
  readonly subAgents?: ReadonlyArray<{ readonly agent: string; readonly instance: string }> | undefined
}

/** What the `request.completed` line says about a request beyond its answer's status. */
export type { RequestFacts }

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
  /** The log line's level: a failure's row says; an answered request is INFO. */
  readonly level?: Problem["level"]
}

/** A JSON answer of the router's own (index, health, diagnostics), never cached. */
export const ownJson = (body: unknown, requestId: string, head: boolean) =>
  new Response(head ? null : JSON.stringify(body, null, 2), {
    headers: { "content-type": "application/json", "cache-control": "no-store", [REQUEST_ID_HEADER]: requestId }
  })

/**
 * An agent's HTTP answer with the request id. It reaches the Worker with immutable headers, so adding one
 * means a copy (about 9 µs per call in bench:micro:workerd): an answer that already carries this id (the
 * agents here echo it, src/agents/RequestIdEcho.ts) is passed on as it is unless `edits` (CORS headers to
 * add) needs it mutable. A 101 is left untouched.
 */
export const withRequestId = (response: Response, requestId: string, edits: boolean): Response => {
  if (response.status === 101) return response
  if (!edits && response.headers.get(REQUEST_ID_HEADER) === requestId) return response
  const copy = new Response(response.body, response)
  copy.headers.set(REQUEST_ID_HEADER, requestId)
  return copy
}

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
  const answer = (problem: Problem, outcome: Outcome, facts: RequestFacts): Finished => ({
    response: renderProblem(problem, render),
    outcome,
    facts,
    level: problem.level,
    ...(closable && problem.close !== undefined
      ? { close: { code: problem.close, reason: closeReason(problem.close, problem.reason, problem.detail, render.requestId) } }
      : {})
  })
  if (failure._tag === "None") return answer(defectProblem, "Defect", { ...place, reason: "defect", cause: Cause.pretty(cause) })
  const problem = problemFor(failure.value, prefix)
  return answer(problem, failure.value._tag, { ...place, ...problem.facts, reason: problem.reason })
}
