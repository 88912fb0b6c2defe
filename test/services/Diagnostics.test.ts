import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { LogLine } from "../../src/domain/coder/CoderEvents.js"
import { AgentRouter } from "../../src/services/AgentRouter.js"
import { fakeNamespace } from "../support/FakeNamespace.js"
import { request, send, testApp } from "../support/TestApp.js"

const TOKEN = "correct-horse-battery-staple"
const decodeLine = Schema.decodeUnknownSync(Schema.parseJson(LogLine))

/** Status and body of a request, with the request id masked so answers can be compared. */
const answer = (vars: Record<string, string>, path: string, headers: Record<string, string> = {}, env = {}) =>
  send(request(path, { headers }), env).pipe(
    Effect.flatMap((response) =>
      Effect.promise(() => response.text()).pipe(
        Effect.map((body) => ({ status: response.status, body: body.replace(/[0-9a-f-]{36}/g, "<id>") }))
      )
    ),
    Effect.provide(testApp(vars))
  )

describe("the diagnostics gate", () => {
  const cases = [
    { name: "right token", vars: { DIAGNOSTICS_TOKEN: TOKEN }, token: TOKEN, allowed: true },
    { name: "wrong token", vars: { DIAGNOSTICS_TOKEN: TOKEN }, token: "correct-horse-battery-stapler", allowed: false },
    { name: "no token", vars: { DIAGNOSTICS_TOKEN: TOKEN }, token: undefined, allowed: false },
    { name: "token set, var off, right token", vars: { DIAGNOSTICS_TOKEN: TOKEN, DIAGNOSTICS: "false" }, token: TOKEN, allowed: true },
    { name: "var on, no token configured", vars: { DIAGNOSTICS: "true" }, token: undefined, allowed: true },
    { name: "var on, any token", vars: { DIAGNOSTICS: "true", DIAGNOSTICS_TOKEN: TOKEN }, token: "nope", allowed: true },
    { name: "nothing configured, token sent", vars: {}, token: TOKEN, allowed: false }
  ]

  for (const { allowed, name, token, vars } of cases) {
    it.effect(`${name}: ${allowed ? "serves /_diagnostics and details" : "404 like any unknown path, no details"}`, () =>
      Effect.gen(function* () {
        const headers: Record<string, string> = token === undefined ? {} : { "x-diagnostics-token": token }
        const diagnostics = yield* answer(vars, "/_diagnostics", headers)
        const unknown = yield* answer(vars, "/_diagnostic", headers)
        const missing = yield* answer(vars, "/agents/coder-agent/x", headers)
        if (allowed) {
          expect(diagnostics.status).toBe(200)
          expect(JSON.parse(diagnostics.body)).toMatchObject({ agentsSdkVersion: "0.32.0", compatibilityDate: "2026-11-17" })
          expect(missing.body).toContain("binding: CoderAgent")
        } else {
          expect(diagnostics).toEqual({ ...unknown, body: unknown.body.replaceAll("/_diagnostic ", "/_diagnostics ") })
          expect(diagnostics.status).toBe(404)
          expect(missing.body).not.toContain("binding: ")
          expect(missing.body).not.toContain("wrangler.toml")
        }
      })
    )
  }

  it.effect("refuses a token too short to be a secret at start-up", () =>
    Effect.gen(function* () {
      const result = yield* Effect.either(Effect.provide(AgentRouter, testApp({ DIAGNOSTICS_TOKEN: "short" })))
      expect(result._tag).toBe("Left")
    })
  )
})

describe("/health and /_diagnostics", () => {
  it.effect("health says, per agent, whether its binding is present, without calling it", () =>
    Effect.gen(function* () {
      const { namespace, deliveries } = fakeNamespace()
      const healthy = yield* answer({}, "/health", {}, { CoderAgent: namespace })
      expect(healthy.status).toBe(200)
      expect(JSON.parse(healthy.body)).toEqual({
        status: "ok",
        agents: [{ agent: "CoderAgent", url: "/agents/coder-agent/{instance}", bindingPresent: true }]
      })
      const degraded = yield* answer({}, "/health", {}, {})
      expect(JSON.parse(degraded.body)).toMatchObject({ status: "degraded", agents: [{ bindingPresent: false }] })
      expect(deliveries).toEqual([])
    })
  )

  it.effect("diagnostics report names, aliases, binding facts and the fix for each problem", () =>
    Effect.gen(function* () {
      const report = JSON.parse((yield* answer({ DIAGNOSTICS: "true", ALLOWED_ORIGINS: "https://a.example" }, "/_diagnostics", {}, { CoderAgent: {} })).body)
      expect(report).toMatchObject({
        prefix: "agents",
        allowedOrigins: ["https://a.example"],
        agents: [
          {
            className: "CoderAgent",
            binding: "CoderAgent",
            urlName: "coder-agent",
            aliases: expect.arrayContaining(["CoderAgent", "coder-agent", "coder_agent", "coderagent"]),
            bindingPresent: true,
            hasIdFromName: false,
            classExported: true,
            problems: ["env.CoderAgent exists but is not a Durable Object namespace (no idFromName)"]
          }
        ]
      })
    })
  )

  it.effect("?probe=1 calls each agent once through the gateway and reports the round trip", () =>
    Effect.gen(function* () {
      const { namespace, deliveries } = fakeNamespace()
      const report = JSON.parse((yield* answer({ DIAGNOSTICS: "true" }, "/_diagnostics?probe=1", {}, { CoderAgent: namespace })).body)
      expect(report.agents[0].probe).toMatchObject({ ok: true, status: 200, roundTripMs: expect.any(Number) })
      expect(deliveries.map((d) => d.instance)).toEqual(["__diagnostics_probe"])
    })
  )
})

describe("log lines", () => {
  it.effect("never carry credentials, even when a cause quotes them", () =>
    Effect.gen(function* () {
      const { namespace } = fakeNamespace(() => Promise.reject(new Error("upstream refused Authorization: Bearer sk-live-123")))
      const logs: Array<string> = []
      const response = yield* send(
        request("/agents/coder-agent/x", { headers: { authorization: "Bearer sk-live-123" } }),
        { CoderAgent: namespace },
        logs
      ).pipe(Effect.provide(testApp({ DIAGNOSTICS: "true" })))
      expect(logs).toHaveLength(1)
      expect(logs[0]).not.toContain("sk-live-123")
      expect(decodeLine(logs[0])).toMatchObject({ outcome: "RoutingFailed", cause: expect.stringContaining("[redacted]") })
      expect(yield* Effect.promise(() => response.text())).toContain("cause:")
    })
  )

  it.effect("levels follow the outcome: INFO for routed and client errors, WARN for unavailable agents, ERROR for defects", () =>
    Effect.gen(function* () {
      const logs: Array<string> = []
      const ok = fakeNamespace()
      const broken = fakeNamespace(() => Promise.reject(new Error("boom")))
      const defect = fakeNamespace(() => Promise.resolve(null as unknown as Response))
      yield* send(request("/agents/coder-agent/x"), { CoderAgent: ok.namespace }, logs)
      yield* send(request("/agents/coder-agent/"), { CoderAgent: ok.namespace }, logs)
      yield* send(request("/agents/coder-agent/x"), {}, logs)
      yield* send(request("/agents/coder-agent/x"), { CoderAgent: broken.namespace }, logs)
      yield* send(request("/agents/coder-agent/x"), { CoderAgent: defect.namespace }, logs)
      const lines = logs.map((line) => decodeLine(line))
      expect(lines.map((l) => [l.event, "outcome" in l ? l.outcome : null, l.level])).toEqual([
        ["request.completed", "routed", "INFO"],
        ["request.completed", "InvalidRoute", "INFO"],
        ["request.completed", "MissingBinding", "WARN"],
        ["request.completed", "RoutingFailed", "WARN"],
        ["request.completed", "Defect", "ERROR"]
      ])
      expect(lines[4]).toMatchObject({ status: 500, cause: expect.any(String) })
      for (const line of logs) expect(line.includes("\n")).toBe(false)
    }).pipe(Effect.provide(testApp()))
  )
})
