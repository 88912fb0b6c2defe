import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc } from "effect"
import { parseClientFrame } from "../../../src/domain/coder/CoderProtocol.js"

const codeOf = (text: string) => Either.match(parseClientFrame(text), { onLeft: (f) => f.code, onRight: (f) => f.type })

describe("parseClientFrame", () => {
  it("decodes ping", () => {
    expect(parseClientFrame('{"type":"ping"}')).toEqual(Either.right({ type: "ping" }))
  })

  it("answers the retired chat frames with unsupported_frame pointing at the SDK's chat protocol", () => {
    for (const type of ["chat", "history", "cancel", "reset"]) {
      const answer = parseClientFrame(JSON.stringify({ type, id: "m1", text: "hi" }))
      expect(answer).toEqual(Either.left(expect.objectContaining({ code: "unsupported_frame", message: expect.stringContaining("useAgentChat") })))
    }
  })

  it("answers bad frames with stable codes", () => {
    expect(codeOf("{nope")).toBe("invalid_json")
    expect(codeOf('{"type":"dance"}')).toBe("invalid_message")
    expect(codeOf('{"id":"x"}')).toBe("invalid_message")
    expect(codeOf("[]")).toBe("invalid_message")
  })

  it("never echoes an unknown type back", () => {
    const answer = parseClientFrame(JSON.stringify({ type: "x".repeat(10_000) }))
    expect(Either.isLeft(answer) && answer.left.message.length).toBeLessThan(200)
  })

  it.prop("never throws on arbitrary text or JSON", [fc.oneof(fc.string(), fc.json())], ([text]) => {
    const result = parseClientFrame(text)
    expect(["ping", "error"]).toContain(Either.isRight(result) ? result.right.type : result.left.type)
  })
})
