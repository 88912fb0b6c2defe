/**
 * The coding-session agent. Answers `{"type":"ping"}` with `{"type":"pong"}` (counting pings in its synced
 * state), answers HTTP GET with a JSON summary of the instance, and answers any frame it does not
 * understand with an `error` frame while keeping the connection open.
 */
import type { Connection, WSMessage } from "agents"
import { Either } from "effect"
import { binaryFrameRejected, initialCoderState, parseClientFrame, type CoderState, type ServerFrame } from "../domain/CoderProtocol.js"
import { ObservedAgent } from "./ObservedAgent.js"

const json = (body: unknown, init?: ResponseInit) =>
  new Response(JSON.stringify(body), { ...init, headers: { "content-type": "application/json", ...init?.headers } })

/** The CoderAgent Durable Object. */
export class CoderAgent extends ObservedAgent<Record<string, unknown>, CoderState> {
  override initialState: CoderState = initialCoderState

  protected override get agentName() {
    return "CoderAgent"
  }

  private send(connection: Connection, frame: ServerFrame) {
    if (frame.type === "error") return this.reject(connection, frame)
    connection.send(JSON.stringify(frame))
  }

  override onMessage(connection: Connection, message: WSMessage): void {
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
