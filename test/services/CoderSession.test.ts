import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, FastCheck as fc, Layer, Option, Scope } from "effect"
import { ClientFrame, type CoderState, type ServerFrame } from "../../src/domain/CoderProtocol.js"
import { CodeModel, MODEL_SETTINGS_HINT, type ChatTurn } from "../../src/services/CodeModel.js"
import { makeSession } from "../../src/services/CoderSession.js"
import { failingModel, memoryStore, scriptedModel } from "../support/TestModel.js"

const options = { contextMessages: 20, systemPrompt: "be brief" }

/** A session over in-memory ports, with what it broadcast, published and answered. */
const harness = (model: Layer.Layer<CodeModel>) =>
  Effect.gen(function* () {
    const store = memoryStore()
    const broadcast: Array<ServerFrame> = []
    const states: Array<CoderState> = []
    const scope = yield* Scope.make()
    const session = yield* makeSession(
      { store, broadcast: (f) => void broadcast.push(f), publishState: (s) => void states.push(s) },
      options
    ).pipe(Effect.provide(model), Effect.provideService(Scope.Scope, scope))
    const replies: Array<ServerFrame> = []
    const send = (frame: ClientFrame) =>
      Effect.map(session.handle(frame), Option.map((f) => void replies.push(f)))
    return { store, broadcast, states, replies, send, session, scope }
  })

describe("CoderSession", () => {
  it.live("chat: ack to the sender, deltas and done to everyone, both messages stored, state working then idle", () =>
    Effect.gen(function* () {
      const seen: Array<ReadonlyArray<ChatTurn>> = []
      const h = yield* harness(scriptedModel(["Hel", "lo"], 0, seen))
      yield* h.send({ type: "chat", id: "m1", text: "hi" })
      yield* h.session.settled
      expect(h.replies).toEqual([{ type: "ack", id: "m1" }])
      expect(h.broadcast).toEqual([
        { type: "reply.delta", id: "m1", text: "Hel" },
        { type: "reply.delta", id: "m1", text: "lo" },
        { type: "reply.done", id: "m1", text: "Hello" }
      ])
      expect(h.store.messages.map((m) => [m.role, m.text])).toEqual([["user", "hi"], ["assistant", "Hello"]])
      expect(h.states.map((s) => [s.status, s.messageCount])).toEqual([["working", 1], ["idle", 2]])
      expect(seen[0]).toEqual([{ role: "system", content: "be brief" }, { role: "user", content: "hi" }])
    })
  )

  it.live("a second chat while a reply streams is answered busy; cancel stops the reply and keeps what was stored", () =>
    Effect.gen(function* () {
      // 10 deltas 60 ms apart: the cancel at 70 ms lands mid-stream even on a loaded machine.
      const h = yield* harness(scriptedModel(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"], 60))
      yield* h.send({ type: "chat", id: "m1", text: "long one" })
      yield* h.send({ type: "chat", id: "m2", text: "again" })
      expect(h.replies.at(-1)).toMatchObject({ type: "error", code: "busy", id: "m2" })
      yield* Effect.sleep("70 millis")
      yield* h.send({ type: "cancel", id: "m1" })
      yield* h.session.settled
      const cancelled = h.broadcast.find((f) => f.type === "reply.cancelled")
      expect(cancelled).toMatchObject({ id: "m1" })
      expect(h.broadcast.some((f) => f.type === "reply.done")).toBe(false)
      expect(h.store.messages.map((m) => m.text)).toEqual(["long one"])
      expect(h.states.at(-1)?.status).toBe("idle")
      yield* h.send({ type: "cancel", id: "m1" })
      expect(h.replies.at(-1)).toMatchObject({ code: "not_found", id: "m1" })
    })
  )

  it.live("closing the session's scope (the agent ending) stops a streaming reply; nothing streams after", () =>
    Effect.gen(function* () {
      const h = yield* harness(scriptedModel(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"], 60))
      yield* h.send({ type: "chat", id: "m1", text: "long one" })
      yield* Effect.sleep("70 millis")
      yield* Scope.close(h.scope, Exit.void)
      const seen = h.broadcast.length
      yield* Effect.sleep("200 millis")
      expect(h.broadcast.length).toBe(seen)
      expect(h.broadcast.at(-1)).toMatchObject({ type: "reply.cancelled", id: "m1" })
      expect(h.broadcast.some((f) => f.type === "reply.done")).toBe(false)
    })
  )

  it.live("upstream errors and timeouts become error frames with the message id; the session stays usable", () =>
    Effect.gen(function* () {
      for (const [reason, code] of [["error", "model_error"], ["timeout", "model_timeout"]] as const) {
        const h = yield* harness(failingModel(["par"], reason))
        yield* h.send({ type: "chat", id: "m1", text: "hi" })
        yield* h.session.settled
        expect(h.broadcast.at(-1)).toMatchObject({ type: "error", code, id: "m1" })
        expect(h.store.messages.map((m) => m.role)).toEqual(["user"])
        expect(h.states.at(-1)?.status).toBe("idle")
      }
    })
  )

  it.live("without a model, chat answers model_unavailable with the settings to add and stores nothing", () =>
    Effect.gen(function* () {
      const h = yield* harness(CodeModel.Unconfigured)
      yield* h.send({ type: "chat", id: "m1", text: "hi" })
      expect(h.replies).toEqual([{ type: "error", code: "model_unavailable", message: MODEL_SETTINGS_HINT, id: "m1" }])
      expect(h.store.messages).toEqual([])
    })
  )

  it.live("history is newest last and honours limit; reset clears it", () =>
    Effect.gen(function* () {
      const h = yield* harness(scriptedModel(["ok"]))
      for (const id of ["a", "b", "c"]) {
        yield* h.send({ type: "chat", id, text: `q-${id}` })
        yield* h.session.settled
      }
      yield* h.send({ type: "history", limit: 3 })
      const history = h.replies.at(-1)
      expect(history?.type === "history" && history.messages.map((m) => m.text)).toEqual(["ok", "q-c", "ok"])
      yield* h.send({ type: "reset" })
      expect(h.replies.at(-1)).toEqual({ type: "reset.done" })
      yield* h.send({ type: "history" })
      expect(h.replies.at(-1)).toEqual({ type: "history", messages: [] })
      expect(h.states.at(-1)?.messageCount).toBe(0)
    })
  )

  it.live.prop(
    "any sequence of frames never fails the session and never loses a stored message except by reset",
    [fc.array(fc.oneof(
      fc.constant<ClientFrame>({ type: "ping" }),
      fc.constant<ClientFrame>({ type: "history" }),
      fc.constantFrom("a", "b").map((id): ClientFrame => ({ type: "chat", id, text: `t-${id}` })),
      fc.constantFrom("a", "b").map((id): ClientFrame => ({ type: "cancel", id })),
      fc.constant<ClientFrame>({ type: "reset" })
    ), { maxLength: 12 })],
    ([frames]) =>
      Effect.gen(function* () {
        const h = yield* harness(scriptedModel(["x", "y"], 1))
        let stored = 0
        for (const frame of frames) {
          yield* h.send(frame)
          if (frame.type === "reset") stored = 0
          expect(h.store.count()).toBeGreaterThanOrEqual(stored)
          stored = h.store.count()
        }
        yield* h.session.settled
        expect(h.states.at(-1)?.status ?? "idle").toBe("idle")
      }),
    { fastCheck: { numRuns: 100 } }
  )
})
