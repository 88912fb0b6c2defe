import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc } from "effect"
import { parseClientFrame } from "../../src/domain/CoderProtocol.js"

const parse = (text: string) => parseClientFrame(text, 100)
const codeOf = (text: string) =>
  Either.match(parse(text), { onLeft: (f) => (f.type === "error" ? [f.code, f.id] : [f.type]), onRight: (f) => [f.type] })

describe("parseClientFrame", () => {
  it("decodes every client frame", () => {
    expect(parse('{"type":"ping"}')).toEqual(Either.right({ type: "ping" }))
    expect(parse('{"type":"chat","id":"m1","text":"hi"}')).toEqual(Either.right({ type: "chat", id: "m1", text: "hi" }))
    expect(parse('{"type":"history"}')).toEqual(Either.right({ type: "history" }))
    expect(parse('{"type":"history","limit":5}')).toEqual(Either.right({ type: "history", limit: 5 }))
    expect(parse('{"type":"cancel","id":"m1"}')).toEqual(Either.right({ type: "cancel", id: "m1" }))
    expect(parse('{"type":"reset"}')).toEqual(Either.right({ type: "reset" }))
  })

  it("answers bad frames with stable codes and the offending id when known", () => {
    expect(codeOf("{nope")).toEqual(["invalid_json", undefined])
    expect(codeOf('{"type":"dance","id":"d1"}')).toEqual(["invalid_message", "d1"])
    expect(codeOf('{"id":"x"}')).toEqual(["invalid_message", "x"])
    expect(codeOf('{"type":"chat","id":"m2"}')).toEqual(["invalid_message", "m2"])
    expect(codeOf('{"type":"chat","id":"m3","text":"   "}')).toEqual(["invalid_message", "m3"])
    expect(codeOf('{"type":"history","limit":0}')).toEqual(["invalid_message", undefined])
    expect(codeOf(`{"type":"chat","id":"m4","text":"${"x".repeat(101)}"}`)).toEqual(["too_large", "m4"])
  })

  it.prop("never throws on arbitrary text or JSON", [fc.oneof(fc.string(), fc.json(), fc.jsonValue().map((v) => JSON.stringify({ type: "chat", id: v, text: v })))], ([text]) => {
    const result = parse(text)
    const type = Either.isRight(result) ? result.right.type : result.left.type
    expect(["ping", "chat", "history", "cancel", "reset", "error"]).toContain(type)
  })
})
