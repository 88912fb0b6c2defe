/**
 * A base for agents behind this router: it logs `agent.connected` and `agent.closed` for every WebSocket,
 * keyed by the router's request id, and `agent.message_rejected` for each `error` frame sent through
 * `reject`. Subclasses that override `onConnect`/`onClose` call `super` first.
 */
import { Agent, type Connection, type ConnectionContext } from "agents"
import { Effect, ManagedRuntime } from "effect"
import { JsonLoggerLive } from "../layers/Logging.js"
import { agentEvent, connectionFacts, elapsedSince, type ConnectionFacts } from "./AgentLog.js"

const factsOf = (connection: Connection): ConnectionFacts | null => {
  const state: unknown = connection.state
  return typeof state === "object" && state !== null && "connectedAt" in state ? (state as ConnectionFacts) : null
}

/** An `Agent` whose connections are logged. */
export abstract class ObservedAgent<Env extends Record<string, unknown>, State = unknown> extends Agent<Env, State> {
  /** The class name reported in log lines (spelled out: `--minify` renames classes). */
  protected abstract get agentName(): string

  /** This instance's log runtime: the hooks log synchronously, so it is built once, with the instance. */
  private readonly log = ManagedRuntime.make(JsonLoggerLive)

  private fields(connection: Connection) {
    return {
      requestId: factsOf(connection)?.requestId ?? null,
      agent: this.agentName,
      instance: this.name,
      connectionId: connection.id
    }
  }

  override onConnect(connection: Connection, context: ConnectionContext): void | Promise<void> {
    const facts = this.log.runSync(connectionFacts(context.request))
    connection.setState(facts)
    this.log.runSync(agentEvent("INFO", "agent.connected", { ...this.fields(connection), user: facts.user }))
  }

  override onClose(connection: Connection, code: number, _reason: string, wasClean: boolean): void | Promise<void> {
    const facts = factsOf(connection)
    const fields = this.fields(connection)
    // 1011 is the server failing the connection: worth an operator's look.
    this.log.runSync(
      Effect.flatMap(facts === null ? Effect.succeed(null) : elapsedSince(facts.connectedAt), (durationMs) =>
        agentEvent(code === 1011 ? "WARN" : "INFO", "agent.closed", { ...fields, code, wasClean, durationMs })
      )
    )
  }

  /** Sends an `error` frame (the connection stays open) and logs `agent.message_rejected`. */
  protected reject(connection: Connection, frame: { readonly type: "error"; readonly code: string }): void {
    this.log.runSync(agentEvent("INFO", "agent.message_rejected", { ...this.fields(connection), code: frame.code }))
    connection.send(JSON.stringify(frame))
  }
}
