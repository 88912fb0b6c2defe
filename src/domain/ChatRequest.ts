/**
 * The checks a chat request frame passes before the SDK persists its messages: the SDK takes the body of a
 * `cf_agent_use_chat_request` as it comes, so CoderAgent refuses (with the chat protocol's error answer)
 * bodies that are not messages, messages a client may not write (`system`), and a newest user message that
 * is blank or longer than `MAX_MESSAGE_CHARS`.
 */
import { Either, Option, Schema } from "effect"
import { CHAT_REQUEST_TYPE, chatErrorText } from "./ChatAnswers.js"

const Frame = Schema.Struct({
  type: Schema.Literal(CHAT_REQUEST_TYPE),
  id: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(128)),
  init: Schema.Struct({ method: Schema.optional(Schema.String), body: Schema.optional(Schema.String) })
})

const Part = Schema.Struct({ type: Schema.String, text: Schema.optional(Schema.Unknown) })
const Message = Schema.Struct({ role: Schema.String, parts: Schema.Array(Part) })
const Body = Schema.parseJson(Schema.Struct({ messages: Schema.Array(Message), trigger: Schema.optional(Schema.String) }))

const decodeType = Schema.decodeUnknownOption(Schema.Struct({ type: Schema.Literal(CHAT_REQUEST_TYPE) }))
const decodeFrame = Schema.decodeUnknownEither(Frame)
// Excess properties (ids, metadata, other parts) are kept: the AI SDK validates the messages as a whole next.
const decodeBody = Schema.decodeUnknownEither(Body, { onExcessProperty: "preserve" })

/** What to do with a text frame. */
export type ChatRequestCheck =
  /** Not a chat request (or not a POST, which the SDK ignores): the SDK and CoderAgent handle it as usual. */
  | { readonly _tag: "NotChat" }
  /** A chat request whose messages may go on to the SDK (after the AI SDK validates them). */
  | { readonly _tag: "Accept"; readonly id: string; readonly messages: ReadonlyArray<unknown> }
  /** A chat request to refuse: `text` is the error answer for `id`. */
  | { readonly _tag: "Refuse"; readonly id: string; readonly text: string }
  /** A chat request without a usable id: there is no turn to answer, only an error frame. */
  | { readonly _tag: "Malformed" }

const textOf = (message: typeof Message.Type): string =>
  message.parts.map((part) => (part.type === "text" && typeof part.text === "string" ? part.text : "")).join("")

/** Checks one text frame; `json` is its parse, when it parsed. */
export const checkChatRequest = (json: unknown, maxMessageChars: number): ChatRequestCheck => {
  if (Option.isNone(decodeType(json))) return { _tag: "NotChat" }
  const frame = decodeFrame(json)
  if (Either.isLeft(frame)) return { _tag: "Malformed" }
  const { id, init } = frame.right
  if (init.method !== "POST") return { _tag: "NotChat" }
  const refuse = (text: string): ChatRequestCheck => ({ _tag: "Refuse", id, text })
  const body = decodeBody(init.body ?? "")
  if (Either.isLeft(body)) {
    return refuse(chatErrorText("invalid_message", "The chat request's body must be JSON with a messages array of { role, parts }."))
  }
  const { messages, trigger } = body.right
  if (messages.some((m) => m.role !== "user" && m.role !== "assistant")) {
    return refuse(chatErrorText("invalid_message", "Messages must have role user or assistant; the system prompt is the agent's."))
  }
  const newest = [...messages].reverse().find((m) => m.role === "user")
  if (newest === undefined) return refuse(chatErrorText("invalid_message", "The chat request has no user message."))
  const text = textOf(newest)
  if (text.length > maxMessageChars) {
    return refuse(chatErrorText("too_large", `The message is ${text.length} characters; the limit is ${maxMessageChars}.`))
  }
  if (trigger !== "regenerate-message" && text.trim().length === 0) {
    return refuse(chatErrorText("invalid_message", "The message has no text."))
  }
  return { _tag: "Accept", id, messages }
}
