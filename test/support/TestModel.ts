/** `CodeModel` test layers and an in-memory `MessageStore`, for session tests without a Durable Object. */
import { Duration, Effect, Layer, Stream } from "effect"
import type { StoredMessage } from "../../src/domain/CoderProtocol.js"
import { CodeModel, ModelFailed, type ChatTurn } from "../../src/services/CodeModel.js"
import type { MessageStore } from "../../src/services/CoderSession.js"

/** A model that streams `deltas`, `delayMs` apart, and records the turns it was given. */
export const scriptedModel = (deltas: ReadonlyArray<string>, delayMs = 0, seen: Array<ReadonlyArray<ChatTurn>> = []) =>
  Layer.succeed(CodeModel, {
    backend: "openai-compatible",
    stream: (turns) => {
      seen.push(turns)
      return Stream.fromIterable(deltas).pipe(Stream.tap(() => (delayMs > 0 ? Effect.sleep(Duration.millis(delayMs)) : Effect.void)))
    }
  })

/** A model that streams `before`, then fails. */
export const failingModel = (before: ReadonlyArray<string>, reason: "error" | "timeout") =>
  Layer.succeed(CodeModel, {
    backend: "openai-compatible",
    stream: () => Stream.concat(Stream.fromIterable(before), Stream.fail(new ModelFailed({ reason, detail: `upstream ${reason}` })))
  })

/** A store in memory. */
export const memoryStore = (): MessageStore & { readonly messages: Array<StoredMessage> } => {
  const messages: Array<StoredMessage> = []
  return {
    messages,
    append: (m) => void messages.push(m),
    recent: (limit) => messages.slice(Math.max(0, messages.length - limit)),
    count: () => messages.length,
    clear: () => void messages.splice(0)
  }
}
