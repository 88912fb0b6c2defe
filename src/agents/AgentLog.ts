/**
 * Agent-side log events (`agent.connected`, `agent.closed`, `agent.message_rejected`, ...) as Effects, written
 * through the same JSON line format as the router's, so one connection can be followed by its request id
 * end to end. The agent runs them on its own runtime (see ObservedAgent).
 */
import { Clock, Effect, LogLevel, type Schema } from "effect"
import { REQUEST_ID_HEADER, ROUTER_USER_HEADER, userFromHeader } from "../domain/Headers.js"

/** What an agent remembers about a connection (kept in the connection's attachment across hibernation). */
export interface ConnectionFacts {
  readonly requestId: string | null
  /** The verified user the router named (`x-agents-router-user`), if any. */
  readonly user: string | null
  readonly connectedAt: number
}

/** The facts of a new connection, from the router's headers on the upgrade request. */
export const connectionFacts = (request: Request): Effect.Effect<ConnectionFacts> =>
  Effect.map(Clock.currentTimeMillis, (connectedAt) => ({
    requestId: request.headers.get(REQUEST_ID_HEADER),
    user: callerOf(request),
    connectedAt
  }))

/** The verified user the router named on `request`, or null (no user tokens, or a service). */
export const callerOf = (request: Request): string | null => userFromHeader(request.headers.get(ROUTER_USER_HEADER))

/** Milliseconds since `since`, by Effect's clock. */
export const elapsedSince = (since: number): Effect.Effect<number> => Effect.map(Clock.currentTimeMillis, (now) => now - since)

/** The fields of a log event line as its schema has them, but those the logger writes itself. */
type LineOf<S extends Schema.Schema.AnyNoContext> = Omit<Schema.Schema.Type<S>, "timestamp" | "level">

/**
 * One agent event line, typed by the schema it must decode with (`AgentConnected`, `AgentChatRefused`,
 * ...): a field the schema does not have, or a missing one, does not compile.
 */
export const agentEvent = <S extends Schema.Schema.AnyNoContext>(
  _schema: S,
  level: "INFO" | "WARN",
  line: LineOf<S>
): Effect.Effect<void> => Effect.logWithLevel(level === "WARN" ? LogLevel.Warning : LogLevel.Info, line)
