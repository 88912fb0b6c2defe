import { describe, expect, it } from "@effect/vitest"
import { echoRequestId } from "../../src/agents/RequestIdEcho.js"

describe("echoRequestId", () => {
  it("puts the forwarded request's x-request-id on the answer, and nothing without one", () => {
    const answer = echoRequestId(new Request("http://x/", { headers: { "x-request-id": "id-1" } }), new Response("hi"))
    expect(answer.headers.get("x-request-id")).toBe("id-1")
    expect(echoRequestId(new Request("http://x/"), new Response("hi")).headers.has("x-request-id")).toBe(false)
  })

  it("returns an answer whose headers cannot change as it is, without throwing (the router adds the id)", () => {
    // Response.error() has immutable headers, as an answer passed through from another fetch does.
    const frozen = Response.error()
    expect(echoRequestId(new Request("http://x/", { headers: { "x-request-id": "id-2" } }), frozen)).toBe(frozen)
    expect(frozen.headers.has("x-request-id")).toBe(false)
  })
})
