/**
 * A base for agents behind this router: it logs `agent.connected` and `agent.closed` for every WebSocket,
 * keyed by the router's request id, and `agent.message_rejected` for each `error` frame sent through
 * `reject`. Subclasses that override `onConnect`/`onClose` call `super` first.
 */
import { Agent, type Connection, type ConnectionContext } from "agents"
import { connectionFacts, elapsedSince, logAgentEvent, type ConnectionFacts } from "./AgentLog.js"

const factsOf = (connection: Connection): ConnectionFacts | null => {
  const state: unknown = connection.state
  return typeof state === "object" && state !== null && "connectedAt" in state ? (state as ConnectionFacts) : null
}

/** An `Agent` whose connections are logged. */
export abstract class ObservedAgent<Env extends Record<string, unknown>, State = unknown> extends Agent<Env, State> {
  /** The class name reported in log lines (spelled out: `--minify` renames classes). */
  protected abstract get agentName(): string

  private fields(connection: Connection) {
    return {
      requestId: factsOf(connection)?.requestId ?? null,
      agent: this.agentName,
      instance: this.name,
      connectionId: connection.id
    }
  }

  override onConnect(connection: Connection, context: ConnectionContext): void | Promise<void> {
    connection.setState(connectionFacts(context.request))
    logAgentEvent("INFO", "agent.connected", this.fields(connection))
  }

  override onClose(connection: Connection, code: number, _reason: string, wasClean: boolean): void | Promise<void> {
    const facts = factsOf(connection)
    // 1011 is the server failing the connection: worth an operator's look.
    logAgentEvent(code === 1011 ? "WARN" : "INFO", "agent.closed", {
      ...this.fields(connection),
      code,
      wasClean,
      durationMs: facts === null ? null : elapsedSince(facts.connectedAt)
    })
  }

  /** Sends an `error` frame (the connection stays open) and logs `agent.message_rejected`. */
  protected reject(connection: Connection, frame: { readonly type: "error"; readonly code: string }): void {
    logAgentEvent("INFO", "agent.message_rejected", { ...this.fields(connection), code: frame.code })
    connection.send(JSON.stringify(frame))
  }
}
