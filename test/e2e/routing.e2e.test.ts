/**
 * The real Worker in local workerd (`wrangler dev`, as `npm run dev` runs it) with real WebSocket clients:
 * every spelling users write connects, the SDK's own AgentClient connects, ping/pong round-trips, state
 * survives a reconnect, HTTP reaches `onRequest`, and failures answer from the table.
 */
import { Either, Schema } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { LogLine } from "../../src/domain/coder/CoderEvents.js"
import { chatRequest, turnOf } from "./support/chatFrames.js"
import { coderClient } from "./support/sdkClient.js"
import { closeOf, connect, opened } from "./support/wsClient.js"
import { eventsIn, waitFor } from "./support/output.js"
import { startWranglerDev, type LocalWorker } from "./support/wranglerDev.js"

const TOKEN = "e2e-diagnostics-token-0123456789"
let worker: LocalWorker

beforeAll(async () => {
  worker = await startWranglerDev({ vars: { DIAGNOSTICS_TOKEN: TOKEN } })
})

const settle = () => new Promise((r) => setTimeout(r, 300))


afterAll(async () => {
  await worker?.stop()
})

describe("routing against local workerd", () => {
  it.each(["coderagent", "CoderAgent", "coder-agent", "coder_agent"])(
    "/agents/%s/default connects and receives the SDK's identity and state frames",
    async (spelling) => {
      const socket = opened(await connect(`${worker.wsOrigin}/agents/${spelling}/default`))
      const identity = await socket.next("cf_agent_identity")
      expect(identity).toMatchObject({ name: "default", agent: "coder-agent" })
      expect(await socket.next("cf_agent_state")).toHaveProperty("state.status")
      await socket.close()
    }
  )

  it("the SDK's AgentClient connects and becomes ready", async () => {
    const client = coderClient(worker, "sdk-client")
    try {
      await client.ready
      expect(client.identified).toBe(true)
      expect(client.name).toBe("sdk-client")
      expect(client.state).toEqual({ status: "idle", messageCount: 0, lastActivity: null })
    } finally {
      client.close()
    }
  })

  it("ping round-trips as pong, and unknown frames get an error frame on a connection that stays open", async () => {
    const socket = opened(await connect(`${worker.wsOrigin}/agents/coder-agent/pinger`))
    await socket.next("cf_agent_identity")
    socket.send({ type: "ping" })
    expect(await socket.next("pong")).toHaveProperty("time")
    socket.send({ type: "dance" })
    expect(await socket.next("error")).toMatchObject({ code: "invalid_message" })
    socket.socket.send("{not json")
    expect(await socket.next("error")).toMatchObject({ code: "invalid_json" })
    socket.send({ type: "ping" })
    expect(await socket.next("pong")).toHaveProperty("time")
    await socket.close()
  })

  it("without a model, a chat request gets model_unavailable naming the settings to add, and nothing is stored", async () => {
    const socket = opened(await connect(`${worker.wsOrigin}/agents/coder-agent/no-model`))
    await socket.next("cf_agent_identity")
    socket.send(chatRequest("c1", "hello"))
    const turn = await turnOf(socket, "c1")
    expect(turn.error).toMatch(/^model_unavailable: No model is configured: set the MODEL_BASE_URL and MODEL_NAME vars/)
    socket.send({ type: "ping" })
    expect(await socket.next("pong")).toHaveProperty("time")
    await socket.close()
    const stored = await fetch(`${worker.origin}/agents/coder-agent/no-model/get-messages`)
    expect(await stored.json()).toEqual([])
  })

  it("HTTP to the same paths reaches the agent's onRequest", async () => {
    for (const spelling of ["coderagent", "CoderAgent", "coder-agent", "coder_agent"]) {
      const response = await fetch(`${worker.origin}/agents/${spelling}/http-instance`)
      expect(response.status).toBe(200)
      expect(response.headers.get("x-request-id")).toBeTruthy()
      expect(await response.json()).toMatchObject({ agent: "CoderAgent", instance: "http-instance" })
    }
  })

  it("a POST with a body to a canonical agent URL is answered under wrangler dev (it used to hang)", async () => {
    for (const path of ["/agents/coder-agent/posting/get-messages", "/agents/coderagent/posting/get-messages", "/agents/coder-agent/posting"]) {
      const response = await fetch(`${worker.origin}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ hello: "x".repeat(2_000) }),
        signal: AbortSignal.timeout(5_000)
      })
      expect(response.status, path).toBe(path.endsWith("get-messages") ? 200 : 405)
      await response.body?.cancel()
    }
  })

  it("an unknown agent gets 404 naming the agents that exist", async () => {
    const refused = await closeOf(`${worker.wsOrigin}/agents/nope/default`)
    expect(refused).toMatchObject({ code: 4404, reason: expect.stringMatching(/^agent_not_found [0-9a-f-]{36}$/) })
    const response = await fetch(`${worker.origin}/agents/nope/default`, { headers: { accept: "application/json" } })
    expect(response.status).toBe(404)
    expect(await response.json()).toMatchObject({ reason: "agent_not_found", detail: expect.stringContaining("coder-agent") })
  })

  it("a bad instance name gets 400 naming the rule, before any Durable Object is created", async () => {
    const response = await fetch(`${worker.origin}/agents/coder-agent/a%2Fb`, { headers: { accept: "application/json" } })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ reason: "instance_contains_slash" })
  })

  it("logs one request.completed line per request", async () => {
    const before = worker.completed().length
    const response = await fetch(`${worker.origin}/agents/coder-agent/logged`, { headers: { "x-request-id": "e2e-log-1" } })
    const mine = () => worker.completed().slice(before).filter((l) => l["clientRequestId"] === "e2e-log-1")
    await waitFor(mine, (lines) => lines.length > 0)
    await settle()
    const lines = mine()
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatchObject({ outcome: "routed", status: 200, agent: "CoderAgent", instance: "logged" })
    // The agent echoes the router's id (never the client's), so the answer passes on uncopied with it.
    expect(response.headers.get("x-request-id")).toBe(lines[0]?.["requestId"])
  })

  it("a WebSocket session can be followed by its request id from router to agent", async () => {
    const socket = opened(await connect(`${worker.wsOrigin}/agents/coder_agent/followed`, { "x-request-id": "e2e-ws-1" }))
    await socket.next("cf_agent_identity")
    socket.send({ type: "nonsense" })
    await socket.next("error")
    await socket.close()
    // The client's id finds the router's line; the router's id (sent to the agent) follows the session.
    const routed = await waitFor(
      () => eventsIn(worker.lines, "request.completed").filter((l) => l["clientRequestId"] === "e2e-ws-1"),
      (lines) => lines.length > 0
    )
    const requestId = routed[0]?.["requestId"]
    expect(requestId).not.toBe("e2e-ws-1")
    const mine = (event: string) => eventsIn(worker.lines, event).filter((l) => l["requestId"] === requestId)
    const events = ["request.completed", "agent.connected", "agent.message_rejected", "agent.closed"]
    await waitFor(() => events.map(mine), (found) => found.every((lines) => lines.length > 0))
    expect(mine("request.completed")).toMatchObject([{ upgrade: true, status: 101, outcome: "routed", agent: "CoderAgent" }])
    expect(mine("agent.connected")).toMatchObject([{ agent: "CoderAgent", instance: "followed", level: "INFO" }])
    expect(mine("agent.message_rejected")).toMatchObject([{ code: "invalid_message" }])
    expect(mine("agent.closed")).toMatchObject([{ code: 1000, wasClean: true, durationMs: expect.any(Number) }])
  })

  it("/health answers without calling the agent; /_diagnostics needs the token", async () => {
    const health = await fetch(`${worker.origin}/health`)
    expect(await health.json()).toMatchObject({ status: "ok", agents: [{ agent: "CoderAgent", bindingPresent: true }] })
    expect((await fetch(`${worker.origin}/_diagnostics`)).status).toBe(404)
    expect((await fetch(`${worker.origin}/_diagnostics`, { headers: { "x-diagnostics-token": "wrong-token-wrong-token" } })).status).toBe(404)
    const report = await fetch(`${worker.origin}/_diagnostics?probe=1`, { headers: { "x-diagnostics-token": TOKEN } })
    expect(report.status).toBe(200)
    expect(await report.json()).toMatchObject({
      agentsSdkVersion: "0.32.0",
      compatibilityDate: "2026-11-17",
      agents: [{ className: "CoderAgent", hasIdFromName: true, classExported: true, problems: [], probe: { ok: true, status: 200 } }]
    })
  })

  it("every JSON line the real process printed decodes with the documented schema", async () => {
    await settle()
    const json = worker.lines.filter((line) => line.startsWith("{"))
    expect(json.length).toBeGreaterThan(20)
    const decode = Schema.decodeUnknownEither(Schema.parseJson(LogLine))
    const failures = json.filter((line) => Either.isLeft(decode(line)))
    expect(failures).toEqual([])
    expect(json.join("\n")).not.toContain(TOKEN)
  })
})
