/**
 * CoderAgent end to end: the Worker in local workerd talking to an OpenAI-compatible streaming model
 * (a loopback fixture). Deltas and done, history across reconnects and a restart of workerd with the
 * same persisted state, cancel mid-stream, upstream errors and timeouts, and AgentClient.call.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startModelServer, type ModelServer } from "./fixtures/modelServer.js"
import { coderClient } from "./support/sdkClient.js"
import { connect, opened } from "./support/wsClient.js"
import { startWranglerDev, type LocalWorker } from "./support/wranglerDev.js"

let model: ModelServer
let worker: LocalWorker
const vars = () => ({
  MODEL_BASE_URL: model.baseUrl,
  MODEL_NAME: "fixture-model",
  MODEL_API_KEY: "sk-fixture-key-1234567890",
  MODEL_TIMEOUT_MS: "1500"
})

beforeAll(async () => {
  model = await startModelServer()
  worker = await startWranglerDev({ vars: vars() })
})

afterAll(async () => {
  await worker?.stop()
  await model?.close()
})

const session = async (instance: string) => {
  const socket = opened(await connect(`${worker.wsOrigin}/agents/coder-agent/${instance}`))
  await socket.next("cf_agent_identity")
  return socket
}

describe("CoderAgent with a streaming model", () => {
  it("chat: ack, streamed deltas, one done with the whole text; the model got the key and the history", async () => {
    const socket = await session("chat-1")
    socket.send({ type: "chat", id: "m1", text: "hello there" })
    expect(await socket.next("ack")).toEqual({ type: "ack", id: "m1" })
    const done = await socket.next("reply.done")
    expect(done).toEqual({ type: "reply.done", id: "m1", text: "You said: hello there" })
    const deltas = socket.frames.filter((f) => f["type"] === "reply.delta").map((f) => f["text"])
    expect(deltas.join("")).toBe("You said: hello there")
    expect(deltas.length).toBeGreaterThan(1)
    expect(model.requests.at(-1)?.authorization).toBe("Bearer sk-fixture-key-1234567890")
    await socket.close()
  })

  it("a reply streams to every connection of the instance, and state shows working then idle", async () => {
    const a = await session("shared")
    const b = await session("shared")
    a.send({ type: "chat", id: "s1", text: "to everyone" })
    const statuses: Array<string> = []
    // Initial state, then working, then idle after the reply (the idle state follows reply.done).
    while (statuses.at(-1) !== "idle" || !statuses.includes("working")) {
      statuses.push(((await b.next("cf_agent_state"))["state"] as { status: string }).status)
    }
    expect(await b.next("reply.done")).toMatchObject({ id: "s1", text: "You said: to everyone" })
    expect(statuses.slice(-2)).toEqual(["working", "idle"])
    await a.close()
    await b.close()
  })

  it("cancel stops a reply mid-stream; busy while it streams; the session goes on", async () => {
    const socket = await session("cancel-1")
    socket.send({ type: "chat", id: "long", text: "slow please" })
    await socket.next("reply.delta")
    socket.send({ type: "chat", id: "other", text: "me too" })
    expect(await socket.next("error")).toMatchObject({ code: "busy", id: "other" })
    socket.send({ type: "cancel", id: "long" })
    const cancelled = await socket.next("reply.cancelled")
    expect(cancelled).toMatchObject({ id: "long" })
    expect(String(cancelled["text"]).length).toBeGreaterThan(0)
    socket.send({ type: "chat", id: "after", text: "still there?" })
    expect(await socket.next("reply.done")).toMatchObject({ id: "after" })
    await socket.close()
  })

  it("upstream errors and timeouts answer error frames with the id; nothing stored is lost", async () => {
    const socket = await session("faults-1")
    socket.send({ type: "chat", id: "ok", text: "first" })
    await socket.next("reply.done")
    socket.send({ type: "chat", id: "f", text: "fail now" })
    expect(await socket.next("error")).toMatchObject({ code: "model_error", id: "f" })
    socket.send({ type: "chat", id: "h", text: "hang now" })
    expect(await socket.next("error", 10_000)).toMatchObject({ code: "model_timeout", id: "h" })
    socket.send({ type: "history" })
    const history = (await socket.next("history"))["messages"] as Array<{ id: string; role: string }>
    expect(history.map((m) => `${m.role}:${m.id}`)).toEqual(["user:ok", "assistant:ok", "user:f", "user:h"])
    socket.send({ type: "chat", id: "x", text: "x".repeat(9_000) })
    expect(await socket.next("error")).toMatchObject({ code: "too_large", id: "x" })
    await socket.close()
  })

  it("AgentClient.call reaches the callable methods", async () => {
    const client = coderClient(worker, "callable-1")
    try {
      await client.ready
      expect(await client.call("chat", ["via rpc"])).toMatchObject({ type: "reply.done", text: "You said: via rpc" })
      const history = (await client.call("history", [10])) as Array<{ role: string; text: string }>
      expect(history.map((m) => m.text)).toEqual(["via rpc", "You said: via rpc"])
      expect(await client.call("reset", [])).toEqual({ type: "reset.done" })
      expect(await client.call("history", [])).toEqual([])
    } finally {
      client.close()
    }
  })

  it("history survives a reconnect and a restart of local workerd with the same persisted state", async () => {
    const before = await session("durable-1")
    before.send({ type: "chat", id: "d1", text: "remember me" })
    await before.next("reply.done")
    await before.close()
    await worker.stop()
    worker = await startWranglerDev({ vars: vars(), persistTo: worker.persistTo })
    const after = await session("durable-1")
    after.send({ type: "history", limit: 10 })
    const messages = (await after.next("history"))["messages"] as Array<{ text: string }>
    expect(messages.map((m) => m.text)).toEqual(["remember me", "You said: remember me"])
    expect(await after.next("cf_agent_state").catch(() => undefined)).toBeDefined()
    await after.close()
  })
})

describe("CoderAgent with settings that cannot start a session", () => {
  let broken: LocalWorker
  beforeAll(async () => {
    broken = await startWranglerDev({ vars: { MAX_MESSAGE_CHARS: "zero" } })
  })
  afterAll(async () => {
    await broken?.stop()
  })

  it("a frame and a callable method get the same error frame, naming the bad setting", async () => {
    const socket = opened(await connect(`${broken.wsOrigin}/agents/coder-agent/bad-settings`))
    await socket.next("cf_agent_identity")
    socket.send({ type: "chat", id: "m1", text: "hello" })
    const viaFrame = await socket.next("error")
    await socket.close()
    expect(viaFrame).toMatchObject({ type: "error", code: "model_unavailable" })
    expect(String(viaFrame["message"])).toContain("MAX_MESSAGE_CHARS")
    const client = coderClient(broken, "bad-settings")
    try {
      await client.ready
      expect(await client.call("chat", ["hello"])).toEqual(viaFrame)
      expect(await client.call("history", [5])).toEqual(viaFrame)
    } finally {
      client.close()
    }
  })
})
