import { describe, expect, it } from "@effect/vitest"
import { redactSecrets } from "../../src/domain/LogLine.js"

describe("redactSecrets", () => {
  it("removes bearer and basic credentials", () => {
    expect(redactSecrets("Error: upstream said Bearer abc.def-123 was bad")).toBe(
      "Error: upstream said Bearer [redacted] was bad"
    )
    expect(redactSecrets("Basic dXNlcjpwYXNz")).toBe("Basic [redacted]")
  })

  it("removes values of sensitive names in headers, queries and JSON", () => {
    expect(redactSecrets("Authorization: s3cr3t")).toBe("Authorization: [redacted]")
    expect(redactSecrets("GET /x?token=abc&page=2")).toBe("GET /x?token=[redacted]&page=2")
    expect(redactSecrets('{"apiKey":"k-123","name":"ok"}')).toBe('{"apiKey":"[redacted]","name":"ok"}')
    expect(redactSecrets("x-diagnostics-token=t0ps3cret; password = hunter2")).toBe(
      "x-diagnostics-token=[redacted]; password = [redacted]"
    )
  })

  it("leaves ordinary text alone", () => {
    const text = "Error: Durable Object reset because its code was updated."
    expect(redactSecrets(text)).toBe(text)
  })
})
