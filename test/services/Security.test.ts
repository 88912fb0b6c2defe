import { describe, expect, it, layer } from "@effect/vitest"
import { Effect } from "effect"
import { fakeNamespace } from "../support/FakeNamespace.js"
import { request, send, testApp, upgradeHeaders } from "../support/TestApp.js"

const TOKEN = "a-shared-secret-of-some-length"
const ALLOWED = "https://app.example"

describe("CORS preflight from the origin allow-list", () => {
  layer(testApp({ ALLOWED_ORIGINS: `${ALLOWED}, https://other.example` }))((it) => {
    it.effect("answers an allowed preflight itself, without touching the agent", () =>
      Effect.gen(function* () {
        const { namespace, deliveries } = fakeNamespace()
        const response = yield* send(
          request("/agents/coder-agent/x", {
            method: "OPTIONS",
            headers: { origin: ALLOWED, "access-control-request-method": "POST", "access-control-request-headers": "content-type" }
          }),
          { CoderAgent: namespace }
        )
        expect(response.status).toBe(204)
        expect(response.headers.get("access-control-allow-origin")).toBe(ALLOWED)
        expect(response.headers.get("access-control-allow-headers")).toBe("authorization, content-type")
        expect(response.headers.get("vary")).toContain("Origin")
        expect(deliveries).toEqual([])
      })
    )

    it.effect("refuses a preflight from another origin with 403", () =>
      Effect.gen(function* () {
        const { namespace, deliveries } = fakeNamespace()
        const response = yield* send(
          request("/agents/coder-agent/x", {
            method: "OPTIONS",
            headers: { origin: "https://evil.example", "access-control-request-method": "POST" }
          }),
          { CoderAgent: namespace }
        )
        expect(response.status).toBe(403)
        expect(response.headers.get("access-control-allow-origin")).toBeNull()
        expect(deliveries).toEqual([])
      })
    )

    it.effect("says Vary: Origin exactly once on preflight answers, allowed or refused, and keeps an agent's own Vary", () =>
      Effect.gen(function* () {
        const preflight = (origin: string) =>
          request("/agents/coder-agent/x", { method: "OPTIONS", headers: { origin, "access-control-request-method": "POST" } })
        const { namespace } = fakeNamespace(async () => new Response("hi", { headers: { vary: "Accept-Encoding" } }))
        const env = { CoderAgent: namespace }
        expect((yield* send(preflight(ALLOWED), env)).headers.get("vary")).toBe("Origin")
        expect((yield* send(preflight("https://evil.example"), env)).headers.get("vary")).toBe("Origin")
        const answered = yield* send(request("/agents/coder-agent/x", { headers: { origin: ALLOWED } }), env)
        expect(answered.headers.get("vary")).toBe("Accept-Encoding, Origin")
      })
    )

    it.effect("names allowed origins on agent answers, and no one else", () =>
      Effect.gen(function* () {
        const { namespace } = fakeNamespace()
        const allowed = yield* send(request("/agents/coder-agent/x", { headers: { origin: ALLOWED } }), { CoderAgent: namespace })
        expect(allowed.headers.get("access-control-allow-origin")).toBe(ALLOWED)
        const other = yield* send(request("/agents/coder-agent/x", { headers: { origin: "https://evil.example" } }), { CoderAgent: namespace })
        expect(other.headers.get("access-control-allow-origin")).toBeNull()
      })
    )

    it.effect("refuses a WebSocket from another origin (cross-site WebSocket hijacking) before any agent is touched", () =>
      Effect.gen(function* () {
        const { namespace, deliveries } = fakeNamespace()
        const response = yield* send(
          request("/agents/coder-agent/x", { headers: { ...upgradeHeaders(), origin: "https://evil.example" } }),
          { CoderAgent: namespace }
        )
        // Answered with a socket closed 4403 (issue 13); the test refusal stands in for workerd's 101.
        expect(response.headers.get("x-test-close-code")).toBe("4403")
        expect(response.headers.get("x-test-close-reason")).toMatch(/^origin_not_allowed /)
        expect(deliveries).toEqual([])
      })
    )
  })

  layer(testApp())((it) => {
    it.effect("without an allow-list, preflights are answered by the router with *, Authorization and Content-Type allowed", () =>
      Effect.gen(function* () {
        const { namespace, deliveries } = fakeNamespace()
        const response = yield* send(
          request("/agents/coder-agent/x", {
            method: "OPTIONS",
            headers: { origin: "https://app.example", "access-control-request-method": "GET", "access-control-request-headers": "x-custom" }
          }),
          { CoderAgent: namespace }
        )
        expect(response.status).toBe(204)
        expect(response.headers.get("access-control-allow-origin")).toBe("*")
        expect(response.headers.get("access-control-allow-headers")).toBe("authorization, content-type, x-custom")
        expect(deliveries).toEqual([])
      })
    )

    it.effect("without an allow-list, every agent answer carries * and the exposed headers, refusals included", () =>
      Effect.gen(function* () {
        const { namespace } = fakeNamespace()
        const env = { CoderAgent: namespace }
        for (const path of ["/agents/coder-agent/x", "/agents/nosuch/x", "/agents/coder-agent/a%01b"]) {
          const response = yield* send(request(path, { headers: { origin: "https://app.example" } }), env)
          expect(response.headers.get("access-control-allow-origin"), path).toBe("*")
          expect(response.headers.get("access-control-expose-headers"), path).toBe("x-request-id, retry-after")
        }
      })
    )
  })

  layer(testApp({ ALLOWED_ORIGINS: ALLOWED, AUTH_TOKEN: TOKEN }))((it) => {
    it.effect("with an allow-list and tokens: preflights never reach authentication; the Worker's own origin is allowed; a 401 is readable", () =>
      Effect.gen(function* () {
        const { namespace, deliveries } = fakeNamespace()
        const env = { CoderAgent: namespace }
        const own = "http://router.test"
        const preflight = yield* send(request("/agents/coder-agent/x", { method: "OPTIONS", headers: { origin: own, "access-control-request-method": "GET" } }), env)
        expect([preflight.status, preflight.headers.get("access-control-allow-origin")]).toEqual([204, own])
        const refused = yield* send(request("/agents/coder-agent/x", { headers: { origin: ALLOWED, accept: "application/json" } }), env)
        expect(refused.status).toBe(401)
        expect(refused.headers.get("access-control-allow-origin")).toBe(ALLOWED)
        const socket = yield* send(request(`/agents/coder-agent/x?token=${TOKEN}`, { headers: { ...upgradeHeaders(), origin: own } }), env)
        expect(socket.headers.get("x-test-close-code")).toBeNull()
        expect(deliveries).toHaveLength(1)
      })
    )
  })
})

describe("the optional access token", () => {
  layer(testApp({ AUTH_TOKEN: TOKEN }))((it) => {
    it.effect("refuses a missing or wrong token with 401 and touches no agent", () =>
      Effect.gen(function* () {
        const { namespace, deliveries } = fakeNamespace()
        const env = { CoderAgent: namespace }
        const missing = yield* send(request("/agents/coder-agent/x", { headers: { accept: "application/json" } }), env)
        expect(missing.status).toBe(401)
        expect(missing.headers.get("www-authenticate")).toBe('Bearer realm="agents"')
        expect(yield* Effect.promise(() => missing.json())).toMatchObject({ reason: "missing_credentials" })
        const wrong = yield* send(request("/agents/coder-agent/x", { headers: { authorization: `Bearer ${TOKEN}x` } }), env)
        expect(wrong.status).toBe(401)
        const wrongQuery = yield* send(request(`/agents/coder-agent/x?token=nope`, { headers: upgradeHeaders() }), env)
        expect(wrongQuery.headers.get("x-test-close-code")).toBe("4401")
        expect(deliveries).toEqual([])
      })
    )

    it.effect("accepts the token as a bearer header or a query parameter and forwards neither", () =>
      Effect.gen(function* () {
        const { namespace, deliveries } = fakeNamespace()
        const env = { CoderAgent: namespace }
        expect((yield* send(request("/agents/coder-agent/x?_pk=1", { headers: { authorization: `Bearer ${TOKEN}` } }), env)).status).toBe(200)
        expect((yield* send(request(`/agents/coder-agent/x?_pk=2&token=${TOKEN}`), env)).status).toBe(200)
        expect(deliveries.map((d) => new URL(d.request.url).search)).toEqual(["?_pk=1", "?_pk=2"])
        expect(deliveries.map((d) => d.request.headers.get("authorization"))).toEqual([null, null])
      })
    )

    it.effect("leaves the router's own pages open", () =>
      Effect.gen(function* () {
        expect((yield* send(request("/health"), {})).status).toBe(200)
      })
    )
  })
})
