/**
 * Properties of the whole pipeline (production layers, real SDK routing, fake Durable Objects) over
 * generated paths, methods, header sets and environments.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect, FastCheck as fc, Option } from "effect"
import { isInternalHeader } from "../../src/domain/Headers.js"
import { validateName } from "../../src/domain/Route.js"
import { fakeNamespace } from "../support/FakeNamespace.js"
import { request, send, testApp, upgradeHeaders } from "../support/TestApp.js"

/**
 * Every status the failure table (plus routed answers, pages and preflights) can produce; 299 is the test
 * stand-in for a refused upgrade answered with a closed socket (workerd's 101), whose codes are `closeCodes`.
 */
const tableStatuses = new Set([200, 204, 299, 400, 401, 403, 404, 426, 503])
const closeCodes = new Set(["4400", "4401", "4403", "4404", "4429", "1013", "1011"])

/** How the fake agent behaves: answers, throws, or answers the SDK's 500-with-stack. */
const behaviours = {
  echo: undefined,
  throws: () => Promise.reject(new Error("internal detail\n    at secretFunction (agent.js:1:1)")),
  stack500: () => Promise.resolve(new Response("Error: internal detail\n    at secretFunction (agent.js:1:1)", { status: 500 }))
} as const
const behaviour = fc.constantFrom(...(Object.keys(behaviours) as Array<keyof typeof behaviours>))

const printable = fc.stringMatching(/^[\x20-\x7e]{0,24}$/)
const segment = fc.oneof(
  fc.constantFrom("default", "", ".", "..", "%", "%2F", "%2e%2E", "%00", "a%0Ab", "caf%C3%A9", "%C3", "a".repeat(1100), "x y", "%E2%82%AC"),
  fc.stringMatching(/^[A-Za-z0-9%._~-]{0,40}$/),
  fc.string({ unit: "grapheme", maxLength: 12 }).map(encodeURIComponent)
)
const agentSegment = fc.oneof(
  fc.constantFrom("coderagent", "CoderAgent", "coder-agent", "coder_agent", "CODER_AGENT", "nope", "coder", ""),
  fc.stringMatching(/^[A-Za-z0-9_-]{1,16}$/)
)
/** The rest of an agent URL: plain paths, and sub-agent steps (declared or not, valid names or not). */
const rest = fc.oneof(
  fc.constantFrom("", "/", "/rest/of/path", "/sub", "/sub/coder-agent", "/x/sub/coder-agent/child/leaf"),
  fc.constantFrom("/sub/coder-agent/child", "/sub/CODER_AGENT/a%01b%0D%0A", "/sub/fault-agent/x", "/sub/coder-agent/%E2%80%AEx", "/sub/coder-agent/sub/x"),
  fc.tuple(agentSegment, segment, fc.constantFrom("", "/leaf", "/sub/coder-agent/deeper")).map(([a, s, tail]) => `/sub/${a}/${s}${tail}`)
)
const path = fc.oneof(
  fc.constant("/"),
  fc.tuple(fc.constantFrom("agents", "Agents", "api", "agents/agents"), agentSegment, fc.option(segment), rest)
    .map(([prefix, agent, instance, rest]) => `/${prefix}/${agent}${instance === null ? "" : `/${instance}${rest}`}`),
  printable.map((p) => `/${encodeURI(p)}`)
)
const headerPool = fc.dictionary(
  fc.constantFrom(
    "upgrade", "connection", "sec-websocket-key", "sec-websocket-version", "origin", "accept",
    "x-agents-lifecycle-props", "x-partykit-room", "x-partykit-namespace", "x-agents-router-internal",
    "x-request-id", "cf-ray", "authorization", "content-type", "x-custom", "x-diagnostics-token",
    "access-control-request-method", "x-cf-agents-subagent-url", "x-cf-agents-anything"
  ),
  printable,
  { maxKeys: 8 }
)
const headers = fc.oneof(headerPool, headerPool.map((h) => ({ ...upgradeHeaders(), ...h })), fc.constant(upgradeHeaders()))
const method = fc.constantFrom("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH")
const withBinding = fc.boolean()

const runs = { fastCheck: { numRuns: 2_000 } }
// Each run sends its request twice (determinism), so 5,000 runs drive 10,000 requests through the pipeline.
const fuzzRuns = { fastCheck: { numRuns: 5_000 } }

/** One generated request, judged: status from the table, deterministic, nothing internal leaks either way. */
const judge = (p: string, m: string, h: Record<string, string>, bound: boolean, b: keyof typeof behaviours) =>
  Effect.gen(function* () {
    const { namespace, deliveries } = fakeNamespace(behaviours[b])
    const env = bound ? { CoderAgent: namespace } : {}
    const make = () => request(p, { method: m, headers: h })
    const first = yield* send(make(), env)
    const second = yield* send(make(), env)
    expect(tableStatuses.has(first.status)).toBe(true)
    expect(second.status).toBe(first.status)
    expect(first.headers.get("x-request-id")).toBeTruthy()
    if (first.status === 299) {
      expect(closeCodes.has(first.headers.get("x-test-close-code") ?? "")).toBe(true)
      expect(new TextEncoder().encode(first.headers.get("x-test-close-reason") ?? "").byteLength).toBeLessThanOrEqual(123)
    }
    if (first.status !== 200) {
      const body = yield* Effect.promise(() => first.text())
      expect(body).not.toMatch(/\n\s+at |secretFunction|internal detail/)
    }
    for (const delivery of deliveries) {
      expect([...delivery.request.headers.keys()].filter(isInternalHeader)).toEqual([])
      const parts = new URL(delivery.request.url).pathname.split("/")
      expect(parts.slice(0, 3).join("/")).toBe("/agents/coder-agent")
      // Every sub-agent step the SDK would find names a declared class and a name the rules accept: a child's
      // rules, which allow an encoded slash (issue 24), as checkSubAgents applies them.
      for (let i = 3; i + 2 < parts.length; i++) {
        if (parts[i] !== "sub") continue
        expect(parts[i + 1]).toBe("coder-agent")
        expect(validateName("CoderAgent", Option.some(parts[i + 2] ?? ""), encodeURIComponent, "allowed")._tag).toBe("Right")
        i += 2
      }
    }
  })

describe("AgentRouter properties", () => {
  layer(testApp())((it) => {
    it.effect.prop(
      "fuzz: 10,000 requests answer from the table, deterministically, leaking no internal header or stack",
      [path, method, headers, withBinding, behaviour],
      ([p, m, h, bound, b]) => judge(p, m, h, bound, b),
      fuzzRuns
    )

    it.effect.prop(
      "every alias spelling of CoderAgent reaches the CoderAgent binding",
      // Valid instance names only: every request must reach the agent (a 400 for all would not pass).
      [fc.array(fc.constantFrom("upper", "lower", "hyphen", "underscore"), { minLength: 10, maxLength: 10 }), fc.stringMatching(/^[A-Za-z0-9@:+=,~-]{1,40}$/).filter((name) => name !== "sub")],
      ([ops, instance]) =>
        Effect.gen(function* () {
          const spelled = [..."CoderAgent"]
            .map((ch, i) => {
              const op = ops[i]
              return op === "upper" ? ch.toUpperCase() : op === "lower" ? ch.toLowerCase() : op === "hyphen" ? `-${ch}` : `_${ch}`
            })
            .join("")
          const coder = fakeNamespace()
          const other = fakeNamespace()
          const response = yield* send(request(`/agents/${spelled}/${instance}`), { CoderAgent: coder.namespace, Other: other.namespace })
          expect(response.status).toBe(200)
          expect(coder.deliveries.map((d) => d.instance)).toEqual([instance])
          expect(other.deliveries).toEqual([])
        }),
      runs
    )
  })

  layer(testApp({ ALLOWED_ORIGINS: "https://app.example", AUTH_TOKEN: "a-shared-secret-of-some-length" }))((it) => {
    it.effect.prop(
      "with an origin allow-list and an access token, the same holds",
      [path, method, headers, withBinding, behaviour],
      ([p, m, h, bound, b]) => judge(p, m, h, bound, b),
      runs
    )
  })
})
