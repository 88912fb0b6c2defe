import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { RequestCompleted } from "../../src/domain/LogEvent.js"
import type { WorkerEnv } from "../../src/domain/Worker.js"
import { AgentRouter } from "../../src/services/AgentRouter.js"
import { fakeNamespace } from "../support/FakeNamespace.js"
import { request, send, testApp, upgradeHeaders } from "../support/TestApp.js"
import { routeAgentRequest } from "../support/Sdk.js"

const decodeLine = Schema.decodeUnknownSync(Schema.parseJson(RequestCompleted))

describe("AgentRouter", () => {
  layer(testApp())((it) => {
    it.effect("routes every alias spelling to the same Durable Object at the SDK's canonical URL", () =>
      Effect.gen(function* () {
        const { namespace, deliveries } = fakeNamespace()
        for (const spelling of ["coderagent", "CoderAgent", "coder-agent", "coder_agent"]) {
          const response = yield* send(request(`/agents/${spelling}/default/x?_pk=abc`), { CoderAgent: namespace })
          expect(response.status).toBe(200)
        }
        expect(deliveries.map((d) => d.instance)).toEqual(["default", "default", "default", "default"])
        expect(new Set(deliveries.map((d) => d.request.url))).toEqual(
          new Set(["http://router.test/agents/coder-agent/default/x?_pk=abc"])
        )
      })
    )

    it.effect("reads the client's request.url once (Node's undici serialises it on every read)", () =>
      Effect.gen(function* () {
        const { namespace } = fakeNamespace()
        let reads = 0
        class CountingRequest extends Request {
          override get url() {
            reads++
            return super.url
          }
        }
        const response = yield* send(new CountingRequest("http://router.test/agents/coder-agent/default?_pk=1"), { CoderAgent: namespace })
        expect(response.status).toBe(200)
        // One read by the router, one by the SDK's routeAgentRequest (it parses the URL it is handed).
        expect(reads).toBe(2)
      })
    )

    it.effect("reads the client's Upgrade header once (the handshake rules, the answer and the line share it)", () =>
      Effect.gen(function* () {
        const { namespace } = fakeNamespace()
        const client = new Request("http://router.test/agents/coder-agent/default?_pk=1")
        const reads: Array<string> = []
        const get = client.headers.get.bind(client.headers)
        client.headers.get = (name: string) => {
          reads.push(name.toLowerCase())
          return get(name)
        }
        const response = yield* send(client, { CoderAgent: namespace })
        expect(response.status).toBe(200)
        // One read by the router, one by the SDK's routeAgentRequest, which is handed this same request.
        expect(reads.filter((name) => name === "upgrade")).toHaveLength(2)
      })
    )

    it.effect("reads its URL's pathname once (Node's URL slices a new string out of the href on every read)", () =>
      Effect.gen(function* () {
        const url = "http://router.test/agents/coder-agent/default?_pk=1"
        const pathname = Object.getOwnPropertyDescriptor(URL.prototype, "pathname")!
        let reads = 0
        const counting = (run: () => Promise<unknown>) =>
          Effect.acquireUseRelease(
            Effect.sync(() => {
              reads = 0
              Object.defineProperty(URL.prototype, "pathname", {
                ...pathname,
                get(this: URL) {
                  reads++
                  return pathname.get!.call(this)
                }
              })
            }),
            () => Effect.map(Effect.promise(run), () => reads),
            () => Effect.sync(() => Object.defineProperty(URL.prototype, "pathname", pathname))
          )
        const env = { CoderAgent: fakeNamespace().namespace }
        const bySdk = yield* counting(() => routeAgentRequest(new Request(url), env))
        const byRouter = yield* counting(() => Effect.runPromise(Effect.provide(send(new Request(url), env), testApp())))
        expect(byRouter - bySdk).toBe(1)
      })
    )

    it.effect("keeps method, body and ordinary headers; strips internal ones; sets x-request-id", () =>
      Effect.gen(function* () {
        const { namespace, deliveries } = fakeNamespace()
        const logs: Array<string> = []
        const response = yield* send(
          request("/agents/coderagent/room", {
            method: "POST",
            body: "hello",
            headers: {
              "content-type": "text/plain",
              authorization: "Bearer t",
              "x-agents-lifecycle-props": "eyJhZG1pbiI6dHJ1ZX0=",
              "x-partykit-room": "other",
              "x-partykit-namespace": "other",
              "x-agents-router-trusted": "1",
              "x-cf-agents-subagent-url": "http://x/agents/coder-agent/p/sub/coder-agent/viaheader",
              "x-request-id": "client-42"
            }
          }),
          { CoderAgent: namespace },
          logs
        )
        // The router's own id, never the client's (logged beside it as clientRequestId).
        const requestId = response.headers.get("x-request-id")
        expect(requestId).toMatch(/^[0-9a-f-]{36}$/)
        expect(decodeLine(logs[0])).toMatchObject({ requestId, clientRequestId: "client-42" })
        const received = deliveries[0]?.request
        expect(received?.method).toBe("POST")
        expect(yield* Effect.promise(() => received?.text() ?? Promise.resolve(""))).toBe("hello")
        const names = [...(received?.headers.keys() ?? [])]
        expect(names).toEqual(expect.arrayContaining(["content-type", "authorization", "x-request-id"]))
        expect(names.filter((n) => n.startsWith("x-partykit-") || n.startsWith("x-agents-") || n.startsWith("x-cf-agents-"))).toEqual([])
        expect(received?.headers.get("x-request-id")).toBe(requestId)
      })
    )

    it.effect("passes an agent's answer on as it is when the agent echoed the request id; copies it otherwise", () =>
      Effect.gen(function* () {
        const answers: Array<Response> = []
        // As the agents here do (echoRequestId): the id the router sent, on the answer.
        const { namespace } = fakeNamespace(async (received) => {
          const answer = new Response("hi", { headers: { "x-request-id": received.headers.get("x-request-id") ?? "" } })
          answers.push(answer)
          return answer
        })
        const plain = yield* send(request("/agents/coder-agent/echoing"), { CoderAgent: namespace })
        expect(plain).toBe(answers[0])
        expect(plain.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/)
        // CORS headers to add: a copy, with the id and the headers.
        const cors = yield* send(request("/agents/coder-agent/echoing", { headers: { origin: "https://app.example" } }), { CoderAgent: namespace })
        expect(cors).not.toBe(answers[1])
        expect(cors.headers.get("x-request-id")).toBe(answers[1]?.headers.get("x-request-id"))
        expect(cors.headers.get("access-control-allow-origin")).toBe("*")
        expect(yield* Effect.promise(() => cors.text())).toBe("hi")
        // An agent that does not echo it, or echoes another: a copy with the router's own id.
        const { namespace: other } = fakeNamespace(async () => new Response("hi", { headers: { "x-request-id": "not-this-one" } }))
        const logs: Array<string> = []
        const copied = yield* send(request("/agents/coder-agent/other"), { CoderAgent: other }, logs)
        expect(copied.headers.get("x-request-id")).toBe(decodeLine(logs[0]).requestId)
      })
    )

    it.effect("decodes an instance once: encoded spellings of one name reach one canonical URL", () =>
      Effect.gen(function* () {
        const { namespace, deliveries } = fakeNamespace()
        for (const raw of ["caf%C3%A9", "caf%c3%a9", "café"]) {
          yield* send(request(`/agents/coder-agent/${raw}`), { CoderAgent: namespace })
        }
        expect(new Set(deliveries.map((d) => d.request.url)).size).toBe(1)
      })
    )

    it.effect("answers each failure-table row through the pipeline", () =>
      Effect.gen(function* () {
        const { namespace, deliveries } = fakeNamespace()
        const env = { CoderAgent: namespace }
        const status = (path: string, init?: RequestInit, e: WorkerEnv = env) =>
          send(request(path, init), e).pipe(Effect.map((r) => r.status))
        expect(yield* status("/agents/nope/default")).toBe(404)
        expect(yield* status("/nothing-here")).toBe(404)
        expect(yield* status("/agents/coder-agent")).toBe(400)
        expect(yield* status("/agents/coder-agent/a%2Fb")).toBe(400)
        expect(yield* status("/agents/coder-agent/x", { headers: { ...upgradeHeaders(), "sec-websocket-version": "8" } })).toBe(426)
        expect(yield* status("/agents/coder-agent/x", { headers: { ...upgradeHeaders(), "sec-websocket-key": "short" } })).toBe(400)
        expect(yield* status("/agents/coder-agent/x", {}, {})).toBe(503)
        expect(yield* status("/agents/coder-agent/x", {}, { CoderAgent: "not a namespace" })).toBe(503)
        expect(deliveries).toEqual([])
      })
    )

    it.effect("answers a missing binding with the connection-issues message and Retry-After", () =>
      Effect.gen(function* () {
        const response = yield* send(request("/agents/CoderAgent/default", { headers: { accept: "application/json" } }), {})
        expect(response.status).toBe(503)
        expect(response.headers.get("retry-after")).toBe("30")
        const body = yield* Effect.promise(() => response.json() as Promise<Record<string, unknown>>)
        expect(body["detail"]).toBe("The CoderAgent is experiencing connection issues. Please try again later.")
        expect(body["binding"]).toBeUndefined()
      })
    )

    it.effect("turns a Durable Object that throws into RoutingFailed 503, never a bare 500", () =>
      Effect.gen(function* () {
        const { namespace } = fakeNamespace(() => Promise.reject(new Error("agent exploded")))
        const logs: Array<string> = []
        const response = yield* send(request("/agents/coder-agent/x"), { CoderAgent: namespace }, logs)
        expect(response.status).toBe(503)
        expect(yield* Effect.promise(() => response.text())).not.toContain("exploded")
        expect(decodeLine(logs[0])).toMatchObject({ outcome: "RoutingFailed", level: "WARN", reason: "threw", attempts: 1 })
      })
    )

    it.effect("serves the index at / with the agent URLs", () =>
      Effect.gen(function* () {
        const response = yield* send(request("/"), {})
        expect(response.status).toBe(200)
        expect(yield* Effect.promise(() => response.text())).toContain("/agents/coder-agent/{instance}")
      })
    )

    it.effect("writes exactly one request.completed line per request, matching the documented schema", () =>
      Effect.gen(function* () {
        const { namespace } = fakeNamespace()
        const logs: Array<string> = []
        yield* send(request("/agents/coder-agent/default"), { CoderAgent: namespace }, logs)
        yield* send(request("/agents/nope/default"), { CoderAgent: namespace }, logs)
        yield* send(request("/agents/coder-agent/x"), {}, logs)
        expect(logs).toHaveLength(3)
        const lines = logs.map((line) => decodeLine(line))
        expect(lines.map((l) => [l.outcome, l.status, l.level])).toEqual([
          ["routed", 200, "INFO"],
          ["RouteNotFound", 404, "INFO"],
          ["MissingBinding", 503, "WARN"]
        ])
        expect(lines[0]).toMatchObject({ agent: "CoderAgent", instance: "default", method: "GET", upgrade: false })
      })
    )
  })

  layer(testApp({ DIAGNOSTICS: "true", AGENTS_PREFIX: "/api/agents/", ALLOWED_ORIGINS: "https://app.example" }))((it) => {
    it.effect("shows binding details with diagnostics, honours the prefix and the origin allow-list", () =>
      Effect.gen(function* () {
        const missing = yield* send(request("/api/agents/coder-agent/x"), {})
        expect(yield* Effect.promise(() => missing.text())).toContain("binding: CoderAgent")
        const { namespace, deliveries } = fakeNamespace()
        const foreign = yield* send(
          request("/api/agents/coder-agent/x", { headers: { ...upgradeHeaders(), origin: "https://evil.example" } }),
          { CoderAgent: namespace }
        )
        expect(foreign.headers.get("x-test-close-code")).toBe("4403")
        expect(deliveries).toEqual([])
        // With a list, every answer varies on Origin: an agent's echoed answer is copied to say so.
        const { namespace: echoing } = fakeNamespace(async (received) =>
          new Response("hi", { headers: { "x-request-id": received.headers.get("x-request-id") ?? "" } })
        )
        const listed = yield* send(request("/api/agents/coder-agent/x"), { CoderAgent: echoing })
        expect(listed.headers.get("vary")).toContain("Origin")
        expect((yield* send(request("/agents/coder-agent/x"), { CoderAgent: namespace })).status).toBe(404)
      })
    )
  })

  it.effect("refuses to start when two declared agents collide on an alias", () =>
    Effect.gen(function* () {
      const result = yield* Effect.either(Effect.provide(AgentRouter, testApp({ AGENTS: "CoderAgent,Coder_Agent" })))
      expect(result._tag).toBe("Left")
    })
  )
})
