import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc } from "effect"
import { parseClientFrame } from "../../src/domain/CoderProtocol.js"

describe("parseClientFrame", () => {
  it("decodes ping", () => {
    expect(parseClientFrame('{"type":"ping"}')).toEqual(Either.right({ type: "ping" }))
  })

  it("answers invalid JSON and unknown messages with stable codes", () => {
    expect(parseClientFrame("{nope")).toEqual(Either.left(expect.objectContaining({ type: "error", code: "invalid_json" })))
    expect(parseClientFrame('{"type":"dance"}')).toEqual(
      Either.left(expect.objectContaining({ type: "error", code: "invalid_message" }))
    )
    expect(parseClientFrame('{"type":"ping","extra":1}')).toEqual(Either.right({ type: "ping" }))
  })

  it.prop("never throws on arbitrary text", [fc.oneof(fc.string(), fc.json())], ([text]) => {
    const result = parseClientFrame(text)
    expect(Either.isRight(result) ? result.right.type : result.left.type).toMatch(/^(ping|error)$/)
  })
})
