/**
 * The CoderAgent protocol: JSON text frames decoded with `Schema`. Anything that does not decode gets an
 * `error` frame with a stable `code` (and the offending `id` when known); the connection stays open.
 */
import { Either, Schema } from "effect"

const MessageId = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(128))

/** `ping`: asks for a `pong` with the server time. */
export const Ping = Schema.Struct({ type: Schema.Literal("ping") })
/** `chat`: a user message; answered by `ack`, then `reply.delta` frames and one `reply.done`. */
export const Chat = Schema.Struct({ type: Schema.Literal("chat"), id: MessageId, text: Schema.String })
/** `history`: the stored messages, newest last (at most `limit`, default 50). */
export const History = Schema.Struct({
  type: Schema.Literal("history"),
  limit: Schema.optional(Schema.Int.pipe(Schema.between(1, 1_000)))
})
/** `cancel`: stops the reply to `id` if it is still streaming. */
export const Cancel = Schema.Struct({ type: Schema.Literal("cancel"), id: MessageId })
/** `reset`: clears the session's messages. */
export const Reset = Schema.Struct({ type: Schema.Literal("reset") })

/** Every frame a client may send. */
export const ClientFrame = Schema.Union(Ping, Chat, History, Cancel, Reset)
export type ClientFrame = typeof ClientFrame.Type

/** A stored message. */
export interface StoredMessage {
  readonly id: string
  readonly role: "user" | "assistant"
  readonly text: string
  readonly at: string
}

/** The agent's synced state (the SDK's `cf_agent_state` frames carry it to every client). */
export interface CoderState {
  readonly status: "idle" | "working"
  readonly messageCount: number
  readonly lastActivity: string | null
}

/** The state of a fresh instance. */
export const initialCoderState: CoderState = { status: "idle", messageCount: 0, lastActivity: null }

/** Stable error codes clients can switch on. */
export type ErrorCode =
  | "invalid_json"
  | "invalid_message"
  | "unsupported_frame"
  | "too_large"
  | "busy"
  | "model_unavailable"
  | "model_error"
  | "model_timeout"
  | "not_found"
  | "state_read_only"

/** The frames the agent sends (besides the SDK's own). */
export type ServerFrame =
  | { readonly type: "pong"; readonly time: string }
  | { readonly type: "ack"; readonly id: string }
  | { readonly type: "reply.delta"; readonly id: string; readonly text: string }
  | { readonly type: "reply.done"; readonly id: string; readonly text: string }
  | { readonly type: "reply.cancelled"; readonly id: string; readonly text: string }
  | { readonly type: "history"; readonly messages: ReadonlyArray<StoredMessage> }
  | { readonly type: "reset.done" }
  | { readonly type: "error"; readonly code: ErrorCode; readonly message: string; readonly id?: string }

/** An `error` frame. */
export const errorFrame = (code: ErrorCode, message: string, id?: string): ServerFrame =>
  id === undefined ? { type: "error", code, message } : { type: "error", code, message, id }

const decodeTyped = Schema.decodeUnknownEither(Schema.Struct({ type: Schema.String }))
const decodeClient = Schema.decodeUnknownEither(ClientFrame)

const expected = `expected one of: ping, chat {id, text}, history {limit?}, cancel {id}, reset`

/** The `id` a malformed frame carried, so its error can name it. */
const idOf = (value: unknown): string | undefined => {
  const id: unknown = typeof value === "object" && value !== null ? Reflect.get(value, "id") : undefined
  return typeof id === "string" && id.length > 0 && id.length <= 128 ? id : undefined
}

/** Decodes a text frame; fails with the `error` frame to send back. `maxText` bounds `chat.text`. */
export const parseClientFrame = (text: string, maxText: number): Either.Either<ClientFrame, ServerFrame> => {
  const json = Either.try(() => JSON.parse(text) as unknown)
  if (Either.isLeft(json)) return Either.left(errorFrame("invalid_json", "The frame is not valid JSON."))
  const id = idOf(json.right)
  if (Either.isLeft(decodeTyped(json.right))) {
    return Either.left(errorFrame("invalid_message", `The frame has no "type"; ${expected}.`, id))
  }
  const decoded = decodeClient(json.right)
  if (Either.isLeft(decoded)) {
    return Either.left(errorFrame("invalid_message", `Unknown type or missing or malformed fields; ${expected}.`, id))
  }
  const frame = decoded.right
  if (frame.type === "chat" && frame.text.length > maxText) {
    return Either.left(errorFrame("too_large", `chat.text is ${frame.text.length} characters; the limit is ${maxText}.`, frame.id))
  }
  if (frame.type === "chat" && frame.text.trim().length === 0) {
    return Either.left(errorFrame("invalid_message", "chat.text is empty.", frame.id))
  }
  return Either.right(frame)
}

/** The error frame for a client's attempt to write the synced state, which only the agent changes. */
export const stateReadOnly = {
  type: "error",
  code: "state_read_only",
  message: "CoderAgent's state is read-only for clients: it follows the session (status, messageCount, lastActivity)."
} as const satisfies ServerFrame

/** The error frame for a binary frame, which this protocol does not use. */
export const binaryFrameRejected: ServerFrame = errorFrame("unsupported_frame", "Binary frames are not supported; send JSON text frames.")
