/**
 * The one screen for every client frame of the SDK's chat protocol that can store messages or start a
 * model turn. `@cloudflare/ai-chat` 0.12 (`agents` 0.32 `parseProtocolMessage`) accepts eight client frame
 * types; each is either passed on unchanged (clear, cancel, stream resume: they store nothing a client
 * wrote and start no turn), rewritten from screened messages (chat request, chat messages), or refused
 * (tool result, tool approval: CoderAgent has no tools). What a client may store: `user` messages of text
 * parts, each within `MAX_MESSAGE_CHARS`; a message id already stored keeps its stored content (replies
 * are only what the model wrote); frames and the stored history are bounded. Pure: the agent applies it.
 */
import { Either, Schema } from "effect"
import { CHAT_REQUEST_TYPE, type ChatErrorCode } from "./ChatAnswers.js"

/** The client frame types of the SDK's chat protocol (`CHAT_MESSAGE_TYPES` in `agents`). */
export const CHAT_FRAME_TYPES = {
  request: CHAT_REQUEST_TYPE,
  messages: "cf_agent_chat_messages",
  clear: "cf_agent_chat_clear",
  cancel: "cf_agent_chat_request_cancel",
  resumeRequest: "cf_agent_stream_resume_request",
  resumeAck: "cf_agent_stream_resume_ack",
  toolResult: "cf_agent_tool_result",
  toolApproval: "cf_agent_tool_approval"
} as const

/** The bounds the screen applies (README, CoderAgent: each is a `Config` setting). */
export interface ChatLimits {
  /** The longest message a client may store, in characters (`MAX_MESSAGE_CHARS`). */
  readonly maxMessageChars: number
  /** The most messages one frame may carry (`MAX_FRAME_MESSAGES`). */
  readonly maxFrameMessages: number
  /** The largest frame, in UTF-8 bytes (`MAX_FRAME_BYTES`). */
  readonly maxFrameBytes: number
  /** The most messages an instance stores (`MAX_HISTORY_MESSAGES`). */
  readonly maxHistoryMessages: number
  /** The largest stored history, in bytes of its JSON (`MAX_HISTORY_BYTES`). */
  readonly maxHistoryBytes: number
}

/** A stored message, as far as the screen needs it. */
export interface StoredMessage {
  readonly id: string
}

/** What to do with one text frame. */
export type Screened =
  /**
   * Not a frame that stores client messages or starts a turn: the SDK and the agent handle it as usual.
   * `json` is the frame as parsed here (an `Either`: Left when it is not JSON), so the agent parses it once.
   */
  | { readonly _tag: "Pass"; readonly json: Either.Either<unknown, unknown> }
  /** A chat request whose screened messages may start turn `id`: hand `frame` to the SDK. */
  | { readonly _tag: "Turn"; readonly id: string; readonly frame: string }
  /** A chat messages frame with screened messages: hand `frame` to the SDK. */
  | { readonly _tag: "Store"; readonly frame: string }
  /** Refused: answered in turn `id` when the frame has one, otherwise with an `error` frame. */
  | { readonly _tag: "Refuse"; readonly id: string | null; readonly frameType: string; readonly code: ChatErrorCode; readonly sentence: string }

const Id = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(128))
const Typed = Schema.Struct({ type: Schema.String })
const RequestFrame = Schema.Struct({
  id: Id,
  init: Schema.Struct({ method: Schema.optional(Schema.String), body: Schema.optional(Schema.String) })
})
const RequestBody = Schema.parseJson(
  Schema.Struct({ messages: Schema.Unknown, trigger: Schema.optional(Schema.Literal("submit-message", "regenerate-message")) })
)
const MessagesFrame = Schema.Struct({ messages: Schema.Unknown })
const Message = Schema.Struct({ id: Id, role: Schema.String, parts: Schema.Array(Schema.Unknown) })
const TextPart = Schema.Struct({ type: Schema.Literal("text"), text: Schema.String })

const decode = <A, I>(schema: Schema.Schema<A, I>) => Schema.decodeUnknownEither(schema)
const decodeTyped = decode(Typed)
const decodeRequest = decode(RequestFrame)
const decodeBody = decode(RequestBody)
const decodeMessagesFrame = decode(MessagesFrame)
const decodeMessages = decode(Schema.Array(Message))
const decodeTextParts = decode(Schema.Array(TextPart))
const isTextPart = Schema.is(TextPart)

type Refusal = { readonly code: ChatErrorCode; readonly sentence: string }
const refusal = (code: ChatErrorCode, sentence: string): Refusal => ({ code, sentence })

/** A message a client may store: `user`, text parts only (never a file or a URL), within the limit. */
type ClientMessage = { readonly id: string; readonly role: "user"; readonly parts: ReadonlyArray<{ readonly type: "text"; readonly text: string }> }

const clientMessage = (message: typeof Message.Type, limits: ChatLimits): Either.Either<ClientMessage, Refusal> => {
  if (message.role !== "user") {
    return Either.left(
      refusal(
        "invalid_message",
        `A client may store only user messages (got "${message.role.slice(0, 20)}"): the system prompt is the agent's, replies are the model's, and CoderAgent has no tools.`
      )
    )
  }
  const parts = decodeTextParts(message.parts)
  if (Either.isLeft(parts)) {
    return Either.left(refusal("invalid_message", "A user message may hold only text parts ({ type: \"text\", text }): no files, URLs or other parts."))
  }
  const chars = parts.right.reduce((sum, part) => sum + part.text.length, 0)
  if (chars > limits.maxMessageChars) {
    return Either.left(refusal("too_large", `A message is ${chars} characters; the limit is ${limits.maxMessageChars}.`))
  }
  return Either.right({ id: message.id, role: "user", parts: parts.right.map((part) => ({ type: "text", text: part.text })) })
}

const utf8Bytes = (text: string): number => new TextEncoder().encode(text).byteLength

/**
 * Screens the messages of one frame against the stored ones. `replace`: they become the whole history (a
 * chat request; the SDK deletes stored rows the request leaves out); `merge`: they are upserted.
 */
export const screenMessages = (
  incoming: unknown,
  stored: ReadonlyArray<StoredMessage>,
  mode: "replace" | "merge",
  limits: ChatLimits
): Either.Either<ReadonlyArray<unknown>, Refusal> => {
  if (!Array.isArray(incoming)) return Either.left(refusal("invalid_message", "messages must be an array of { id, role, parts }."))
  if (incoming.length > limits.maxFrameMessages) {
    return Either.left(refusal("too_large", `The frame carries ${incoming.length} messages; the limit is ${limits.maxFrameMessages}.`))
  }
  const messages = decodeMessages(incoming)
  if (Either.isLeft(messages)) {
    return Either.left(refusal("invalid_message", "Each message needs an id (1 to 128 characters), a role and a parts array."))
  }
  const ids = new Set(messages.right.map((m) => m.id))
  if (ids.size !== messages.right.length) return Either.left(refusal("invalid_message", "Two messages in the frame have the same id."))
  const known = new Map(stored.map((m) => [m.id, m] as const))
  const screened: Array<unknown> = []
  for (const message of messages.right) {
    // A stored id keeps its stored content: the client's copy of it is not trusted.
    const kept = known.get(message.id)
    if (kept !== undefined) {
      screened.push(kept)
      continue
    }
    const accepted = clientMessage(message, limits)
    if (Either.isLeft(accepted)) return Either.left(accepted.left)
    screened.push(accepted.right)
  }
  const history = mode === "replace" ? screened : [...stored.filter((m) => !ids.has(m.id)), ...screened]
  const bytes = utf8Bytes(JSON.stringify(history))
  if (history.length > limits.maxHistoryMessages || bytes > limits.maxHistoryBytes) {
    return Either.left(
      refusal(
        "history_full",
        `The conversation would hold ${history.length} messages (${bytes} bytes); the limit is ${limits.maxHistoryMessages} messages and ${limits.maxHistoryBytes} bytes. Clear the conversation or open a new instance.`
      )
    )
  }
  return Either.right(screened)
}

const textOf = (message: unknown): string =>
  typeof message === "object" && message !== null && "parts" in message && Array.isArray(message.parts)
    ? message.parts.map((p: unknown) => (typeof p === "object" && p !== null && "text" in p && typeof p.text === "string" ? p.text : "")).join("")
    : ""

const roleOf = (message: unknown): unknown => (typeof message === "object" && message !== null && "role" in message ? message.role : undefined)

const screenRequest = (json: unknown, stored: ReadonlyArray<StoredMessage>, limits: ChatLimits): Screened => {
  const type = CHAT_FRAME_TYPES.request
  const frame = decodeRequest(json)
  if (Either.isLeft(frame)) {
    return { _tag: "Refuse", id: null, frameType: type, code: "invalid_message", sentence: "A chat request needs an id (1 to 128 characters) and init { method, body }." }
  }
  const { id, init } = frame.right
  const refuse = (r: Refusal): Screened => ({ _tag: "Refuse", id, frameType: type, ...r })
  if (init.method !== "POST") return refuse(refusal("invalid_message", "A chat request's init.method is POST."))
  const body = decodeBody(init.body ?? "")
  if (Either.isLeft(body)) {
    return refuse(refusal("invalid_message", "The chat request's body must be JSON { messages, trigger } (trigger: submit-message or regenerate-message)."))
  }
  const { messages, trigger } = body.right
  const screened = screenMessages(messages, stored, "replace", limits)
  if (Either.isLeft(screened)) return refuse(screened.left)
  const newest = [...screened.right].reverse().find((m) => roleOf(m) === "user")
  if (newest === undefined) return refuse(refusal("invalid_message", "The chat request has no user message."))
  if (trigger !== "regenerate-message" && textOf(newest).trim().length === 0) return refuse(refusal("invalid_message", "The message has no text."))
  // Rebuilt from what was screened: no client tools, no custom body, nothing else reaches the SDK.
  const rebuilt = { type, id, init: { method: "POST", body: JSON.stringify({ messages: screened.right, trigger: trigger ?? "submit-message" }) } }
  return { _tag: "Turn", id, frame: JSON.stringify(rebuilt) }
}

/**
 * Screens one text frame (`text`, as received) against the stored history. Never throws: a frame that is
 * not JSON, or not one of the chat protocol's, is `Pass` (the agent's own frames answer it).
 */
export const screenFrame = (text: string, stored: ReadonlyArray<StoredMessage>, limits: ChatLimits): Screened => {
  const json = Either.try(() => JSON.parse(text) as unknown)
  if (Either.isLeft(json)) return { _tag: "Pass", json }
  const typed = decodeTyped(json.right)
  if (Either.isLeft(typed)) return { _tag: "Pass", json }
  const type = typed.right.type
  const idOf = (): string | null => {
    const id = (json.right as { id?: unknown }).id
    return type === CHAT_FRAME_TYPES.request && typeof id === "string" && id.length > 0 && id.length <= 128 ? id : null
  }
  switch (type) {
    case CHAT_FRAME_TYPES.clear:
    case CHAT_FRAME_TYPES.cancel:
    case CHAT_FRAME_TYPES.resumeRequest:
    case CHAT_FRAME_TYPES.resumeAck:
      return { _tag: "Pass", json }
    case CHAT_FRAME_TYPES.toolResult:
    case CHAT_FRAME_TYPES.toolApproval:
      return { _tag: "Refuse", id: null, frameType: type, code: "unsupported_frame", sentence: "CoderAgent has no tools: tool results and approvals are not accepted." }
    case CHAT_FRAME_TYPES.request:
    case CHAT_FRAME_TYPES.messages: {
      const bytes = utf8Bytes(text)
      if (bytes > limits.maxFrameBytes) {
        return { _tag: "Refuse", id: idOf(), frameType: type, code: "too_large", sentence: `The frame is ${bytes} bytes; the limit is ${limits.maxFrameBytes}.` }
      }
      if (type === CHAT_FRAME_TYPES.request) return screenRequest(json.right, stored, limits)
      const frame = decodeMessagesFrame(json.right)
      const screened = Either.isLeft(frame)
        ? Either.left(refusal("invalid_message", "A chat messages frame needs messages."))
        : screenMessages(frame.right.messages, stored, "merge", limits)
      return Either.match(screened, {
        onLeft: (r): Screened => ({ _tag: "Refuse", id: null, frameType: type, ...r }),
        onRight: (messages): Screened => ({ _tag: "Store", frame: JSON.stringify({ type, messages }) })
      })
    }
    default:
      return { _tag: "Pass", json }
  }
}

/**
 * What of the stored conversation goes to the model: user and assistant messages, their text parts only
 * (a file or URL part that got stored before this screen existed is never sent, so nothing is fetched),
 * the newest `contextMessages` of them, then the oldest dropped until their text is within
 * `maxContextChars` (the newest message always stays; it is within `MAX_MESSAGE_CHARS`).
 */
export const modelContext = <M extends { readonly role: string; readonly parts: ReadonlyArray<unknown> }>(
  messages: ReadonlyArray<M>,
  contextMessages: number,
  maxContextChars: number
): Array<M> => {
  const texts = messages
    .filter((m) => m.role === "user" || m.role === "assistant")
    .map((m) => ({ ...m, parts: m.parts.filter(isTextPart) }))
    .filter((m) => m.parts.length > 0)
    .slice(-contextMessages)
  let chars = texts.reduce((sum, m) => sum + textOf(m).length, 0)
  let first = 0
  while (chars > maxContextChars && first < texts.length - 1) chars -= textOf(texts[first++]).length
  return texts.slice(first)
}
