/**
 * A base for plain `Agent`s behind this router, whose connections are logged by a `ConnectionLog`.
 * Subclasses that override `onConnect`/`onClose` call `super` first.
 */
import { Agent, type Connection, type ConnectionContext } from "agents"
import { ConnectionLog } from "./ConnectionLog.js"
import { echoRequestId } from "./RequestIdEcho.js"

/** An `Agent` whose connections are logged. */
export abstract class ObservedAgent<Env extends Record<string, unknown>, State = unknown> extends Agent<Env, State> {
  /** The class name reported in log lines (spelled out: `--minify` renames classes). */
  protected abstract get agentName(): string

  private log: ConnectionLog | undefined

  private get connectionLog(): ConnectionLog {
    this.log ??= new ConnectionLog(this.agentName, () => this.name)
    return this.log
  }

  /** Every answer, with the request id echoed for the router (see `echoRequestId`). */
  override async fetch(request: Request): Promise<Response> {
    return echoRequestId(request, await super.fetch(request))
  }

  override onConnect(connection: Connection, context: ConnectionContext): void | Promise<void> {
    this.connectionLog.connected(connection, context)
  }

  override onClose(connection: Connection, code: number, _reason: string, wasClean: boolean): void | Promise<void> {
    this.connectionLog.closed(connection, code, wasClean)
  }

  /** Sends an `error` frame (the connection stays open) and logs `agent.message_rejected`. */
  protected reject(connection: Connection, frame: { readonly type: "error"; readonly code: string; readonly message: string }): void {
    this.connectionLog.reject(connection, frame)
  }
}
