/**
 * Forwards an enriched request to the agent's Durable Object through the SDK's `routeAgentRequest`.
 * Retryable platform errors are retried with jittered exponential backoff (bounded in attempts and total
 * time), overloaded ones never; every attempt is bounded by a timeout. A 5xx answer from the agent is a
 * failure too (the SDK answers 500 with the stack when agent code throws), never passed to the client.
 * Any other answer, a 101 with its `webSocket` included, is returned untouched.
 */
import { Context, Duration, Effect, Layer, Random, Schedule } from "effect"
import type { DeclaredAgent } from "../domain/AgentCatalog.js"
import { RoutingFailed, type RoutingFailedReason } from "../domain/Errors.js"
import type { WorkerEnv } from "../layers/WorkerContext.js"
import type { Forwarding } from "./RequestEnricher.js"
import { AgentsSdk } from "./AgentsSdk.js"
import { AppConfig, type RoutingPolicy } from "./AppConfig.js"

/** The agent's answer and how many attempts it took. */
export interface Forwarded {
  readonly response: Response
  readonly attempts: number
}

/** What to forward: the enriched request, for which agent and instance, with which `env`. */
export interface ForwardTarget {
  readonly forwarding: Forwarding
  readonly agent: DeclaredAgent
  readonly instance: string
  readonly env: WorkerEnv
}

/** Sends requests to agents. */
export class AgentGateway extends Context.Tag("app/AgentGateway")<
  AgentGateway,
  { readonly forward: (target: ForwardTarget) => Effect.Effect<Forwarded, RoutingFailed> }
>() {
  /** The gateway over the real SDK, with the configured retry and timeout policy. */
  static readonly Live = Layer.effect(
    AgentGateway,
    Effect.gen(function* () {
      const sdk = yield* AgentsSdk
      const config = yield* AppConfig
      return makeGateway(sdk.routeAgentRequest, config.prefix, config.routing)
    })
  )
}

/** A forward that did not answer in time. */
class TimedOut {
  readonly _tag = "TimedOut"
}

/** The agent answered with a 5xx; `body` is read so its stack never reaches the client. */
class ErrorStatus {
  readonly _tag = "ErrorStatus"
  constructor(
    readonly status: number,
    readonly body: string
  ) {}
}

// What the SDK answers when agent code throws during `fetch`: `new Response(err.stack, { status: 500 })`.
const stackTrace = /^[\w$.]*(?:Error|Exception)\b[^\n]*\n\s+at /

/** How one attempt settled, as a plain value: the deadline race then needs no Effect machinery of its own. */
type Attempt =
  | { readonly _tag: "Answered"; readonly response: Response | null }
  | { readonly _tag: "Failed"; readonly error: unknown }

/** The attempt's answer, or its failure: a thrown error, `TimedOut`, or `ErrorStatus` for an agent's 5xx. */
const settled = (attempt: Attempt): Effect.Effect<Response | null, unknown> => {
  if (attempt._tag === "Failed") return Effect.fail(attempt.error)
  const response = attempt.response
  if (response === null || response.status < 500) return Effect.succeed(response)
  return Effect.flatMap(
    Effect.promise(() => response.text().catch(() => "")),
    (body) => Effect.fail(new ErrorStatus(response.status, body))
  )
}

const flag = (error: unknown, name: string): boolean =>
  typeof error === "object" && error !== null && Reflect.get(error, name) === true

/** The platform marks transient Durable Object errors `retryable`; `overloaded` ones must not be retried. */
export const isRetryable = (error: unknown): boolean => flag(error, "retryable") && !flag(error, "overloaded")

const reasonOf = (error: unknown): RoutingFailedReason => {
  if (error instanceof TimedOut) return "timed_out"
  if (error instanceof ErrorStatus) return stackTrace.test(error.body) ? "threw" : "error_status"
  return flag(error, "overloaded") ? "overloaded" : "threw"
}

const clip = (text: string) => (text.length > 500 ? `${text.slice(0, 500)}...` : text)

const describe = (error: unknown, timeoutMs: number): string => {
  if (error instanceof TimedOut) return `no answer within ${timeoutMs} ms`
  if (error instanceof ErrorStatus) {
    // The first line of a stack is the error itself; the frames are noise in a log line.
    const firstLine = error.body.split("\n", 1)[0] ?? ""
    return clip(`agent answered ${error.status}${firstLine.length > 0 ? `: ${firstLine}` : ""}`)
  }
  return clip(error instanceof Error ? `${error.name}: ${error.message}` : String(error))
}

/** A gateway over a given routing function; `Live` passes the SDK's. */
export const makeGateway = (
  route: AgentsSdk["Type"]["routeAgentRequest"],
  prefix: string,
  policy: RoutingPolicy
): AgentGateway["Type"] => {
  // Backoff: base, 2 x base, 4 x base, ... each jittered by 0.8-1.2, as `Schedule.jittered` does. The retry
  // machinery is only built once a first attempt has failed: most requests never need it.
  const firstDelay = Effect.flatMap(Random.nextRange(0.8, 1.2), (factor) =>
    Effect.sleep(Duration.millis(policy.baseDelayMs * factor))
  )
  const laterDelays = Schedule.exponential(Duration.millis(policy.baseDelayMs * 2)).pipe(
    Schedule.jittered,
    Schedule.intersect(Schedule.recurs(Math.max(0, policy.maxAttempts - 2))),
    Schedule.upTo(Duration.millis(policy.retryBudgetMs))
  )
  return {
    forward: ({ agent, env, forwarding, instance }) => {
      const { prepare, request } = forwarding
      const options = { prefix, routingRetry: false, onBeforeRequest: prepare, onBeforeConnect: prepare } as const
      let attempts = 0
      // A request without a body (GET, every upgrade) can be sent again as it is; others are cloned per
      // attempt so a retry still has its body.
      const reusable = request.body === null || policy.maxAttempts === 1
      const attempt = () => {
        attempts += 1
        return withDeadline(() => route(reusable ? request : request.clone(), env, options), policy.timeoutMs)
      }
      const failed = (error: unknown) =>
        new RoutingFailed({
          agent: agent.className,
          instance,
          reason: reasonOf(error),
          attempts,
          cause: describe(error, policy.timeoutMs)
        })
      // Everything past a first good answer (backoff, retries, the tagged error) is built only when needed.
      const recover = (error: unknown): Effect.Effect<Response | null, RoutingFailed> =>
        policy.maxAttempts > 1 && isRetryable(error)
          ? firstDelay.pipe(
              Effect.zipRight(
                Effect.retry(Effect.flatMap(Effect.promise(attempt), settled), { schedule: laterDelays, while: isRetryable })
              ),
              Effect.mapError(failed)
            )
          : Effect.fail(failed(error))
      const answered = (response: Response | null): Effect.Effect<Forwarded> =>
        response === null
          ? Effect.dieMessage(`routeAgentRequest did not match the canonical URL ${request.url}`)
          : Effect.succeed({ response, attempts })
      return Effect.flatMap(Effect.promise(attempt), (first) =>
        first._tag === "Answered" && first.response !== null && first.response.status < 500
          ? Effect.succeed({ response: first.response, attempts })
          : Effect.flatMap(Effect.catchAll(settled(first), recover), answered)
      )
    }
  }
}

/**
 * Runs `start` with a deadline: `TimedOut` if it has not settled after `ms`. One timer per attempt and
 * no fiber or interruption handler (each of `Effect.timeout` and an `Effect.async` canceler cost more than
 * the rest of the pipeline). The SDK call cannot be cancelled anyway; the timer ends with it.
 */
const withDeadline = (start: () => Promise<Response | null>, ms: number): Promise<Attempt> =>
  new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ _tag: "Failed", error: new TimedOut() }), ms)
    const settle = (attempt: Attempt) => {
      clearTimeout(timer)
      resolve(attempt)
    }
    // `start` may throw before it returns a promise (a body that cannot be cloned): a failure too.
    let started: Promise<Response | null>
    try {
      started = start()
    } catch (error) {
      return settle({ _tag: "Failed", error })
    }
    started.then(
      (response) => settle({ _tag: "Answered", response }),
      (error: unknown) => settle({ _tag: "Failed", error })
    )
  })
