/**
 * The connection log every agent behind this router writes: `agent.connected` and `agent.closed` for each
 * WebSocket, keyed by the router's request id, and `agent.message_rejected` for each `error` frame sent
 * through `reject`. An agent holds one and calls it from its hooks (composition, so agents on other SDK
 * bases, such as `AIChatAgent`, log the same way).
 */
import type { Connection, ConnectionContext } from "agents"
import { Effect, ManagedRuntime } from "effect"
import { JsonLoggerLive } from "../layers/Logging.js"
import { AgentClosed, AgentConnected, AgentMessageRejected } from "../domain/LogEvent.js"
import { agentEvent, connectionFacts, elapsedSince, type ConnectionFacts } from "./AgentLog.js"

/** The facts the router's headers gave a connection, if it was logged as connected. */
export const factsOf = (connection: Connection): ConnectionFacts | null => {
  const state: unknown = connection.state
  return typeof state === "object" && state !== null && "connectedAt" in state ? (state as ConnectionFacts) : null
}

/** One agent instance's connection log. */
export class ConnectionLog {
  /**
   * `agentName` is spelled out (`--minify` renames classes); `instance` is read when a line is written.
   * `runtime` is the instance's own (the hooks log synchronously, so it is built once, with the instance);
   * without one the log builds a logger-only runtime.
   */
  constructor(
    private readonly agentName: string,
    private readonly instance: () => string,
    readonly runtime: Pick<ManagedRuntime.ManagedRuntime<never, never>, "runSync"> = ManagedRuntime.make(JsonLoggerLive)
  ) {}

  /** The fields every line about `connection` carries. */
  fields(connection: Connection) {
    return { requestId: factsOf(connection)?.requestId ?? null, agent: this.agentName, instance: this.instance(), connectionId: connection.id }
  }

  /** Remembers the router's facts in the connection's attachment and logs `agent.connected`. */
  connected(connection: Connection, context: ConnectionContext): void {
    const facts = this.runtime.runSync(connectionFacts(context.request))
    connection.setState(facts)
    this.runtime.runSync(agentEvent(AgentConnected, "INFO", { event: "agent.connected", ...this.fields(connection), user: facts.user }))
  }

  closed(connection: Connection, code: number, wasClean: boolean): void {
    const facts = factsOf(connection)
    const fields = this.fields(connection)
    // 1011 is the server failing the connection: worth an operator's look.
    this.runtime.runSync(
      Effect.flatMap(facts === null ? Effect.succeed(null) : elapsedSince(facts.connectedAt), (durationMs) =>
        agentEvent(AgentClosed, code === 1011 ? "WARN" : "INFO", { event: "agent.closed", ...fields, code, wasClean, durationMs })
      )
    )
  }

  /** Sends an `error` frame (the connection stays open) and logs `agent.message_rejected`. */
  reject(connection: Connection, frame: { readonly type: "error"; readonly code: string; readonly message: string }): void {
    this.runtime.runSync(agentEvent(AgentMessageRejected, "INFO", { event: "agent.message_rejected", ...this.fields(connection), code: frame.code }))
    connection.send(JSON.stringify(frame))
  }
}
