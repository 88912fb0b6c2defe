/**
 * CoderAgent's log events (README, docs/logging.md): a refused chat frame, a failed model call, a finished
 * turn, settings that cannot start a session, an adopted legacy history; and `LogLine`, every line the
 * Worker and its agents write, which the tests decode the real output with.
 */
import { Schema } from "effect"
import { AgentConnectionLine, agentEventFields, RequestCompleted } from "../LogEvent.js"
import { CHAT_ERROR_CODES } from "./ChatAnswers.js"

/**
 * A chat frame refused before the SDK stored anything or started a turn (the client got the chat protocol's
 * error answer for `chatRequestId`, or an `error` frame when the frame has no chat request id).
 */
export const AgentChatRefused = Schema.Struct({
  ...agentEventFields,
  event: Schema.Literal("agent.chat_refused"),
  chatRequestId: Schema.NullOr(Schema.String),
  frameType: Schema.String,
  code: Schema.Literal(...CHAT_ERROR_CODES),
  user: Schema.NullOr(Schema.String)
})

/** The fields of every line about one chat turn: its chat request id, and the connection's request id and user. */
const chatTurnFields = {
  timestamp: Schema.String,
  agent: Schema.String,
  instance: Schema.String,
  chatRequestId: Schema.String,
  requestId: Schema.NullOr(Schema.String),
  user: Schema.NullOr(Schema.String)
}

/** The model failed a turn (the client got `model_error` or `model_timeout`); `detail` never holds a URL. */
export const AgentModelFailed = Schema.Struct({
  ...chatTurnFields,
  level: Schema.Literal("WARN"),
  event: Schema.Literal("agent.model_failed"),
  reason: Schema.Literal("error", "timeout"),
  detail: Schema.String
})

/** A chat turn ended: how, how long it took, and what the model reported (null when it reported nothing). */
export const AgentChatCompleted = Schema.Struct({
  ...chatTurnFields,
  level: Schema.Literal("INFO"),
  event: Schema.Literal("agent.chat_completed"),
  backend: Schema.Literal("openai-compatible", "workers-ai", "none"),
  status: Schema.Literal("completed", "error", "aborted"),
  code: Schema.NullOr(Schema.Literal("model_unavailable", "model_error", "model_timeout")),
  durationMs: Schema.Number,
  finishReason: Schema.NullOr(Schema.String),
  inputTokens: Schema.NullOr(Schema.Number),
  outputTokens: Schema.NullOr(Schema.Number),
  totalTokens: Schema.NullOr(Schema.Number)
})

/** CoderAgent's settings cannot start a session; `detail` names each var and what is wrong, never its value. */
export const AgentSettingsInvalid = Schema.Struct({
  timestamp: Schema.String,
  level: Schema.Literal("WARN"),
  event: Schema.Literal("agent.settings_invalid"),
  agent: Schema.String,
  instance: Schema.String,
  detail: Schema.String
})

/** An instance's messages from before CoderAgent was an AIChatAgent joined the SDK's history (once). */
export const AgentHistoryAdopted = Schema.Struct({
  timestamp: Schema.String,
  level: Schema.Literal("INFO"),
  event: Schema.Literal("agent.history_adopted"),
  agent: Schema.String,
  instance: Schema.String,
  messages: Schema.Number
})

/** Every line the Worker and its agents write. */
export const LogLine = Schema.Union(
  RequestCompleted,
  AgentConnectionLine,
  AgentChatRefused,
  AgentModelFailed,
  AgentChatCompleted,
  AgentSettingsInvalid,
  AgentHistoryAdopted
)
export type LogLine = typeof LogLine.Type
