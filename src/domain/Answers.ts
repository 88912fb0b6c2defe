/**
 * The answers the router builds itself: its own JSON pages, an agent's answer with the request id added,
 * and a failed request's answer with the log fields it adds. Pure functions of their inputs.
 */
import { Cause } from "effect"
import type { RouterError } from "./Errors.js"
import { REQUEST_ID_HEADER } from "./Headers.js"
import type { Outcome } from "./LogEvent.js"
import { defectProblem, problemFor } from "./Problem.js"
import { renderProblem } from "./Render.js"

/** A successful request's answer and its outcome. */
export interface Answered {
  readonly response: Response
  readonly outcome: "routed" | "index" | "health" | "diagnostics" | "preflight"
}

/** What a request ended with: the answer, its outcome, and the log fields a failure adds. */
export interface Finished {
  readonly response: Response
  readonly outcome: Outcome
  readonly details: Record<string, string | number>
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

/** The answer and log details for a failed request: a tagged error's table row, or a 500 for a defect. */
export const failureAnswer = (
  cause: Cause.Cause<RouterError>,
  prefix: string,
  render: { readonly requestId: string; readonly json: boolean; readonly diagnostics: boolean }
): Finished => {
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
