/**
 * CoderAgent's own frames, next to the SDK's chat protocol (`cf_agent_use_chat_*`, see
 * `@cloudflare/ai-chat`): `ping` -> `pong` for probes, and `error` frames with a stable `code` for
 * anything else a client sends that neither the SDK nor CoderAgent understands. The connection stays open.
 */
import { Either, Schema } from "effect"

/** `ping`: asks for a `pong` with the server time. */
export const Ping = Schema.Struct({ type: Schema.Literal("ping") })
export type ClientFrame = typeof Ping.Type

/** The agent's synced state (the SDK's `cf_agent_state` frames carry it to every client). */
export interface CoderState {
  readonly status: "idle" | "working"
  readonly messageCount: number
  readonly lastActivity: string | null
}

/** The state of a fresh instance. */
export const initialCoderState: CoderState = { status: "idle", messageCount: 0, lastActivity: null }

/** Stable error codes clients can switch on. */
export type ErrorCode = "invalid_json" | "invalid_message" | "unsupported_frame" | "state_read_only"

/** An `error` frame: a stable code and a sentence. */
export interface ErrorFrame {
  readonly type: "error"
  readonly code: ErrorCode
  readonly message: string
}

/** An `error` frame. */
export const errorFrame = (code: ErrorCode, message: string): ErrorFrame => ({ type: "error", code, message })

const decodeTyped = Schema.decodeUnknownEither(Schema.Struct({ type: Schema.String }))
const decodePing = Schema.decodeUnknownEither(Ping)

/** The frames that used to be CoderAgent's own chat protocol, replaced by the SDK's (README, CoderAgent). */
const retired = new Set(["chat", "history", "cancel", "reset"])

/** Decodes a text frame the SDK did not take; fails with the `error` frame to send back. */
export const parseClientFrame = (text: string): Either.Either<ClientFrame, ErrorFrame> =>
  decodeClientFrame(Either.try(() => JSON.parse(text) as unknown))

/** Decodes a frame already parsed (Left: it was not JSON); the agent passes the chat screen's parse. */
export const decodeClientFrame = (json: Either.Either<unknown, unknown>): Either.Either<ClientFrame, ErrorFrame> => {
  if (Either.isLeft(json)) return Either.left(errorFrame("invalid_json", "The frame is not valid JSON."))
  const typed = decodeTyped(json.right)
  if (Either.isLeft(typed)) return Either.left(errorFrame("invalid_message", `The frame has no "type"; expected ping or the SDK's chat frames.`))
  if (retired.has(typed.right.type)) {
    return Either.left(
      errorFrame(
        "unsupported_frame",
        `"${typed.right.type}" frames were retired: CoderAgent speaks the Agents SDK chat protocol (useAgentChat from @cloudflare/ai-chat/react; history at GET .../get-messages).`
      )
    )
  }
  return Either.mapLeft(decodePing(json.right), () =>
    errorFrame("invalid_message", `Unknown frame type; expected ping or the SDK's chat frames.`)
  )
}

/** The error frame for a client's attempt to write the synced state, which only the agent changes. */
export const stateReadOnly = {
  type: "error",
  code: "state_read_only",
  message: "CoderAgent's state is read-only for clients: it follows the session (status, messageCount, lastActivity)."
} as const satisfies ErrorFrame

/** The error frame for a binary frame, which this protocol does not use. */
export const binaryFrameRejected: ErrorFrame = errorFrame("unsupported_frame", "Binary frames are not supported; send JSON text frames.")
