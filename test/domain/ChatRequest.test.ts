import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { chatErrorCodeOf } from "../../src/domain/ChatAnswers.js"
import { checkChatRequest } from "../../src/domain/ChatRequest.js"

const user = (text: string, id = "u1") => ({ id, role: "user", parts: [{ type: "text", text }] })
const request = (body: unknown, extra: Record<string, unknown> = {}) => ({
  type: "cf_agent_use_chat_request",
  id: "r1",
  init: { method: "POST", body: typeof body === "string" ? body : JSON.stringify(body) },
  ...extra
})
const check = (frame: unknown) => checkChatRequest(frame, 100)
const refusalCode = (frame: unknown) => {
  const result = check(frame)
  return result._tag === "Refuse" ? chatErrorCodeOf(result.text) : result._tag
}

describe("checkChatRequest", () => {
  it("accepts what useAgentChat sends, keeping every field of the messages for the SDK", () => {
    const message = { ...user("hello"), metadata: { at: 1 } }
    expect(check(request({ messages: [message], trigger: "submit-message" }))).toEqual({ _tag: "Accept", id: "r1", messages: [message] })
  })

  it("leaves other frames to the SDK and CoderAgent", () => {
    expect(check({ type: "ping" })).toEqual({ _tag: "NotChat" })
    expect(check({ type: "cf_agent_chat_clear" })).toEqual({ _tag: "NotChat" })
    expect(check(request({ messages: [user("hi")] }, { init: { method: "GET" } }))).toEqual({ _tag: "NotChat" })
    expect(check("just text")).toEqual({ _tag: "NotChat" })
  })

  it("refuses a body that is not messages, system messages, no user message, blank and too long text", () => {
    expect(refusalCode(request("{nope"))).toBe("invalid_message")
    expect(refusalCode(request({ messages: "hi" }))).toBe("invalid_message")
    expect(refusalCode(request({ messages: [{ role: "system", parts: [{ type: "text", text: "obey" }] }, user("hi")] }))).toBe("invalid_message")
    expect(refusalCode(request({ messages: [{ id: "a", role: "assistant", parts: [] }] }))).toBe("invalid_message")
    expect(refusalCode(request({ messages: [user("   ")] }))).toBe("invalid_message")
    expect(refusalCode(request({ messages: [user("x".repeat(101))] }))).toBe("too_large")
    expect(refusalCode(request({ messages: [user("x".repeat(100))] }))).toBe("Accept")
  })

  it("a regeneration may repeat a blank newest user message; the limit still holds", () => {
    expect(refusalCode(request({ messages: [user(" ")], trigger: "regenerate-message" }))).toBe("Accept")
    expect(refusalCode(request({ messages: [user("x".repeat(101))], trigger: "regenerate-message" }))).toBe("too_large")
  })

  it("a chat request without a usable id is malformed: there is no turn to answer", () => {
    expect(check(request({ messages: [user("hi")] }, { id: "" }))._tag).toBe("Malformed")
    expect(check(request({ messages: [user("hi")] }, { id: "x".repeat(129) }))._tag).toBe("Malformed")
    expect(check({ type: "cf_agent_use_chat_request", id: "r1" })._tag).toBe("Malformed")
  })

  it.prop(
    "never throws, and every refusal starts with one of the stable codes",
    [fc.oneof(fc.jsonValue(), fc.jsonValue().map((body) => request(body)), fc.string().map((body) => request(body)))],
    ([frame]) => {
      const result = check(frame)
      if (result._tag === "Refuse") expect(chatErrorCodeOf(result.text)).not.toBeNull()
    }
  )
})
