/**
 * The shape of the one `request.completed` line every request ends with (see docs/logging.md). The schema
 * is the contract with log consumers; a test decodes every emitted line with it.
 */
import { Schema } from "effect"
import { CHAT_ERROR_CODES } from "./ChatAnswers.js"

/** `routed`, one of the router's own pages, the tag of the error that answered, or `Defect`. */
export const Outcome = Schema.Literal(
  "routed",
  "index",
  "health",
  "diagnostics",
  "preflight",
  "RouteNotFound",
  "InvalidRoute",
  "UpgradeRejected",
  "PreflightRejected",
  "Unauthorized",
  "Forbidden",
  "RateLimited",
  "AuthUnavailable",
  "MissingBinding",
  "RoutingFailed",
  "Defect"
)
export type Outcome = typeof Outcome.Type

/** Why a request ended in `Defect`: a bug that escaped the pipeline, or a configuration that cannot start. */
export const DefectReason = Schema.Literal("defect", "startup_failed")
export type DefectReason = typeof DefectReason.Type

/** One `request.completed` log line. `agent` and `instance` are null when the request never named them. */
export const RequestCompleted = Schema.Struct({
  timestamp: Schema.String,
  level: Schema.Literal("INFO", "WARN", "ERROR"),
  event: Schema.Literal("request.completed"),
  requestId: Schema.String,
  method: Schema.String,
  path: Schema.String,
  agent: Schema.NullOr(Schema.String),
  instance: Schema.NullOr(Schema.String),
  upgrade: Schema.Boolean,
  outcome: Outcome,
  status: Schema.Number,
  durationMs: Schema.Number,
  reason: Schema.optional(Schema.String),
  attempts: Schema.optional(Schema.Number),
  cause: Schema.optional(Schema.String),
  /** The sub-agent steps of the URL, parent first: each child's class and instance name. */
  subAgents: Schema.optional(Schema.Array(Schema.Struct({ agent: Schema.String, instance: Schema.String }))),
  /** The binding `env` lacks (`MissingBinding`) and the exact fix. */
  binding: Schema.optional(Schema.String),
  hint: Schema.optional(Schema.String),
  /** The `x-request-id` the client sent, when well-formed: logged, never adopted as `requestId`. */
  clientRequestId: Schema.optional(Schema.String),
  /** The verified user (the token's instance claim), when a user token was checked. */
  user: Schema.optional(Schema.String),
  /** The client's address, on `RateLimited`. */
  clientAddress: Schema.optional(Schema.String),
  /** A refused WebSocket upgrade answered with a closed socket: its close code (`status` keeps the table's). */
  closeCode: Schema.optional(Schema.Number)
})
export type RequestCompleted = typeof RequestCompleted.Type

/** A log event: its name and its fields, written as one object (see `formatLogLine`). */
export interface LogEvent {
  readonly event: string
  readonly [field: string]: unknown
}

/** The fields of a `request.completed` line before the logger adds `timestamp` and `level`. */
export type RequestCompletedEvent = Omit<RequestCompleted, "timestamp" | "level">

/**
 * The one constructor of `request.completed` events, for the router and its last-resort path alike: the
 * fields are typed by the `RequestCompleted` schema, so a line that would not decode does not compile.
 */
export const requestCompleted = (fields: Omit<RequestCompletedEvent, "event">): RequestCompletedEvent => ({
  event: "request.completed",
  ...fields
})

const agentEventFields = {
  timestamp: Schema.String,
  level: Schema.Literal("INFO", "WARN", "ERROR"),
  requestId: Schema.NullOr(Schema.String),
  agent: Schema.String,
  instance: Schema.String,
  connectionId: Schema.String
}

/** An agent accepted a WebSocket connection (logged by the agent, with the router's request id and user). */
export const AgentConnected = Schema.Struct({
  ...agentEventFields,
  event: Schema.Literal("agent.connected"),
  user: Schema.optional(Schema.NullOr(Schema.String))
})

/** A WebSocket connection to an agent closed. `durationMs` is how long it was open. */
export const AgentClosed = Schema.Struct({
  ...agentEventFields,
  event: Schema.Literal("agent.closed"),
  code: Schema.Number,
  wasClean: Schema.Boolean,
  durationMs: Schema.NullOr(Schema.Number)
})

/** An agent answered a frame it could not accept with an `error` frame (the connection stays open). */
export const AgentMessageRejected = Schema.Struct({
  ...agentEventFields,
  event: Schema.Literal("agent.message_rejected"),
  code: Schema.String
})

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
  AgentConnected,
  AgentClosed,
  AgentMessageRejected,
  AgentChatRefused,
  AgentModelFailed,
  AgentChatCompleted,
  AgentSettingsInvalid,
  AgentHistoryAdopted
)
export type LogLine = typeof LogLine.Type
