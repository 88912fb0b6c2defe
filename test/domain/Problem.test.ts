import { describe, expect, it } from "@effect/vitest"
import {
  AuthUnavailable,
  Forbidden,
  InvalidRoute,
  InvalidRouteRule,
  MissingBinding,
  PreflightRejected,
  RateLimited,
  RouteNotFound,
  RoutingFailed,
  Unauthorized,
  UnauthorizedReason,
  UpgradeRejected,
  UpgradeRejectedReason,
  type RouterError
} from "../../src/domain/Errors.js"
import { defectProblem, problemFor } from "../../src/domain/Problem.js"
import { acceptsJson, renderProblem } from "../../src/domain/Render.js"

const rowOf = (error: RouterError) => {
  const p = problemFor(error, "agents")
  return { status: p.status, reason: p.reason, headers: p.headers }
}

const routingFailed = (reason: RoutingFailed["reason"]) =>
  new RoutingFailed({ agent: "CoderAgent", instance: "default", reason, attempts: 3, cause: "Error: boom" })

describe("the failure table", () => {
  it("one row per failure says its close code, log level and log facts too", () => {
    const row = (error: RouterError) => {
      const p = problemFor(error, "agents")
      return [error._tag, p.close, p.level, p.facts]
    }
    const missing = new MissingBinding({ agent: "CoderAgent", binding: "CODER" })
    expect([
      row(new RouteNotFound({ path: "/agents/x/y", agent: "x", known: [] })),
      row(new InvalidRoute({ rule: "url_too_long", agent: "CoderAgent" })),
      row(new UpgradeRejected({ reason: "origin_not_allowed" })),
      row(new UpgradeRejected({ reason: "invalid_key" })),
      row(new PreflightRejected({ origin: "https://evil.example" })),
      row(new Unauthorized({ reason: "token_expired" })),
      row(new Forbidden({ agent: "CoderAgent", instance: "bob", user: "alice" })),
      row(new RateLimited({ address: "192.0.2.1" })),
      row(new AuthUnavailable({ cause: "jwks down" })),
      row(missing),
      row(routingFailed("threw"))
    ]).toEqual([
      ["RouteNotFound", 4404, "INFO", { agent: "x" }],
      ["InvalidRoute", 4400, "INFO", { agent: "CoderAgent" }],
      ["UpgradeRejected", 4403, "INFO", {}],
      ["UpgradeRejected", undefined, "INFO", {}],
      ["PreflightRejected", 4403, "INFO", {}],
      ["Unauthorized", 4401, "INFO", {}],
      ["Forbidden", 4403, "INFO", { user: "alice" }],
      ["RateLimited", 4429, "WARN", { clientAddress: "192.0.2.1" }],
      ["AuthUnavailable", 1013, "WARN", { cause: "jwks down" }],
      ["MissingBinding", 1013, "WARN", { agent: "CoderAgent", binding: "CODER", hint: expect.stringContaining("env.CODER") }],
      ["RoutingFailed", 1013, "WARN", { agent: "CoderAgent", instance: "default", attempts: 3, cause: "Error: boom" }]
    ])
    expect([defectProblem.close, defectProblem.level]).toEqual([1011, "ERROR"])
  })

  it("RouteNotFound answers 404 and lists the agents that exist", () => {
    const p = problemFor(new RouteNotFound({ path: "/agents/nope/x", agent: "nope", known: ["coder-agent"] }), "agents")
    expect(p.status).toBe(404)
    expect(p.reason).toBe("agent_not_found")
    expect(p.detail).toContain("coder-agent")
    expect(problemFor(new RouteNotFound({ path: "/x", known: [] }), "agents").detail).toContain(
      "/agents/{agent}/{instance}"
    )
  })

  it("InvalidRoute answers 400 naming the rule, for every rule; a URL too long for the agent is 414", () => {
    for (const rule of InvalidRouteRule.literals) {
      const status = rule === "url_too_long" ? 414 : 400
      expect(rowOf(new InvalidRoute({ rule, agent: "CoderAgent" }))).toEqual({ status, reason: rule, headers: {} })
    }
  })

  it("UpgradeRejected answers 400, 426 with the supported version, or 403 for the origin", () => {
    const expected: Record<UpgradeRejectedReason, number> = {
      method_not_get: 400,
      missing_key: 400,
      invalid_key: 400,
      connection_not_upgrade: 400,
      unsupported_version: 426,
      origin_not_allowed: 403
    }
    for (const reason of UpgradeRejectedReason.literals) {
      const row = rowOf(new UpgradeRejected({ reason }))
      expect(row.status).toBe(expected[reason])
      expect(row.reason).toBe(reason)
      expect(row.headers).toEqual(reason === "unsupported_version" ? { "sec-websocket-version": "13" } : {})
    }
  })

  it("PreflightRejected answers 403 and Unauthorized 401 with a Bearer challenge", () => {
    expect(rowOf(new PreflightRejected({ origin: "https://evil.example" }))).toEqual({
      status: 403,
      reason: "origin_not_allowed",
      headers: { vary: "Origin" }
    })
    expect(rowOf(new Unauthorized({ reason: "missing_credentials" }))).toEqual({
      status: 401,
      reason: "missing_credentials",
      headers: { "www-authenticate": 'Bearer realm="agents"' }
    })
    // Credentials that were sent but refused name the RFC 6750 error (issue 12).
    for (const reason of UnauthorizedReason.literals.filter((r) => r !== "missing_credentials")) {
      expect(rowOf(new Unauthorized({ reason }))).toEqual({
        status: 401,
        reason,
        headers: { "www-authenticate": 'Bearer realm="agents", error="invalid_token"' }
      })
    }
  })

  it("MissingBinding answers 503 with Retry-After and the connection-issues message", () => {
    const p = problemFor(new MissingBinding({ agent: "CoderAgent", binding: "CoderAgent" }), "agents")
    expect(p.status).toBe(503)
    expect(p.headers["retry-after"]).toBe("30")
    expect(p.detail).toBe("The CoderAgent is experiencing connection issues. Please try again later.")
    expect(p.technical["binding"]).toBe("CoderAgent")
  })

  it("RoutingFailed answers 503 with Retry-After for every reason", () => {
    for (const reason of ["threw", "error_status", "timed_out", "overloaded"] as const) {
      expect(rowOf(routingFailed(reason))).toEqual({ status: 503, reason, headers: { "retry-after": "2" } })
    }
  })

  it("a defect answers 500 with nothing but the request id to quote", () => {
    expect(defectProblem.status).toBe(500)
    expect(defectProblem.technical).toEqual({})
  })
})

describe("renderProblem", () => {
  const problem = problemFor(routingFailed("threw"), "agents")

  it("renders RFC 9457 problem+json with the request id in body and header", async () => {
    const response = renderProblem(problem, { requestId: "r1", json: true, diagnostics: false })
    expect(response.status).toBe(503)
    expect(response.headers.get("content-type")).toBe("application/problem+json")
    expect(response.headers.get("x-request-id")).toBe("r1")
    expect(response.headers.get("retry-after")).toBe("2")
    expect(await response.json()).toEqual({
      type: "urn:agents-edge-router:error:routing-failed",
      title: "Agent unavailable",
      status: 503,
      detail: "The CoderAgent is experiencing connection issues. Please try again later.",
      requestId: "r1",
      reason: "threw",
      agent: "CoderAgent",
      instance: "default"
    })
  })

  it("shows causes only when diagnostics are allowed", async () => {
    const hidden = await renderProblem(problem, { requestId: "r1", json: false, diagnostics: false }).text()
    const shown = await renderProblem(problem, { requestId: "r1", json: false, diagnostics: true }).text()
    expect(hidden).not.toContain("boom")
    expect(shown).toContain("cause: Error: boom")
    expect(shown).toContain("attempts: 3")
  })

  it("renders the same facts as text/plain for clients that do not accept JSON", async () => {
    const response = renderProblem(problem, { requestId: "r1", json: false, diagnostics: false })
    expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8")
    const text = await response.text()
    expect(text).toContain("503 Agent unavailable")
    expect(text).toContain("requestId: r1")
    expect(text).toContain("reason: threw")
  })

  it("chooses JSON when Accept names any JSON type", () => {
    expect(acceptsJson("application/json")).toBe(true)
    expect(acceptsJson("application/problem+json")).toBe(true)
    expect(acceptsJson("text/html,*/*;q=0.8")).toBe(false)
    expect(acceptsJson(null)).toBe(false)
  })
})
