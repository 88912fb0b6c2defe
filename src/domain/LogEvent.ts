/**
 * The shape of the one `request.completed` line every request ends with (see docs/logging.md). The schema
 * is the contract with log consumers; a test decodes every emitted line with it.
 */
import { Schema } from "effect"

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

type FactName = "agent" | "instance" | "subAgents" | "attempts" | "reason" | "cause" | "binding" | "hint" | "user" | "clientAddress"

/**
 * What a line says about where a request went and why it ended so: the place, and a failure's details.
 * An optional fact may be present as `undefined`: the line leaves it out.
 */
export type RequestFacts = Pick<RequestCompletedEvent, "agent" | "instance"> & {
  readonly [K in Exclude<FactName, "agent" | "instance">]?: RequestCompletedEvent[K] | undefined
}

/** What a line says about the request and its answer: every field but the facts and the event name. */
export type RequestOutcome = Omit<RequestCompletedEvent, FactName | "event" | "closeCode" | "clientRequestId"> & {
  readonly closeCode?: number | undefined
  readonly clientRequestId?: string | undefined
}

/** A `request.completed` event as `requestCompleted` builds it: every field in name order, `undefined` where absent. */
export type RequestCompletedFields = RequestOutcome & RequestFacts & { readonly event: "request.completed" }

/**
 * The one constructor of `request.completed` events, for the router and its last-resort path alike: the
 * fields are typed by the `RequestCompleted` schema, so a line that would not decode does not compile. One
 * object with every field in name order (absent ones `undefined`), so the logger writes it without sorting
 * and every line's event has one shape (bench:count, docs/performance.md).
 */
export const requestCompleted = (answer: RequestOutcome, facts: RequestFacts): RequestCompletedFields => ({
  agent: facts.agent,
  attempts: facts.attempts,
  binding: facts.binding,
  cause: facts.cause,
  clientAddress: facts.clientAddress,
  clientRequestId: answer.clientRequestId,
  closeCode: answer.closeCode,
  durationMs: answer.durationMs,
  event: "request.completed",
  hint: facts.hint,
  instance: facts.instance,
  method: answer.method,
  outcome: answer.outcome,
  path: answer.path,
  reason: facts.reason,
  requestId: answer.requestId,
  status: answer.status,
  subAgents: facts.subAgents,
  upgrade: answer.upgrade,
  user: facts.user
})

/** The fields every agent event line carries. */
export const agentEventFields = {
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

/** The lines every agent behind this router writes (its connections); agents add their own (CoderEvents.ts). */
export const AgentConnectionLine = Schema.Union(AgentConnected, AgentClosed, AgentMessageRejected)
