/**
 * The coding-session agent. Answers `{"type":"ping"}` with `{"type":"pong"}` (counting pings in its synced
 * state), answers HTTP GET with a JSON summary of the instance, and answers any frame it does not
 * understand with an `error` frame while keeping the connection open. Logs its connections.
 */
import { Agent, type Connection, type ConnectionContext, type WSMessage } from "agents"
import { Either } from "effect"
import {
  binaryFrameRejected,
  initialCoderState,
  parseClientFrame,
  type CoderState,
  type ServerFrame
} from "../domain/CoderProtocol.js"
import { connectionFacts, elapsedSince, logAgentEvent, type ConnectionFacts } from "./AgentLog.js"

const json = (body: unknown, init?: ResponseInit) =>
  new Response(JSON.stringify(body), { ...init, headers: { "content-type": "application/json", ...init?.headers } })

const factsOf = (connection: Connection<ConnectionFacts>): ConnectionFacts | null => connection.state ?? null

/** The CoderAgent Durable Object. */
export class CoderAgent extends Agent<Record<string, unknown>, CoderState> {
  override initialState: CoderState = initialCoderState

  private fields(connection: Connection<ConnectionFacts>) {
    return {
      requestId: factsOf(connection)?.requestId ?? null,
      agent: "CoderAgent",
      instance: this.name,
      connectionId: connection.id
    }
  }

  private send(connection: Connection<ConnectionFacts>, frame: ServerFrame) {
    if (frame.type === "error") {
      logAgentEvent("INFO", "agent.message_rejected", { ...this.fields(connection), code: frame.code })
    }
    connection.send(JSON.stringify(frame))
  }

  override onConnect(connection: Connection<ConnectionFacts>, context: ConnectionContext): void {
    connection.setState(connectionFacts(context.request))
    logAgentEvent("INFO", "agent.connected", this.fields(connection))
  }

  override onClose(connection: Connection<ConnectionFacts>, code: number, _reason: string, wasClean: boolean): void {
    const facts = factsOf(connection)
    // 1011 is the server failing the connection: worth an operator's look.
    logAgentEvent(code === 1011 ? "WARN" : "INFO", "agent.closed", {
      ...this.fields(connection),
      code,
      wasClean,
      durationMs: facts === null ? null : elapsedSince(facts.connectedAt)
    })
  }

  override onMessage(connection: Connection<ConnectionFacts>, message: WSMessage): void {
    if (typeof message !== "string") return this.send(connection, binaryFrameRejected)
    const frame = parseClientFrame(message)
    if (Either.isLeft(frame)) return this.send(connection, frame.left)
    const time = new Date().toISOString()
    this.setState({ pings: this.state.pings + 1, lastActivity: time })
    this.send(connection, { type: "pong", time })
  }

  override onRequest(request: Request): Response {
    if (request.method !== "GET" && request.method !== "HEAD") {
      return json(
        { error: "method_not_allowed", detail: "CoderAgent answers HTTP GET and HEAD; use the WebSocket for messages." },
        { status: 405, headers: { allow: "GET, HEAD" } }
      )
    }
    return json({
      agent: "CoderAgent",
      instance: this.name,
      connections: [...this.getConnections()].length,
      state: this.state
    })
  }
}
