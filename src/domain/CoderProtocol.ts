/**
 * The frames a CoderAgent client sends and receives, decoded with `Schema`. Anything that does not decode
 * gets an `error` frame with a stable `code`; the connection stays open.
 */
import { Either, Schema } from "effect"

/** `{"type":"ping"}`: asks for a `pong`. */
export const Ping = Schema.Struct({ type: Schema.Literal("ping") })

/** Every frame a client may send. */
export const ClientFrame = Schema.Union(Ping)
export type ClientFrame = typeof ClientFrame.Type

/** The agent's synced state (the SDK's `cf_agent_state` frames carry it to every client). */
export interface CoderState {
  readonly pings: number
  readonly lastActivity: string | null
}

/** The state of a fresh instance. */
export const initialCoderState: CoderState = { pings: 0, lastActivity: null }

/** Stable error codes clients can switch on. */
export type ErrorCode = "invalid_json" | "invalid_message" | "unsupported_frame"

/** The frames the agent sends (besides the SDK's own). */
export type ServerFrame =
  | { readonly type: "pong"; readonly time: string }
  | { readonly type: "error"; readonly code: ErrorCode; readonly message: string }

const decodeFrame = Schema.decodeUnknownEither(ClientFrame)

/** Decodes a text frame; fails with the error frame to send back. */
export const parseClientFrame = (text: string): Either.Either<ClientFrame, ServerFrame> => {
  const json = Either.try(() => JSON.parse(text) as unknown)
  if (Either.isLeft(json)) {
    return Either.left({ type: "error", code: "invalid_json", message: "The frame is not valid JSON." })
  }
  return Either.mapLeft(decodeFrame(json.right), () => ({
    type: "error",
    code: "invalid_message",
    message: `Unknown or malformed message; expected one of: {"type":"ping"}.`
  }))
}

/** The error frame for a binary frame, which this protocol does not use. */
export const binaryFrameRejected: ServerFrame = {
  type: "error",
  code: "unsupported_frame",
  message: "Binary frames are not supported; send JSON text frames."
}
