/**
 * Every way past the router's rules that an attacker tried (issue 11), through the production pipeline
 * with the SDK's real routing and fake Durable Objects.
 */
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { RequestCompleted } from "../../src/domain/LogEvent.js"
import { fakeNamespace } from "../support/FakeNamespace.js"
import { request, send, testApp } from "../support/TestApp.js"

const decodeLine = Schema.decodeUnknownSync(Schema.parseJson(RequestCompleted))
const json = { accept: "application/json" }
const bodyOf = (response: Response) => Effect.promise(() => response.text())

describe("sub-agent paths are held to the top level's rules", () => {
  layer(testApp({ AGENTS: "CoderAgent" }))((it) => {
    it.effect("a valid child reaches the SDK at its canonical URL; the log names parent and child", () =>
      Effect.gen(function* () {
        const { namespace, deliveries } = fakeNamespace()
        const logs: Array<string> = []
        const response = yield* send(request("/agents/coderagent/victimA/sub/CODER_AGENT/caf%c3%a9/x?_pk=1"), { CoderAgent: namespace }, logs)
        expect(response.status).toBe(200)
        expect(deliveries.map((d) => d.request.url)).toEqual(["http://router.test/agents/coder-agent/victimA/sub/coder-agent/caf%C3%A9/x?_pk=1"])
        expect(decodeLine(logs[0])).toMatchObject({
          agent: "CoderAgent",
          instance: "victimA",
          subAgents: [{ agent: "CoderAgent", instance: "café" }]
        })
      })
    )

    it.effect("a child name with control characters is refused with 400, no Durable Object touched", () =>
      Effect.gen(function* () {
        const { namespace, deliveries } = fakeNamespace()
        const response = yield* send(request("/agents/coderagent/victimA/sub/coder-agent/a%01b%0D%0A", { headers: json }), { CoderAgent: namespace })
        expect(response.status).toBe(400)
        expect(JSON.parse(yield* bodyOf(response))).toMatchObject({ reason: "instance_control_characters" })
        expect(deliveries).toEqual([])
      })
    )

    it.effect("a child class AGENTS does not declare is refused with 404, even when the Worker exports it", () =>
      Effect.gen(function* () {
        const { namespace, deliveries } = fakeNamespace()
        const response = yield* send(request("/agents/coderagent/p/sub/fault-agent/x", { headers: json }), { CoderAgent: namespace })
        expect(response.status).toBe(404)
        expect(JSON.parse(yield* bodyOf(response))).toMatchObject({ reason: "agent_not_found", agent: "fault-agent" })
        expect(deliveries).toEqual([])
      })
    )

    it.effect("the SDK's internal sub-agent header never reaches an agent", () =>
      Effect.gen(function* () {
        const { namespace, deliveries } = fakeNamespace()
        yield* send(
          request("/agents/coderagent/p", { headers: { "x-cf-agents-subagent-url": "http://x/agents/coder-agent/p/sub/coder-agent/viaheader" } }),
          { CoderAgent: namespace }
        )
        expect(deliveries[0]?.request.headers.get("x-cf-agents-subagent-url")).toBeNull()
        expect(deliveries[0]?.instance).toBe("p")
      })
    )
  })
})

describe("instance names", () => {
  layer(testApp())((it) => {
    it.effect("are named as the SDK and AgentClient name them: @ : + = , stay; NFD and NFC are one", () =>
      Effect.gen(function* () {
        const { namespace, deliveries } = fakeNamespace()
        for (const raw of ["alice@example.com", "alice%40example.com", "alice:proj1", "a+b", "x=1,y", "cafe%CC%81", "caf%C3%A9"]) {
          expect((yield* send(request(`/agents/coder-agent/${raw}`), { CoderAgent: namespace })).status).toBe(200)
        }
        expect(deliveries.map((d) => d.instance)).toEqual([
          "alice@example.com",
          "alice@example.com",
          "alice:proj1",
          "a+b",
          "x=1,y",
          "caf%C3%A9",
          "caf%C3%A9"
        ])
      })
    )

    it.effect("one length rule, on the name the Durable Object gets: 171 x é is refused before any agent runs", () =>
      Effect.gen(function* () {
        const { namespace, deliveries } = fakeNamespace()
        const refused = yield* send(request(`/agents/coder-agent/${"%C3%A9".repeat(171)}`, { headers: json }), { CoderAgent: namespace })
        expect(refused.status).toBe(400)
        expect(JSON.parse(yield* bodyOf(refused))).toMatchObject({ reason: "instance_too_long" })
        expect((yield* send(request(`/agents/coder-agent/${"%C3%A9".repeat(170)}`), { CoderAgent: namespace })).status).toBe(200)
        expect(deliveries).toHaveLength(1)
      })
    )

    it.effect("look-alikes are refused: zero-width, U+202E, BOM", () =>
      Effect.gen(function* () {
        const { namespace, deliveries } = fakeNamespace()
        for (const raw of ["ali%E2%80%8Bce", "%E2%80%AEecila", "%EF%BB%BFalice"]) {
          const response = yield* send(request(`/agents/coder-agent/${raw}`, { headers: json }), { CoderAgent: namespace })
          expect(response.status).toBe(400)
          expect(JSON.parse(yield* bodyOf(response))).toMatchObject({ reason: "instance_invisible_characters" })
        }
        expect(deliveries).toEqual([])
      })
    )
  })
})

describe("logs a client cannot blow up or forge", () => {
  layer(testApp())((it) => {
    it.effect("a 120 KB path makes a short line and a short answer", () =>
      Effect.gen(function* () {
        const logs: Array<string> = []
        const response = yield* send(request(`/${"a".repeat(120_000)}`, { headers: json }), {}, logs)
        expect(response.status).toBe(404)
        expect((yield* bodyOf(response)).length).toBeLessThan(2_000)
        expect(logs[0]?.length).toBeLessThan(4_000)
        expect(decodeLine(logs[0])).toMatchObject({ status: 404, outcome: "RouteNotFound" })
      })
    )

    it.effect("a client's x-request-id is logged as its own field, never adopted", () =>
      Effect.gen(function* () {
        const logs: Array<string> = []
        const response = yield* send(request("/nothing", { headers: { "x-request-id": "someone-elses-id" } }), {}, logs)
        expect(response.headers.get("x-request-id")).not.toBe("someone-elses-id")
        expect(decodeLine(logs[0])).toMatchObject({ requestId: response.headers.get("x-request-id"), clientRequestId: "someone-elses-id" })
      })
    )
  })
})

describe("binding names are the operator's", () => {
  layer(testApp({ AGENTS: "CoderAgent,Ghost:SECRET_BINDING_X", DIAGNOSTICS: "false" }))((it) => {
    it.effect("/, /health and the 404 list show agent names only; the MissingBinding line names binding and fix", () =>
      Effect.gen(function* () {
        const env = { CoderAgent: fakeNamespace().namespace }
        const logs: Array<string> = []
        for (const path of ["/", "/health", "/agents/nobody/x"]) {
          const text = yield* bodyOf(yield* send(request(path), env))
          expect(text, path).not.toMatch(/secret[-_]binding[-_]x/i)
          expect(text, path).toContain("ghost")
        }
        const missing = yield* send(request("/agents/ghost/x", { headers: json }), env, logs)
        expect(missing.status).toBe(503)
        expect(yield* bodyOf(missing)).not.toMatch(/SECRET_BINDING_X/i)
        expect(decodeLine(logs[0])).toMatchObject({
          outcome: "MissingBinding",
          agent: "Ghost",
          binding: "SECRET_BINDING_X",
          hint: expect.stringContaining('name = "SECRET_BINDING_X"')
        })
      })
    )

    it.effect("when env has the namespace under another name, the hint names the AGENTS entry to set", () =>
      Effect.gen(function* () {
        const logs: Array<string> = []
        const env = { CoderAgent: fakeNamespace().namespace, GHOST_NS: fakeNamespace().namespace }
        yield* send(request("/agents/ghost/x"), env, logs)
        expect(decodeLine(logs[0]).hint).toContain('set the AGENTS var to "Ghost:GHOST_NS"')
      })
    )
  })

  layer(testApp({}, ["CODER_AGENT"]))((it) => {
    it.effect("without AGENTS, agents are discovered from env as the SDK does: a renamed binding routes", () =>
      Effect.gen(function* () {
        const { namespace, deliveries } = fakeNamespace()
        const response = yield* send(request("/agents/coderagent/default"), { CODER_AGENT: namespace })
        expect(response.status).toBe(200)
        expect(deliveries.map((d) => new URL(d.request.url).pathname)).toEqual(["/agents/coder-agent/default"])
      })
    )
  })
})
