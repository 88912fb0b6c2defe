/**
 * What a CoderAgent instance does with each client frame, independent of the Durable Object: messages
 * are kept in a `MessageStore`, replies stream from `CodeModel` to every connection, one reply at a time.
 * The agent supplies the ports (SQLite store, broadcast, synced state); tests supply in-memory ones.
 * Reply streams run in the session's `Scope`, which the agent closes when it ends.
 */
import { Clock, Config, Effect, Either, Fiber, Option, Ref, Scope, Stream } from "effect"
import {
  errorFrame,
  type ClientFrame,
  type CoderState,
  type ServerFrame,
  type StoredMessage
} from "../domain/CoderProtocol.js"
import { positiveInt } from "./AppConfig.js"
import { CodeModel, type ChatTurn } from "./CodeModel.js"

/** CoderAgent settings besides the model's. */
export interface CoderSettings {
  readonly maxMessageChars: number
  readonly contextMessages: number
  readonly systemPrompt: string
}

/** The CoderAgent settings, read with `Config` from the Worker's vars. */
export const coderSettings: Config.Config<CoderSettings> = Config.all({
  maxMessageChars: positiveInt("MAX_MESSAGE_CHARS", 8_000),
  contextMessages: positiveInt("CONTEXT_MESSAGES", 20),
  systemPrompt: Config.string("SYSTEM_PROMPT").pipe(
    Config.withDefault("You are CoderAgent, a concise and careful coding assistant.")
  )
})

/** Where messages live (the agent's SQLite storage in production). */
export interface MessageStore {
  readonly append: (message: StoredMessage) => void
  /** The newest `limit` messages, oldest first. */
  readonly recent: (limit: number) => ReadonlyArray<StoredMessage>
  readonly count: () => number
  readonly clear: () => void
}

/** How the session reaches clients. */
export interface SessionPorts {
  readonly store: MessageStore
  /** To every connection of the instance. */
  readonly broadcast: (frame: ServerFrame) => void
  /** Publishes the synced state (the SDK sends it to every connection). */
  readonly publishState: (state: CoderState) => void
}

/** Tunables: how much history the model sees and the system prompt; the fields its log lines carry. */
export interface SessionOptions {
  readonly contextMessages: number
  readonly systemPrompt: string
  readonly logFields?: Readonly<Record<string, string>>
}

const DEFAULT_HISTORY = 50

interface ActiveReply {
  readonly id: string
  readonly fiber: Fiber.RuntimeFiber<void, never>
  readonly text: Ref.Ref<string>
}

/**
 * A session over the given ports; `handle` answers one frame with the frame for its sender, if any. Reply
 * streams are forked into the current `Scope`: closing it interrupts them.
 */
export const makeSession = (ports: SessionPorts, options: SessionOptions) =>
  Effect.gen(function* () {
    const model = yield* CodeModel
    const scope = yield* Scope.Scope
    const active = yield* Ref.make(Option.none<ActiveReply>())
    const now = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms).toISOString())

    const publish = (status: CoderState["status"]) =>
      Effect.flatMap(now, (at) =>
        Effect.sync(() => ports.publishState({ status, messageCount: ports.store.count(), lastActivity: at }))
      )

    const turnsFor = (): ReadonlyArray<ChatTurn> => [
      { role: "system", content: options.systemPrompt },
      ...ports.store.recent(options.contextMessages).map((m) => ({ role: m.role, content: m.text }))
    ]

    /**
     * Ends the reply to `id` once: whoever gets here first (the reply itself, or a `cancel`) sends the last
     * frame and sets the session idle; later callers do nothing. `last` is built only by the winner.
     */
    const finish = (id: string, last: Effect.Effect<ServerFrame>) =>
      Ref.modify(active, (current): [boolean, Option.Option<ActiveReply>] =>
        Option.isSome(current) && current.value.id === id ? [true, Option.none()] : [false, current]
      ).pipe(
        Effect.flatMap((owned) =>
          owned ? Effect.flatMap(last, (frame) => Effect.sync(() => ports.broadcast(frame))).pipe(Effect.zipRight(publish("idle"))) : Effect.void
        )
      )

    const cancelled = (id: string, text: Ref.Ref<string>) =>
      Effect.map(Ref.get(text), (partial): ServerFrame => ({ type: "reply.cancelled", id, text: partial }))

    /** Streams the reply to `id` to everyone, collecting its text in `text`. */
    const streamReply = (id: string, text: Ref.Ref<string>) =>
      model.stream(turnsFor()).pipe(
        Stream.runForEach((delta) =>
          Ref.update(text, (t) => t + delta).pipe(
            Effect.zipRight(Effect.sync(() => ports.broadcast({ type: "reply.delta", id, text: delta })))
          )
        ),
        Effect.matchEffect({
          onSuccess: () =>
            finish(
              id,
              Effect.gen(function* () {
                const full = yield* Ref.get(text)
                ports.store.append({ id, role: "assistant", text: full, at: yield* now })
                return { type: "reply.done", id, text: full } satisfies ServerFrame
              })
            ),
          onFailure: (failure) =>
            failure._tag === "ModelUnavailable"
              ? finish(id, Effect.succeed(errorFrame("model_unavailable", failure.setting, id)))
              : Effect.zipRight(
                  // The detail is the operator's; the client gets a stable code and a safe sentence.
                  Effect.logWarning({ event: "agent.model_failed", ...options.logFields, id, reason: failure.reason, detail: failure.detail }),
                  finish(id, Effect.succeed(errorFrame(failure.reason === "timeout" ? "model_timeout" : "model_error", failure.safeMessage, id)))
                )
        }),
        Effect.onInterrupt(() => finish(id, cancelled(id, text)))
      )

    const chat = (id: string, text: string) =>
      Effect.gen(function* (): Effect.fn.Return<ServerFrame> {
        if (Option.isSome(yield* Ref.get(active))) {
          return errorFrame("busy", "A reply is still streaming; cancel it or wait for reply.done.", id)
        }
        if (model.backend === "none") {
          // Checked before storing, so an unconfigured Worker keeps no unanswerable messages.
          const probe = yield* Effect.either(Stream.runDrain(model.stream([])))
          const hint = Either.isLeft(probe) && probe.left._tag === "ModelUnavailable" ? probe.left.setting : "No model is configured."
          return errorFrame("model_unavailable", hint, id)
        }
        ports.store.append({ id, role: "user", text, at: yield* now })
        yield* publish("working")
        const collected = yield* Ref.make("")
        const fiber = yield* Effect.forkIn(streamReply(id, collected), scope)
        yield* Ref.set(active, Option.some({ id, fiber, text: collected }))
        return { type: "ack", id }
      })

    /** Answers one decoded frame with the frame for its sender, if any. Never fails: problems are `error` frames. */
    const handle = (frame: ClientFrame): Effect.Effect<Option.Option<ServerFrame>> => {
      switch (frame.type) {
        case "ping":
          return Effect.map(now, (time) => Option.some({ type: "pong", time }))
        case "chat":
          return Effect.map(chat(frame.id, frame.text), Option.some)
        case "history":
          return Effect.sync(() => Option.some({ type: "history", messages: ports.store.recent(frame.limit ?? DEFAULT_HISTORY) }))
        case "cancel":
          return Effect.flatMap(Ref.get(active), (current) =>
            Option.isSome(current) && current.value.id === frame.id
              ? // A reply interrupted before it ever ran has no handlers of its own: finish it here.
                Fiber.interrupt(current.value.fiber).pipe(
                  Effect.zipRight(finish(frame.id, cancelled(frame.id, current.value.text))),
                  Effect.as(Option.none())
                )
              : Effect.succeed(Option.some(errorFrame("not_found", `No reply to "${frame.id}" is streaming.`, frame.id)))
          )
        case "reset":
          return Effect.gen(function* () {
            const current = yield* Ref.get(active)
            if (Option.isSome(current)) {
              yield* Fiber.interrupt(current.value.fiber)
              yield* finish(current.value.id, cancelled(current.value.id, current.value.text))
            }
            ports.store.clear()
            yield* publish("idle")
            return Option.some<ServerFrame>({ type: "reset.done" })
          })
      }
    }

    /** Waits for the reply in progress, if any (for callable `chat`). */
    const settled = Effect.flatMap(Ref.get(active), (current) =>
      Option.isSome(current) ? Fiber.await(current.value.fiber).pipe(Effect.asVoid) : Effect.void
    )

    return { handle, settled, backend: model.backend }
  })

/** A session as `makeSession` builds it. */
export type CoderSession = Effect.Effect.Success<ReturnType<typeof makeSession>>
