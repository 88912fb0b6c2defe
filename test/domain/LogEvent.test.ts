import { describe, expect, it } from "@effect/vitest"
import { RequestCompleted, requestCompleted } from "../../src/domain/LogEvent.js"
import { inCodeUnitOrder } from "../../src/domain/LogLine.js"

describe("requestCompleted", () => {
  const event = requestCompleted(
    { requestId: "r", method: "GET", path: "/", upgrade: false, outcome: "routed", status: 200, durationMs: 0 },
    { agent: null, instance: null }
  )

  it("carries every field of the schema but timestamp and level (the logger's), in name order", () => {
    const schemaFields = Object.keys(RequestCompleted.fields).filter((name) => name !== "timestamp" && name !== "level")
    expect(Object.keys(event)).toEqual([...schemaFields].sort())
    // The logger writes an event in name order without sorting it (src/domain/LogLine.ts).
    expect(inCodeUnitOrder(Object.keys(event))).toBe(true)
  })

  it("leaves absent facts undefined, so the line has no such field", () => {
    expect(event.attempts).toBeUndefined()
    expect(event.event).toBe("request.completed")
  })
})
