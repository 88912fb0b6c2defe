/**
 * The coding-session agent: a typed JSON protocol over the WebSocket (see src/domain/CoderProtocol.ts),
 * messages kept in the agent's SQLite storage, replies streamed from the configured model to every
 * connection of the instance, the same operations as callable methods for `AgentClient.call`, and HTTP
 * GET answering a JSON summary of the instance.
 */
import { callable, type Connection, type WSMessage } from "agents"
import { Cause, Effect, Either, Exit, Layer, ManagedRuntime, Option, Scope } from "effect"
import {
  binaryFrameRejected,
  initialCoderState,
  stateReadOnly,
  parseClientFrame,
  type ClientFrame,
  type CoderState,
  type ServerFrame,
  type StoredMessage
} from "../domain/CoderProtocol.js"
import { JsonLoggerLive } from "../layers/Logging.js"
import { configProviderFrom } from "../layers/WorkerVars.js"
import { CodeModel } from "../services/CodeModel.js"
import { coderSettings, makeSession, type CoderSession, type CoderSettings, type MessageStore } from "../services/CoderSession.js"
import { callerOf } from "./AgentLog.js"
import { ObservedAgent } from "./ObservedAgent.js"

const json = (body: unknown, init?: ResponseInit) =>
  new Response(JSON.stringify(body), { ...init, headers: { "content-type": "application/json", ...init?.headers } })

type Row = { id: string; role: string; text: string; at: string }

/** A started session: what it answers with, its settings, and the runtime it runs on. */
interface Ready {
  readonly session: CoderSession
  readonly settings: CoderSettings
  readonly run: <A>(effect: Effect.Effect<A>) => Promise<A>
  /** Ends the session's reply streams and its runtime. */
  readonly end: () => Promise<void>
}

/** The CoderAgent Durable Object. */
export class CoderAgent extends ObservedAgent<Record<string, unknown>, CoderState> {
  override initialState: CoderState = initialCoderState
  private messages: MessageStore | undefined
  private ready: Promise<Ready> | undefined

  protected override get agentName() {
    return "CoderAgent"
  }

  /** Messages in SQLite; the table is created once per instance, the first time it is needed. */
  private store(): MessageStore {
    if (this.messages !== undefined) return this.messages
    this.sql`CREATE TABLE IF NOT EXISTS coder_messages (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, role TEXT NOT NULL, text TEXT NOT NULL, at TEXT NOT NULL)`
    this.messages = {
      append: (m) => void this.sql`INSERT INTO coder_messages (id, role, text, at) VALUES (${m.id}, ${m.role}, ${m.text}, ${m.at})`,
      recent: (limit) =>
        this.sql<Row>`SELECT id, role, text, at FROM (SELECT * FROM coder_messages ORDER BY seq DESC LIMIT ${limit}) ORDER BY seq ASC`.map(
          (row): StoredMessage => ({ id: row.id, role: row.role === "assistant" ? "assistant" : "user", text: row.text, at: row.at })
        ),
      count: () => Number(this.sql<{ n: number }>`SELECT COUNT(*) AS n FROM coder_messages`[0]?.n ?? 0),
      clear: () => void this.sql`DELETE FROM coder_messages`
    }
    return this.messages
  }

  /**
   * The session, its settings and the runtime it runs on, built once per instance from the Worker's vars.
   * Its reply streams live in a scope that ends with the agent (`destroy`).
   */
  private session(): Promise<Ready> {
    if (this.ready === undefined) {
      const env = this.env
      const provider = configProviderFrom(env)
      const config = Layer.setConfigProvider(provider)
      const runtime = ManagedRuntime.make(Layer.merge(CodeModel.layerFor(env["AI"]).pipe(Layer.provide(config)), JsonLoggerLive))
      this.ready = runtime.runPromise(
        Effect.gen(this, function* () {
          const settings = yield* Effect.withConfigProvider(coderSettings, provider)
          const scope = yield* Scope.make()
          const session = yield* makeSession(
            {
              store: this.store(),
              broadcast: (frame) => this.broadcast(JSON.stringify(frame)),
              publishState: (state) => this.setState(state)
            },
            {
              contextMessages: settings.contextMessages,
              systemPrompt: settings.systemPrompt,
              logFields: { agent: this.agentName, instance: this.name }
            }
          ).pipe(Scope.extend(scope))
          return {
            session,
            settings,
            run: <A>(effect: Effect.Effect<A>) => runtime.runPromise(effect),
            end: () => runtime.runPromise(Scope.close(scope, Exit.void)).then(() => runtime.dispose())
          }
        })
      )
    }
    return this.ready
  }

  private send(connection: Connection, frame: ServerFrame) {
    if (frame.type === "error") return this.reject(connection, frame)
    connection.send(JSON.stringify(frame))
  }

  /**
   * The session, or the error frame explaining why the agent's settings cannot start one: the same answer
   * for a frame and for a callable method.
   */
  private async sessionOrError(): Promise<Either.Either<Ready, ServerFrame>> {
    return this.session().then(
      (ready) => Either.right(ready),
      (error: unknown) =>
        Either.left({
          type: "error",
          code: "model_unavailable",
          message: `The agent's model settings are invalid: ${Cause.isCause(error) ? Cause.pretty(error) : String(error)}`
        })
    )
  }

  /** Answers one frame for a callable method: the frame its sender gets, or why there is none. */
  private async ask(frame: ClientFrame): Promise<Either.Either<Option.Option<ServerFrame>, ServerFrame>> {
    const ready = await this.sessionOrError()
    if (Either.isLeft(ready)) return Either.left(ready.left)
    return Either.right(await ready.right.run(ready.right.session.handle(frame)))
  }

  override async onMessage(connection: Connection, message: WSMessage): Promise<void> {
    if (typeof message !== "string") return this.send(connection, binaryFrameRejected)
    const ready = await this.sessionOrError()
    if (Either.isLeft(ready)) return this.send(connection, ready.left)
    const { run, session, settings } = ready.right
    const frame = parseClientFrame(message, settings.maxMessageChars)
    if (Either.isLeft(frame)) return this.send(connection, frame.left)
    const reply = await run(session.handle(frame.right))
    if (Option.isSome(reply)) this.send(connection, reply.value)
  }

  /** Sends `text` as a chat message and resolves with the finished reply (or the error frame). */
  @callable()
  async chat(text: string): Promise<ServerFrame> {
    const ready = await this.sessionOrError()
    if (Either.isLeft(ready)) return ready.left
    const { run, session, settings } = ready.right
    const id = crypto.randomUUID()
    const frame = parseClientFrame(JSON.stringify({ type: "chat", id, text }), settings.maxMessageChars)
    if (Either.isLeft(frame)) return frame.left
    const answer = Option.getOrUndefined(await run(session.handle(frame.right)))
    if (answer?.type !== "ack") return answer ?? { type: "error", code: "model_error", message: "no answer", id }
    await run(session.settled)
    const last = this.store().recent(1)[0]
    return last?.id === id && last.role === "assistant"
      ? { type: "reply.done", id, text: last.text }
      : { type: "error", code: "model_error", message: "The reply did not complete.", id }
  }

  /** The stored messages, newest last (`limit` as the `history` frame takes it, 1 to 1,000), or the error frame. */
  @callable()
  async history(limit?: number): Promise<ReadonlyArray<StoredMessage> | ServerFrame> {
    const frame: ClientFrame =
      limit === undefined ? { type: "history" } : { type: "history", limit: Math.min(Math.max(1, Math.floor(limit)), 1_000) }
    const answer = await this.ask(frame)
    if (Either.isLeft(answer)) return answer.left
    const reply = Option.getOrUndefined(answer.right)
    return reply?.type === "history" ? reply.messages : []
  }

  /** Stops the reply to `id` if it is streaming. */
  @callable()
  async cancel(id: string): Promise<ServerFrame | undefined> {
    return Either.match(await this.ask({ type: "cancel", id }), { onLeft: (error) => error, onRight: Option.getOrUndefined })
  }

  /** Clears the session. */
  @callable()
  async reset(): Promise<ServerFrame | undefined> {
    return Either.match(await this.ask({ type: "reset" }), { onLeft: (error) => error, onRight: Option.getOrUndefined })
  }

  /** Ends the session's reply streams before the SDK deletes the instance. */
  override async destroy(): Promise<void> {
    const ready = this.ready
    this.ready = undefined
    if (ready !== undefined) await ready.then((r) => r.end(), () => undefined)
    return super.destroy()
  }

  /**
   * Clients may not write the synced state (a `cf_agent_state` frame, `AgentClient.setState`): it follows
   * the session. The writer gets a `state_read_only` error frame, then the SDK's `cf_agent_state_error`;
   * nothing is persisted or broadcast. Throwing is how the SDK's hook refuses a change.
   */
  override validateStateChange(_next: CoderState, source: Connection | "server"): void {
    if (source === "server") return
    this.reject(source, stateReadOnly)
    throw new Error("CoderAgent's state is read-only for clients")
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
      caller: callerOf(request),
      connections: [...this.getConnections()].length,
      state: this.state
    })
  }
}
