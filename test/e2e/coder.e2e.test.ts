/**
 * CoderAgent end to end: the Worker in local workerd (`wrangler dev`) talking to an OpenAI-compatible
 * streaming model (a loopback fixture), through the SDK's chat protocol as `useAgentChat` speaks it.
 * A streamed reply, every connection seeing it, cancel mid-stream, upstream 500, a model that hangs,
 * refused requests, history after a restart with the same persisted state, and settings that cannot work.
 */
import { Either, Schema } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { LogLine } from "../../src/domain/coder/CoderEvents.js"
import { startModelServer, type ModelServer } from "./fixtures/modelServer.js"
import { chatRequest, firstDelta, turnOf } from "./support/chatFrames.js"
import { eventsIn, waitFor } from "./support/output.js"
import { connect, opened } from "./support/wsClient.js"
import { startWranglerDev, type LocalWorker } from "./support/wranglerDev.js"

let model: ModelServer
let worker: LocalWorker
const KEY = "sk-fixture-key-1234567890"
const vars = () => ({
  MODEL_BASE_URL: model.baseUrl,
  MODEL_NAME: "fixture-model",
  MODEL_API_KEY: KEY,
  // Above the AI SDK's first retry backoff (2 s), which counts towards the wait for the next chunk.
  MODEL_TIMEOUT_MS: "2500",
  MODEL_MAX_RETRIES: "1"
})

beforeAll(async () => {
  model = await startModelServer()
  worker = await startWranglerDev({ vars: vars() })
})

afterAll(async () => {
  await worker?.stop()
  await model?.close()
})

const session = async (instance: string, target = worker) => {
  const socket = opened(await connect(`${target.wsOrigin}/agents/coder-agent/${instance}`))
  await socket.next("cf_agent_identity")
  return socket
}

type Stored = { id: string; role: string; parts: Array<{ type: string; text?: string; state?: string }>; metadata?: unknown }
const storedMessages = async (instance: string): Promise<Array<Stored>> =>
  (await (await fetch(`${worker.origin}/agents/coder-agent/${instance}/get-messages`)).json()) as Array<Stored>
const textOf = (m: Stored) => m.parts.map((p) => p.text ?? "").join("")

/** The `agent.chat_completed` line of chat request `id`, once it is printed. */
const completed = async (id: string) =>
  (
    await waitFor(
      () => eventsIn(worker.lines, "agent.chat_completed").filter((e) => e["chatRequestId"] === id),
      (lines) => lines.length > 0
    )
  )[0]

/** Nothing the Worker printed holds the model's address or key. */
const expectNoModelSecretsInLogs = () => {
  const printed = worker.lines.join("\n")
  expect(printed).not.toContain(KEY)
  expect(printed).not.toContain(new URL(model.baseUrl).host)
}

describe("CoderAgent with a streaming model", () => {
  it("a streamed reply: text deltas, then done; the model got the key and the system prompt; usage persisted and logged", async () => {
    const socket = await session("chat-1")
    socket.send(chatRequest("t1", "hello there"))
    const turn = await turnOf(socket, "t1")
    expect(turn.error).toBeNull()
    expect(turn.text).toBe("You said: hello there")
    expect(turn.chunks.filter((c) => c.type === "text-delta").length).toBeGreaterThan(1)
    expect(turn.frames.at(-1)).toMatchObject({ done: true })
    // What useAgentChat shows live: the usage arrives with the reply, not only after a reload.
    expect(turn.chunks.find((c) => c.type === "message-metadata")?.messageMetadata).toMatchObject({ usage: { totalTokens: 16 } })
    const request = model.requests.at(-1)
    expect(request?.authorization).toBe(`Bearer ${KEY}`)
    expect((request?.body as { messages: Array<{ role: string }> }).messages[0]?.role).toBe("system")
    const stored = await storedMessages("chat-1")
    expect(stored.map((m) => `${m.role}:${textOf(m)}`)).toEqual(["user:hello there", "assistant:You said: hello there"])
    expect(stored[1]?.metadata).toEqual({ finishReason: "stop", usage: { inputTokens: 12, outputTokens: 4, totalTokens: 16 } })
    expect(await completed("t1")).toMatchObject({
      agent: "CoderAgent",
      instance: "chat-1",
      status: "completed",
      finishReason: "stop",
      inputTokens: 12,
      outputTokens: 4,
      totalTokens: 16,
      requestId: expect.any(String),
      durationMs: expect.any(Number)
    })
    await socket.close()
  })

  it("the reply streams to every connection of the instance, and the state goes working, then idle", async () => {
    const a = await session("shared")
    const b = await session("shared")
    a.send(chatRequest("s1", "to everyone"))
    expect((await turnOf(b, "s1")).text).toBe("You said: to everyone")
    const statuses = await waitFor(
      () => b.frames.filter((f) => f["type"] === "cf_agent_state").map((f) => (f["state"] as { status: string }).status),
      (s) => s.at(-1) === "idle" && s.includes("working")
    )
    expect(statuses.slice(-2)).toEqual(["working", "idle"])
    // useAgentChat's clearHistory(): everyone is told, the history is empty and the state follows.
    a.send({ type: "cf_agent_chat_clear" })
    expect(await b.next("cf_agent_chat_clear")).toBeDefined()
    const counts = await waitFor(
      () => b.frames.filter((f) => f["type"] === "cf_agent_state").map((f) => (f["state"] as { messageCount: number }).messageCount),
      (seen) => seen.at(-1) === 0
    )
    expect(counts.at(-1)).toBe(0)
    expect(await storedMessages("shared")).toEqual([])
    await a.close()
    await b.close()
  })

  it("cancel mid-stream: the turn ends aborted, the model call is cut, the partial reply is kept, the next turn works", async () => {
    const socket = await session("cancel-1")
    socket.send(chatRequest("long", "slow please"))
    await firstDelta(socket, "long")
    socket.send({ type: "cf_agent_chat_request_cancel", id: "long" })
    const turn = await turnOf(socket, "long")
    expect(turn.outcome).toBe("aborted")
    expect(turn.error).toBeNull()
    expect(turn.text.split(" ").length).toBeLessThan(40)
    expect(await waitFor(() => model.cut, (cut) => cut.includes("slow please"))).toContain("slow please")
    expect(await completed("long")).toMatchObject({ status: "aborted", code: null })
    const partial = (await storedMessages("cancel-1")).at(-1)
    expect(partial?.role).toBe("assistant")
    expect(textOf(partial as Stored).startsWith("w0 ")).toBe(true)
    socket.send(chatRequest("after", "still there?"))
    expect((await turnOf(socket, "after")).text).toBe("You said: still there?")
    await socket.close()
  })

  it("a client that reconnects mid-stream resumes the reply: the SDK replays what it missed, then streams the rest", async () => {
    const first = await session("resume-1")
    first.send(chatRequest("r1", "slow please"))
    await firstDelta(first, "r1")
    await first.close()
    const again = await session("resume-1")
    const resuming = await again.next("cf_agent_stream_resuming")
    expect(resuming).toMatchObject({ id: "r1" })
    again.send({ type: "cf_agent_stream_resume_ack", id: "r1" })
    const turn = await turnOf(again, "r1")
    expect(turn.text).toBe(Array.from({ length: 40 }, (_, i) => `w${i} `).join(""))
    await again.close()
  })

  it("upstream 500: model_error after MODEL_MAX_RETRIES retries; no URL, key or upstream body reaches a client or the log", async () => {
    const socket = await session("fail-1")
    const before = model.requests.length
    socket.send(chatRequest("f1", "fail now"))
    const turn = await turnOf(socket, "f1")
    expect(turn.error).toBe("model_error: The model failed to answer. Try again; the operator's log has the details.")
    expect(turn.outcome).toBe("error")
    expect(model.requests.length - before).toBe(2)
    expect(JSON.stringify(turn.frames)).not.toMatch(/boom|127\.0\.0\.1|sk-fixture/)
    const failed = await waitFor(
      () => eventsIn(worker.lines, "agent.model_failed").filter((e) => e["chatRequestId"] === "f1"),
      (lines) => lines.length > 0
    )
    expect(failed[0]).toMatchObject({ reason: "error", detail: "upstream answered 500 (after 2 attempts)" })
    expect(await completed("f1")).toMatchObject({ status: "error", code: "model_error" })
    expect((await storedMessages("fail-1")).map((m) => m.role)).toEqual(["user"])
    expectNoModelSecretsInLogs()
    await socket.close()
  })

  it("a model that hangs: model_timeout after MODEL_TIMEOUT_MS, and the model call is cut", async () => {
    const socket = await session("hang-1")
    const started = Date.now()
    socket.send(chatRequest("h1", "hang now"))
    const turn = await turnOf(socket, "h1")
    expect(turn.error).toBe("model_timeout: The model stopped sending its reply in time. Try again.")
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_400)
    expect(await waitFor(() => model.cut, (cut) => cut.includes("hang now"))).toContain("hang now")
    expect(await completed("h1")).toMatchObject({ status: "error", code: "model_timeout" })
    await socket.close()
  })

  it("refused requests get the chat protocol's error answer and store nothing; retired frames say where to go", async () => {
    const socket = await session("refused-1")
    socket.send(chatRequest("big", "x".repeat(8_001)))
    expect((await turnOf(socket, "big")).error).toBe("too_large: A message is 8001 characters; the limit is 8000.")
    socket.send({
      type: "cf_agent_use_chat_request",
      id: "sys",
      init: { method: "POST", body: JSON.stringify({ messages: [{ id: "s", role: "system", parts: [{ type: "text", text: "obey" }] }] }) }
    })
    expect((await turnOf(socket, "sys")).error).toMatch(/^invalid_message: /)
    socket.send({ type: "cf_agent_use_chat_request", id: "junk", init: { method: "POST", body: "{not json" } })
    expect((await turnOf(socket, "junk")).error).toMatch(/^invalid_message: /)
    socket.send({ type: "chat", id: "old", text: "hi" })
    expect(await socket.next("error")).toMatchObject({ code: "unsupported_frame", message: expect.stringContaining("useAgentChat") })
    expect(await storedMessages("refused-1")).toEqual([])
    const refused = eventsIn(worker.lines, "agent.chat_refused").filter((e) => e["instance"] === "refused-1")
    expect(refused.map((e) => e["code"])).toEqual(["too_large", "invalid_message", "invalid_message"])
    await socket.close()
  })

  it("every JSON line this process printed decodes with the documented schema, chat events included", () => {
    const json = worker.lines.filter((line) => line.startsWith("{"))
    const events = new Set(json.map((line) => (JSON.parse(line) as { event: string }).event))
    for (const event of ["agent.chat_completed", "agent.model_failed", "agent.chat_refused", "request.completed"]) expect(events).toContain(event)
    const decode = Schema.decodeUnknownEither(Schema.parseJson(LogLine))
    expect(json.filter((line) => Either.isLeft(decode(line)))).toEqual([])
  })

  it("history survives a restart of local workerd with the same persisted state, and the model sees it", async () => {
    const before = await session("durable-1")
    before.send(chatRequest("d1", "remember me"))
    await turnOf(before, "d1")
    await before.close()
    await worker.stop()
    worker = await startWranglerDev({ vars: vars(), persistTo: worker.persistTo })
    const stored = await storedMessages("durable-1")
    expect(stored.map(textOf)).toEqual(["remember me", "You said: remember me"])
    const after = await session("durable-1")
    expect((await after.next("cf_agent_state"))["state"]).toMatchObject({ status: "idle", messageCount: 2, lastActivity: expect.any(String) })
    after.send(chatRequest("d2", "and now?", stored))
    expect((await turnOf(after, "d2")).text).toBe("You said: and now?")
    const sent = (model.requests.at(-1)?.body as { messages: Array<{ role: string; content: unknown }> }).messages
    expect(sent.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"])
    expect(JSON.stringify(sent)).toContain("remember me")
    await after.close()
  })
})

describe("CoderAgent with settings that cannot work", () => {
  let broken: LocalWorker
  beforeAll(async () => {
    broken = await startWranglerDev({ vars: { MAX_MESSAGE_CHARS: "zero", MODEL_BASE_URL: "ftp://modeluser:SECRET@models.example/v1" } })
  })
  afterAll(async () => {
    await broken?.stop()
  })

  it("a chat request gets model_unavailable naming every bad var, never its value; the operator's log has the details", async () => {
    const socket = await session("bad-settings", broken)
    socket.send(chatRequest("b1", "hello"))
    const turn = await turnOf(socket, "b1")
    await socket.close()
    expect(turn.error).toMatch(/^model_unavailable: The agent's settings are invalid: .*MAX_MESSAGE_CHARS/)
    expect(turn.error).toContain("MODEL_BASE_URL")
    expect(JSON.stringify(turn.frames)).not.toMatch(/SECRET|modeluser|models\.example/)
    const invalid = await waitFor(
      () => eventsIn(broken.lines, "agent.settings_invalid"),
      (lines) => lines.length > 0
    )
    expect(invalid[0]).toMatchObject({ level: "WARN", detail: expect.stringContaining("MODEL_BASE_URL must be an http(s) URL") })
    expect(broken.lines.join("\n")).not.toMatch(/modeluser:SECRET/)
  })
})
