import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc } from "effect"
import { parseClientFrame } from "../../src/domain/CoderProtocol.js"

describe("parseClientFrame", () => {
  it("decodes ping", () => {
    expect(parseClientFrame('{"type":"ping"}')).toEqual(Either.right({ type: "ping" }))
  })

  it("answers invalid JSON and unknown messages with stable codes", () => {
    expect(Either.getLeft(parseClientFrame("{nope")).pipe((o) => o._tag === "Some" && o.value.type === "error" && o.value.code)).toBe("invalid_json")
    expect(Either.getLeft(parseClientFrame('{"type":"dance"}')).pipe((o) => o._tag === "Some" && o.value.type === "error" && o.value.code)).toBe("invalid_message")
  })

  it.prop("never throws on arbitrary text", [fc.oneof(fc.string(), fc.json())], ([text]) => {
    const result = parseClientFrame(text)
    expect(Either.isRight(result) ? result.right.type : result.left.type).toMatch(/^(ping|error)$/)
  })
})
