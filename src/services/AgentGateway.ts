/**
 * Forwards an enriched request to the agent's Durable Object through the SDK's `routeAgentRequest`.
 * Retryable platform errors are retried with jittered exponential backoff (bounded in attempts and total
 * time), overloaded ones never; every attempt is bounded by a timeout. A 5xx answer from the agent is a
 * failure too (the SDK answers 500 with the stack when agent code throws), never passed to the client.
 * Any other answer, a 101 with its `webSocket` included, is returned untouched.
 */
import type { Placement } from "../domain/Placement.js"
import { Clock, Context, Duration, Effect, Layer, Schedule } from "effect"
import type { DeclaredAgent } from "../domain/AgentCatalog.js"
import { RoutingFailed, type RoutingFailedReason } from "../domain/Errors.js"
import type { WorkerEnv } from "../domain/Worker.js"
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
      return yield* makeGateway(sdk.routeAgentRequest, config.prefix, config.routing, config.placement)
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

/** A failed attempt, as the retry schedule reads it. */
interface FailedAttempt {
  readonly error: unknown
  /** When the first attempt of this forward started, by the gateway's `Clock`. */
  readonly firstStartedAt: number
}

/**
 * The retry policy as one `Schedule`: jittered exponential backoff (base, 2 x base, ... each x 0.8-1.2),
 * at most `maxAttempts - 1` retries, retryable errors only, and no retry that would start later than
 * `retryBudgetMs` after the first attempt started (checked with the delay included, before sleeping).
 */
export const retrySchedule = (policy: RoutingPolicy): Schedule.Schedule<Duration.Duration, FailedAttempt> =>
  Schedule.exponential(Duration.millis(policy.baseDelayMs)).pipe(
    Schedule.jittered,
    Schedule.intersect(Schedule.recurs(policy.maxAttempts - 1)),
    Schedule.delays,
    Schedule.whileInput((failed: FailedAttempt) => isRetryable(failed.error)),
    Schedule.checkEffect((failed: FailedAttempt, delay: Duration.Duration) =>
      Effect.map(
        Clock.currentTimeMillis,
        (now) => now + Duration.toMillis(delay) - failed.firstStartedAt <= policy.retryBudgetMs
      )
    )
  )

/**
 * A gateway over a given routing function (`Live` passes the SDK's). The retry schedule is built here, once;
 * the budget is measured with the current `Clock`, the one this effect runs with.
 */
export const makeGateway = (
  route: AgentsSdk["Type"]["routeAgentRequest"],
  prefix: string,
  policy: RoutingPolicy,
  placement: ReadonlyMap<string, Placement> = new Map()
): Effect.Effect<AgentGateway["Type"]> =>
  Effect.map(Effect.clock, (clock: Clock.Clock) => {
    const schedule = retrySchedule(policy)
    return {
      forward: ({ agent, env, forwarding, instance }) => {
        const { prepare, request } = forwarding
        // The agent's jurisdiction and location hint, if the operator set them (the SDK applies both).
        const options = { prefix, routingRetry: false, onBeforeRequest: prepare, onBeforeConnect: prepare, ...placement.get(agent.className) } as const
        // A request without a body (GET, every upgrade) can be sent again as it is; others are cloned per
        // attempt so a retry still has its body.
        const reusable = request.body === null || policy.maxAttempts === 1
        const attempt = () =>
          withDeadline(() => route(reusable ? request : request.clone(), env, options), policy.timeoutMs)
        const failed = (error: unknown, attempts: number) =>
          new RoutingFailed({ agent: agent.className, instance, reason: reasonOf(error), attempts, cause: describe(error, policy.timeoutMs) })
        const answered = (response: Response | null, attempts: number): Effect.Effect<Forwarded> =>
          response === null
            ? Effect.dieMessage(`routeAgentRequest did not match the canonical URL ${request.url}`)
            : Effect.succeed({ response, attempts })
        /** After a failed first attempt: each attempt's answer, or the schedule's next step, until it stops. */
        const retry = (first: Attempt, firstStartedAt: number) =>
          Effect.flatMap(Schedule.driver(schedule), (driver) => {
            const settle = (outcome: Attempt, attempts: number): Effect.Effect<Forwarded, RoutingFailed> =>
              Effect.matchEffect(settled(outcome), {
                onSuccess: (response) => answered(response, attempts),
                onFailure: (error) =>
                  Effect.matchEffect(driver.next({ error, firstStartedAt }), {
                    onFailure: () => Effect.fail(failed(error, attempts)),
                    onSuccess: () => Effect.flatMap(Effect.promise(attempt), (again) => settle(again, attempts + 1))
                  })
              })
            return settle(first, 1)
          })
        const firstStartedAt = clock.unsafeCurrentTimeMillis()
        // The first attempt resumes the fiber with its result directly: a good answer costs no Effect step
        // after the wait, and the retry machinery is built only when needed. `attempt` never rejects.
        return Effect.async<Forwarded, RoutingFailed>((resume) => {
          void attempt().then((first) =>
            resume(
              first._tag === "Answered" && first.response !== null && first.response.status < 500
                ? Effect.succeed({ response: first.response, attempts: 1 })
                : retry(first, firstStartedAt)
            )
          )
        })
      }
    }
  })

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
