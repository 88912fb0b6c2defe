/**
 * What CoderAgent tells a chat client when a turn cannot be answered, in the SDK's chat protocol: the
 * error text of a `cf_agent_use_chat_response` frame (`useAgentChat` shows it as `error.message`). The
 * text starts with a stable code and a colon, so clients can switch on it; the rest is a safe sentence
 * (never a model URL, a credential or upstream content).
 */

/** Stable codes of refused or failed chat turns, in the order the README's table lists them. */
export const CHAT_ERROR_CODES = [
  "model_unavailable",
  "model_error",
  "model_timeout",
  "invalid_message",
  "too_large",
  "history_full",
  "busy",
  "rate_limited",
  "unsupported_frame"
] as const

/** Stable codes of failed chat turns. */
export type ChatErrorCode = (typeof CHAT_ERROR_CODES)[number]

/** The error text clients see: `code: sentence`. */
export const chatErrorText = (code: ChatErrorCode, sentence: string): string => `${code}: ${sentence}`

/** The code an error text starts with, if it is one of ours. */
export const chatErrorCodeOf = (text: string): ChatErrorCode | null => {
  const code = text.slice(0, text.indexOf(":"))
  return codes.has(code) ? (code as ChatErrorCode) : null
}

const codes: ReadonlySet<string> = new Set(CHAT_ERROR_CODES)

/** The code of a model failure, by its reason. */
export const modelFailureCode = { error: "model_error", timeout: "model_timeout" } as const satisfies Record<string, ChatErrorCode>

/** The safe sentences for model failures, one per reason. */
export const modelFailureSentence = {
  error: "The model failed to answer. Try again; the operator's log has the details.",
  timeout: "The model stopped sending its reply in time. Try again."
} as const

/** A chat request frame as the SDK's clients send it (`useAgentChat`, `AgentClient`). */
export const CHAT_REQUEST_TYPE = "cf_agent_use_chat_request"
/** The frame that carries a turn's chunks and its end, or its error. */
export const CHAT_RESPONSE_TYPE = "cf_agent_use_chat_response"

/** The frame refusing chat request `id`, ending that turn for the client. */
export const chatRefusal = (id: string, text: string) => ({ type: CHAT_RESPONSE_TYPE, id, body: text, done: true, error: true })
