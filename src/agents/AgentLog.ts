/**
 * Agent-side log events (`agent.connected`, `agent.closed`, `agent.message_rejected`) written through the
 * same JSON logger as the router's, so one connection can be followed by its request id end to end.
 */
import { Clock, Effect, LogLevel, ManagedRuntime } from "effect"
import { REQUEST_ID_HEADER } from "../domain/Headers.js"
import { JsonLoggerLive } from "../layers/JsonLogger.js"

// One runtime per isolate: agents log synchronously from their WebSocket hooks.
const runtime = ManagedRuntime.make(JsonLoggerLive)

/** What an agent remembers about a connection (kept in the connection's attachment across hibernation). */
export interface ConnectionFacts {
  readonly requestId: string | null
  readonly connectedAt: number
}

/** The facts of a new connection, from the router's request id header on the upgrade request. */
export const connectionFacts = (request: Request): ConnectionFacts => ({
  requestId: request.headers.get(REQUEST_ID_HEADER),
  connectedAt: runtime.runSync(Clock.currentTimeMillis)
})

/** Milliseconds since `since`, by Effect's clock. */
export const elapsedSince = (since: number): number => runtime.runSync(Clock.currentTimeMillis) - since

type AgentEvent = "agent.connected" | "agent.closed" | "agent.message_rejected"

/** Writes one agent event line. */
export const logAgentEvent = (
  level: "INFO" | "WARN",
  event: AgentEvent,
  fields: Readonly<Record<string, string | number | boolean | null>>
): void =>
  runtime.runSync(Effect.logWithLevel(level === "WARN" ? LogLevel.Warning : LogLevel.Info, { event, ...fields }))
