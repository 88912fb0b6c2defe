/**
 * The coding-session agent: an `AIChatAgent` (`@cloudflare/ai-chat`), so `useAgentChat` and the SDK's chat
 * protocol work with it as they do with any chat agent: history persisted and served by the SDK
 * (`GET .../get-messages`), resumable streams, cancellation. Replies stream from the configured model
 * through the AI SDK (see services/ChatTurn.ts). On top of the SDK: chat requests are checked before the
 * SDK persists them, `ping` answers `pong`, the synced state is read-only for clients, every connection and
 * turn is logged, and HTTP GET answers a JSON summary of the instance.
 */
import { AIChatAgent, type OnChatMessageOptions } from "@cloudflare/ai-chat"
import { type AgentContext, type Connection, type ConnectionContext, getCurrentAgent, type WSMessage } from "agents"
import { Clock, Effect, Either } from "effect"
import { CHAT_REQUEST_TYPE, chatErrorCodeOf, chatErrorText, chatRefusal, type ChatErrorCode } from "../../domain/coder/ChatAnswers.js"
import { screenFrame, type Screened } from "../../domain/coder/ChatScreen.js"
import { AgentChatRefused, AgentHistoryAdopted } from "../../domain/coder/CoderEvents.js"
import { isRateLimit } from "../../domain/Worker.js"
import { LEGACY_TABLE, legacyMessages, type LegacyRow } from "../../domain/coder/LegacyHistory.js"
import {
  binaryFrameRejected,
  initialCoderState,
  decodeClientFrame,
  parseClientFrame,
  stateReadOnly,
  type CoderState
} from "../../domain/coder/CoderProtocol.js"
import { chatTurn, errorOnlyResponse } from "../../services/coder/ChatTurn.js"
import { agentEvent, callerOf } from "../AgentLog.js"
import { coderRuntime, CoderSession, type Session, type SettingsInvalid } from "./CoderSession.js"
import { ChatModel } from "../../services/coder/ChatModel.js"
import { DEFAULT_LIMITS } from "../../services/coder/CoderSettings.js"
import { ConnectionLog, factsOf } from "../ConnectionLog.js"
import { echoRequestId } from "../RequestIdEcho.js"
import { TurnGate } from "./TurnGate.js"

/** The Rate Limiting binding that limits chat turns per user (wrangler.toml `[[ratelimits]]`); absent: no limit. */
export const CHAT_TURNS_BINDING = "CHAT_TURNS"

type Refusal = Omit<Extract<Screened, { _tag: "Refuse" }>, "_tag">

/** The refusal of turn `id` with one of our texts (`code: sentence`). */
const refusalOf = (id: string, text: string): Refusal => {
  const code = chatErrorCodeOf(text) ?? "model_unavailable"
  return { id, frameType: CHAT_REQUEST_TYPE, code, sentence: text.slice(text.indexOf(":") + 2) }
}

const json = (body: unknown, init?: ResponseInit) =>
  new Response(JSON.stringify(body), { ...init, headers: { "content-type": "application/json", ...init?.headers } })

/** The CoderAgent Durable Object. */
export class CoderAgent extends AIChatAgent<Record<string, unknown>, CoderState> {
  override initialState: CoderState = initialCoderState
  /** The instance's one runtime: logger and session (see CoderSession.ts); disposed in `destroy`. */
  private readonly runtime = coderRuntime(this.env, () => this.name)
  private readonly connectionLog = new ConnectionLog("CoderAgent", () => this.name, this.runtime)
  private readonly turns = new TurnGate()
  /** The last frame the screen passed on, as it parsed it (see `onMessage`). */
  private screened: { readonly text: string; readonly json: Either.Either<unknown, unknown> } | undefined

  constructor(ctx: AgentContext, env: Record<string, unknown>) {
    super(ctx, env)
    // The SDK takes chat requests in the `onMessage` it installs here; they are checked before it sees them.
    const sdkOnMessage = this.onMessage.bind(this)
    this.onMessage = (connection, message) => this.screen(connection, message, sdkOnMessage)
  }

  /** The session, read once per instance by its runtime (see CoderSession.ts). */
  private session(): Promise<Either.Either<Session, SettingsInvalid>> {
    return this.runtime.runPromise(CoderSession)
  }

  /**
   * Every text frame passes the chat screen (domain/ChatScreen.ts) before the SDK's handler gets it: this
   * wraps the SDK's own frame dispatch, so no chat frame reaches it unscreened.
   */
  private async screen(connection: Connection, message: WSMessage, sdkOnMessage: (c: Connection, m: WSMessage) => Promise<void> | void) {
    // A socket addressed to a child facet: the SDK forwards its frames, and the child screens them against
    // its own history and turns (the parent's would refuse the child's replies and count the wrong sockets).
    if (typeof message !== "string" || this._cf_connectionTargetsSubAgent(connection)) return sdkOnMessage(connection, message)
    const session = await this.session()
    const limits = Either.match(session, { onLeft: () => DEFAULT_LIMITS, onRight: (s) => s.settings.limits })
    const screened = screenFrame(message, this.messages, limits)
    switch (screened._tag) {
      case "Pass":
        // The SDK parses the frame for itself; if it hands it on to our onMessage, the screen's parse serves.
        this.screened = { text: message, json: screened.json }
        // Clearing the conversation changes it: the state's count follows.
        await sdkOnMessage(connection, message)
        return this.followMessageCount()
      case "Refuse":
        return this.refuse(connection, screened)
      case "Store":
        await sdkOnMessage(connection, screened.frame)
        return this.followMessageCount()
      case "Turn":
        return this.admit(connection, screened.id, session, () => sdkOnMessage(connection, screened.frame))
    }
  }

  /**
   * Starts turn `id` when the model is there and spend allows: one turn running and one waiting per
   * instance (`busy` beyond), the user's rate (`rate_limited`), and a waiting turn only while a
   * connection of the instance remains to read it.
   */
  private async admit(
    connection: Connection,
    id: string,
    session: Either.Either<Session, SettingsInvalid>,
    start: () => Promise<void> | void
  ): Promise<void> {
    const refuse = (code: ChatErrorCode, sentence: string) => this.refuse(connection, { id, frameType: CHAT_REQUEST_TYPE, code, sentence })
    if (Either.isLeft(session)) return this.refuse(connection, refusalOf(id, session.left.text))
    // Refused before the SDK stores the message: an unconfigured Worker keeps nothing it cannot answer.
    if (Either.isLeft(session.right.model.model)) return this.refuse(connection, refusalOf(id, session.right.model.model.left.text))
    if (!this.turns.enter()) return refuse("busy", "A reply is being written and another is waiting. Send again when one has finished.")
    if (!(await this.turnAllowed(connection))) {
      this.turns.leave()
      return refuse("rate_limited", "Too many chat turns in the last minute (the operator's CHAT_TURNS limit). Try again in 60 seconds.")
    }
    return this.turns.run(
      () => Promise.resolve(start()),
      () => [...this.getConnections()].length > 0,
      () => refuse("busy", "Every connection of the instance closed before this turn could start; it was dropped.")
    )
  }

  /** Whether the user (or, without users, the instance) may start another turn now (`CHAT_TURNS` binding). */
  private async turnAllowed(connection: Connection): Promise<boolean> {
    const limiter = this.env[CHAT_TURNS_BINDING]
    if (!isRateLimit(limiter)) return true
    const user = factsOf(connection)?.user ?? null
    return limiter.limit({ key: user === null ? `instance:${this.name}` : `user:${user}` }).then(
      ({ success }) => success,
      // A limiter that fails is not a reason to refuse a paying user; the turn still counts as one of two.
      () => true
    )
  }

  /** Answers a refused frame (in its turn when it has one, else with an `error` frame) and logs `agent.chat_refused`. */
  private refuse(connection: Connection, refused: Refusal): void {
    this.runtime.runSync(
      agentEvent(AgentChatRefused, "INFO", {
        event: "agent.chat_refused",
        ...this.connectionLog.fields(connection),
        chatRequestId: refused.id,
        frameType: refused.frameType,
        code: refused.code,
        user: factsOf(connection)?.user ?? null
      })
    )
    const frame =
      refused.id === null
        ? { type: "error", code: refused.code, message: refused.sentence }
        : chatRefusal(refused.id, chatErrorText(refused.code, refused.sentence))
    // The sender may have gone (a waiting turn dropped after every connection closed): the line is enough.
    Either.try(() => connection.send(JSON.stringify(frame)))
  }

  override async onChatMessage(
    _onFinish: unknown,
    options?: OnChatMessageOptions
  ): Promise<Response | undefined> {
    const session = await this.session()
    if (Either.isLeft(session)) return errorOnlyResponse(session.left.text)
    const { model, settings } = session.right
    this.publish("working")
    const connection = getCurrentAgent().connection
    const facts = connection === undefined ? null : factsOf(connection)
    return this.runtime.runPromise(
      chatTurn({
        messages: this.messages,
        abortSignal: options?.abortSignal,
        systemPrompt: settings.systemPrompt,
        contextMessages: settings.contextMessages,
        maxContextChars: settings.maxContextChars,
        maxOutputTokens: settings.maxOutputTokens,
        logFields: {
          agent: "CoderAgent",
          instance: this.name,
          chatRequestId: options?.requestId ?? "",
          requestId: facts?.requestId ?? null,
          user: facts?.user ?? null
        }
      }).pipe(Effect.provideService(ChatModel, model))
    )
  }

  /** Runs after the SDK has loaded the conversation (it wraps `onStart`). */
  override async onStart(): Promise<void> {
    await this.adoptLegacyHistory()
  }

  /**
   * Messages stored by CoderAgent before it was an `AIChatAgent` (its own table) join the SDK's history, in
   * front of anything newer, then the table goes. Persisted first, dropped second: a restart in between
   * adopts again, and the ids (from the rows' sequence) keep that from doubling anything.
   */
  private async adoptLegacyHistory(): Promise<void> {
    const found = this.sql<{ n: number }>`SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ${LEGACY_TABLE}`
    if (Number(found[0]?.n ?? 0) === 0) return
    const rows = this.sql<LegacyRow>`SELECT seq, id, role, text, at FROM coder_messages ORDER BY seq`
    const known = new Set(this.messages.map((m) => m.id))
    const adopted = legacyMessages(rows).filter((m) => !known.has(m.id))
    if (adopted.length > 0) await this.persistMessages([...adopted, ...this.messages])
    this.sql`DROP TABLE coder_messages`
    this.followMessageCount()
    this.runtime.runSync(
      agentEvent(AgentHistoryAdopted, "INFO", { event: "agent.history_adopted", agent: "CoderAgent", instance: this.name, messages: adopted.length })
    )
  }

  /** The turn is over and its reply persisted: the state follows. */
  protected override onChatResponse(): void {
    this.publish("idle")
  }

  private followMessageCount() {
    if (this.state.messageCount !== this.messages.length) this.setState({ ...this.state, messageCount: this.messages.length })
  }

  private publish(status: CoderState["status"]) {
    this.setState({ status, messageCount: this.messages.length, lastActivity: this.now() })
  }

  /** The time, by Effect's clock, as the state and `pong` carry it. */
  private now(): string {
    return new Date(this.runtime.runSync(Clock.currentTimeMillis)).toISOString()
  }

  override onConnect(connection: Connection, context: ConnectionContext): void {
    this.connectionLog.connected(connection, context)
  }

  override onClose(connection: Connection, code: number, _reason: string, wasClean: boolean): void {
    this.connectionLog.closed(connection, code, wasClean)
  }

  /** Frames neither the SDK nor the chat protocol took: `ping`, or an `error` frame saying what is expected. */
  override onMessage(connection: Connection, message: WSMessage): void {
    if (typeof message !== "string") return this.connectionLog.reject(connection, binaryFrameRejected)
    const frame = this.screened?.text === message ? decodeClientFrame(this.screened.json) : parseClientFrame(message)
    this.screened = undefined
    if (Either.isLeft(frame)) return this.connectionLog.reject(connection, frame.left)
    connection.send(JSON.stringify({ type: "pong", time: this.now() }))
  }

  /** Ends the instance's runtime before the SDK deletes the instance. */
  override async destroy(): Promise<void> {
    await this.runtime.dispose()
    return super.destroy()
  }

  /**
   * Clients may not write the synced state (a `cf_agent_state` frame, `AgentClient.setState`): it follows
   * the chat. The writer gets a `state_read_only` error frame, the real state again, then the SDK's
   * `cf_agent_state_error`; nothing is persisted or broadcast. Throwing is how the SDK's hook refuses a change.
   */
  override validateStateChange(_next: CoderState, source: Connection | "server"): void {
    if (source === "server") return
    this.connectionLog.reject(source, stateReadOnly)
    // The writer's client (AgentClient.setState) already shows its own value: it gets the real one back.
    source.send(JSON.stringify({ type: "cf_agent_state", state: this.state }))
    throw new Error("CoderAgent's state is read-only for clients")
  }

  /** Every answer, with the request id echoed for the router (see `echoRequestId`). */
  override async fetch(request: Request): Promise<Response> {
    return echoRequestId(request, await super.fetch(request))
  }

  /**
   * GET and HEAD: the instance's summary (the SDK answers `.../get-messages` before this). `model` is the
   * backend chat turns use: `none` when no model is configured, `invalid_settings` when the vars are bad.
   */
  override async onRequest(request: Request): Promise<Response> {
    if (request.method !== "GET" && request.method !== "HEAD") {
      return json(
        { error: "method_not_allowed", detail: "CoderAgent answers HTTP GET and HEAD; chat over the WebSocket (useAgentChat)." },
        { status: 405, headers: { allow: "GET, HEAD" } }
      )
    }
    const session = await this.session()
    return json({
      agent: "CoderAgent",
      instance: this.name,
      caller: callerOf(request),
      connections: [...this.getConnections()].length,
      model: Either.match(session, { onLeft: () => "invalid_settings", onRight: (s) => s.model.backend }),
      state: this.state
    })
  }
}
