import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Fiber, Runtime, TestClock } from "effect"
import { makeGateway } from "../../src/services/AgentGateway.js"
import { fakeNamespace, type Behaviour } from "../support/FakeNamespace.js"
import { routeAgentRequest } from "../support/Sdk.js"

const agent = { className: "CoderAgent", binding: "CoderAgent", urlName: "coder-agent", publicName: "coder-agent", aliasKeys: ["coderagent"] }
const policy = { maxAttempts: 3, baseDelayMs: 1, retryBudgetMs: 1_000, timeoutMs: 200 }

const platformError = (flags: { retryable?: boolean; overloaded?: boolean }) =>
  Object.assign(new Error("Durable Object reset"), flags)

const forward = (behaviour: Behaviour, overrides: Partial<typeof policy> = {}) => {
  const { namespace, deliveries } = fakeNamespace(behaviour)
  const request = new Request("http://router.test/agents/coder-agent/default", { method: "POST", body: "payload" })
  return makeGateway(routeAgentRequest, "agents", { ...policy, ...overrides }).pipe(
    Effect.flatMap((gateway) =>
      gateway.forward({ forwarding: { request, prepare: () => undefined }, agent, instance: "default", env: { CoderAgent: namespace } })
    ),
    Effect.either,
    Effect.map((result) => ({ result, deliveries }))
  )
}

describe("AgentGateway", () => {
  it.live("passes the agent's answer through with one attempt", () =>
    Effect.gen(function* () {
      const { result } = yield* forward(async () => new Response("hi", { status: 201 }))
      expect(Either.map(result, (f) => [f.response.status, f.attempts])).toEqual(Either.right([201, 1]))
    })
  )

  it.live("retries a retryable error and answers normally when it clears, body intact", () =>
    Effect.gen(function* () {
      const { result, deliveries } = yield* forward(async (request, _instance, attempt) =>
        attempt === 1 ? Promise.reject(platformError({ retryable: true })) : new Response(await request.text())
      )
      expect(Either.isRight(result)).toBe(true)
      if (Either.isRight(result)) {
        expect(result.right.attempts).toBe(2)
        expect(yield* Effect.promise(() => result.right.response.text())).toBe("payload")
      }
      expect(deliveries).toHaveLength(2)
    })
  )

  it.live("gives up after the configured attempts", () =>
    Effect.gen(function* () {
      const { result, deliveries } = yield* forward(() => Promise.reject(platformError({ retryable: true })))
      expect(Either.getLeft(result).pipe((o) => o._tag === "Some" && [o.value.reason, o.value.attempts])).toEqual(["threw", 3])
      expect(deliveries).toHaveLength(3)
    })
  )

  it.live("never retries an overloaded Durable Object", () =>
    Effect.gen(function* () {
      const { result, deliveries } = yield* forward(() =>
        Promise.reject(platformError({ retryable: true, overloaded: true }))
      )
      expect(Either.getLeft(result).pipe((o) => o._tag === "Some" && [o.value.reason, o.value.attempts])).toEqual(["overloaded", 1])
      expect(deliveries).toHaveLength(1)
    })
  )

  it.live("bounds a forward that hangs with the timeout", () =>
    Effect.gen(function* () {
      const { result } = yield* forward(() => new Promise<Response>(() => undefined))
      expect(Either.getLeft(result).pipe((o) => o._tag === "Some" && [o.value.reason, o.value.cause])).toEqual([
        "timed_out",
        "no answer within 200 ms"
      ])
    })
  )

  it.live("stops retrying when the retry budget is spent, whatever the attempt count", () =>
    Effect.gen(function* () {
      const { deliveries, result } = yield* forward(() => Promise.reject(platformError({ retryable: true })), {
        maxAttempts: 10,
        baseDelayMs: 40,
        retryBudgetMs: 50
      })
      expect(Either.isLeft(result)).toBe(true)
      expect(deliveries.length).toBeGreaterThanOrEqual(2)
      expect(deliveries.length).toBeLessThan(10)
    })
  )

  it.live("turns the SDK's 500-with-stack (agent code threw) into RoutingFailed 'threw', keeping only the first line", () =>
    Effect.gen(function* () {
      const stack = "Error: secret internals\n    at Agent.onRequest (worker.js:1:1)\n    at fetch (worker.js:2:2)"
      const { deliveries, result } = yield* forward(async () => new Response(stack, { status: 500 }))
      expect(Either.getLeft(result).pipe((o) => o._tag === "Some" && [o.value.reason, o.value.cause, o.value.attempts])).toEqual([
        "threw",
        "agent answered 500: Error: secret internals",
        1
      ])
      expect(deliveries).toHaveLength(1)
    })
  )

  it.live("turns any other 5xx answer into RoutingFailed 'error_status', not retried", () =>
    Effect.gen(function* () {
      const { deliveries, result } = yield* forward(async () => new Response("down for maintenance", { status: 503 }))
      expect(Either.getLeft(result).pipe((o) => o._tag === "Some" && [o.value.reason, o.value.cause])).toEqual([
        "error_status",
        "agent answered 503: down for maintenance"
      ])
      expect(deliveries).toHaveLength(1)
    })
  )

  it.live("passes 4xx answers through: they are the agent's to give", () =>
    Effect.gen(function* () {
      const { result } = yield* forward(async () => new Response("nope", { status: 405 }))
      expect(Either.map(result, (f) => f.response.status)).toEqual(Either.right(405))
    })
  )

  describe("retry budget, on the TestClock", () => {
    /**
     * Forwards once with a route whose every attempt fails (retryable) after `failAfterMs` of test time,
     * driving the TestClock in small steps; returns when each attempt started and the result.
     */
    const timed = (failAfterMs: number, overrides: Partial<typeof policy>) =>
      Effect.gen(function* () {
        const clock = yield* Effect.clock
        const runtime = yield* Effect.runtime<never>()
        const starts: Array<number> = []
        const route = async () => {
          starts.push(clock.unsafeCurrentTimeMillis())
          if (failAfterMs > 0) await Runtime.runPromise(runtime)(Effect.sleep(`${failAfterMs} millis`))
          throw platformError({ retryable: true })
        }
        const gateway = yield* makeGateway(route, "agents", { ...policy, timeoutMs: 60_000, ...overrides })
        const request = new Request("http://router.test/agents/coder-agent/default")
        const fiber = yield* Effect.fork(
          gateway.forward({ forwarding: { request, prepare: () => undefined }, agent, instance: "default", env: {} })
        )
        for (let step = 0; step < 200 && fiber.unsafePoll() === null; step++) {
          yield* TestClock.adjust("2 millis")
          yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
        }
        return { starts, result: yield* Effect.either(Fiber.join(fiber)) }
      })

    it.effect("counts from the first attempt: attempts that fail after 80 ms get one retry within a 100 ms budget", () =>
      Effect.gen(function* () {
        const { result, starts } = yield* timed(80, { maxAttempts: 10, baseDelayMs: 10, retryBudgetMs: 100 })
        // First at 0, fails at 80; the retry starts after 8-12 ms (<= 100). The next would start after 168 ms.
        expect(starts).toHaveLength(2)
        expect(starts[0]).toBe(0)
        expect(starts[1]).toBeGreaterThanOrEqual(88)
        expect(starts[1]).toBeLessThanOrEqual(100)
        expect(Either.getLeft(result).pipe((o) => o._tag === "Some" && o.value.attempts)).toBe(2)
      })
    )

    it.effect("no retry starts later than the budget after the first attempt, delays included", () =>
      Effect.gen(function* () {
        // Instant failures, base 10 ms: retries at ~10, ~30, ~70 ms; the next (~150 ms) is past the budget.
        const { result, starts } = yield* timed(0, { maxAttempts: 10, baseDelayMs: 10, retryBudgetMs: 100 })
        expect(starts).toHaveLength(4)
        expect(Math.max(...starts)).toBeLessThanOrEqual(100)
        expect(Either.getLeft(result).pipe((o) => o._tag === "Some" && [o.value.reason, o.value.attempts])).toEqual(["threw", 4])
      })
    )
  })
})
