/**
 * Issue 11's attacks, end to end: the bundled Worker in Miniflare's server (it hands the Worker the headers
 * the client sent) with the real CoderAgent, real WebSocket clients and the SDK's AgentClient.
 */
import { connect as tcpConnect } from "node:net"
import { convertV4MiniflareOptions, Miniflare } from "miniflare"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { bundleWorker, startMiniflare, type MiniflareWorker } from "./support/miniflare.js"
import { eventsIn, waitFor } from "./support/output.js"
import { chatRequest, turnOf } from "./support/chatFrames.js"
import { coderClient } from "./support/sdkClient.js"
import { closeOf, connect, opened } from "./support/wsClient.js"

let worker: MiniflareWorker
let ghost: MiniflareWorker
let renamed: MiniflareWorker

beforeAll(async () => {
  const bundle = bundleWorker()
  // A model whose URL carries credentials and answers nothing (port 1): every chat fails upstream.
  worker = await startMiniflare(bundle, {
    vars: { MODEL_BASE_URL: "http://modeluser:SECRET@127.0.0.1:1/v1", MODEL_NAME: "m", MODEL_TIMEOUT_MS: "2000", MODEL_MAX_RETRIES: "0" }
  })
  ghost = await startMiniflare(bundle, { vars: { AGENTS: "CoderAgent,Ghost:SECRET_BINDING_X" } })
  renamed = await startMiniflare(bundle, { bindCoderAgentAs: "CODER_AGENT" })
})

afterAll(async () => {
  await Promise.all([worker?.stop(), ghost?.stop(), renamed?.stop()])
})

const ws = (origin: string) => origin.replace("http", "ws")
const problem = async (origin: string, path: string, init: RequestInit = {}) => {
  const response = await fetch(`${origin}${path}`, { ...init, headers: { accept: "application/json", ...init.headers } })
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, requestId: response.headers.get("x-request-id") }
}
const lineFor = (w: MiniflareWorker, requestId: string | null) =>
  waitFor(
    () => w.completed().filter((l) => l["requestId"] === requestId),
    (lines) => lines.length > 0
  ).then((lines) => lines[0])

describe("1, 2: sub-agents and the SDK's internal header", () => {
  it("a valid sub-agent path reaches the child; the log names parent and child", async () => {
    const response = await fetch(`${worker.origin}/agents/coderagent/parentA/sub/CODER_AGENT/child-1`)
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ agent: "CoderAgent", instance: "child-1" })
    expect(await lineFor(worker, response.headers.get("x-request-id"))).toMatchObject({
      instance: "parentA",
      subAgents: [{ agent: "CoderAgent", instance: "child-1" }]
    })
  })

  it("a child named with control characters, or of an undeclared class, is refused before any agent", async () => {
    const control = await problem(worker.origin, "/agents/coderagent/victimA/sub/coder-agent/a%01b%0D%0A")
    expect(control).toMatchObject({ status: 400, body: { reason: "instance_control_characters" } })
    const undeclared = await problem(worker.origin, "/agents/coderagent/victimA/sub/observed-agent/x")
    expect(undeclared).toMatchObject({ status: 404, body: { reason: "agent_not_found" } })
    expect(await closeOf(`${ws(worker.origin)}/agents/coderagent/victimA/sub/coder-agent/a%01b`)).toMatchObject({
      code: 4400,
      reason: expect.stringMatching(/^instance_control_characters /)
    })
  })

  it("x-cf-agents-subagent-url is stripped: HTTP and WebSocket land on the parent they named", async () => {
    const header = { "x-cf-agents-subagent-url": `${worker.origin}/agents/coder-agent/p/sub/coder-agent/viaheader` }
    const response = await fetch(`${worker.origin}/agents/coderagent/p`, { headers: header })
    expect(await response.json()).toMatchObject({ instance: "p" })
    const socket = opened(await connect(`${ws(worker.origin)}/agents/coderagent/p`, header))
    expect(await socket.next("cf_agent_identity")).toMatchObject({ name: "p" })
    await socket.close()
  })
})

describe("3, 8, 10: instance names", () => {
  it("171 x é is refused with 400 over HTTP and WebSocket; no agent throws, no stack reaches a client", async () => {
    const long = "%C3%A9".repeat(171)
    expect(await problem(worker.origin, `/agents/coder-agent/${long}`)).toMatchObject({ status: 400, body: { reason: "instance_too_long" } })
    const refused = await closeOf(`${ws(worker.origin)}/agents/coder-agent/${long}`)
    expect(refused).toMatchObject({ code: 4400, reason: expect.stringMatching(/^instance_too_long /), frames: [] })
  })

  it("alice@example.com is the instance AgentClient names; NFD and NFC are one; look-alikes are refused", async () => {
    for (const raw of ["alice@example.com", "alice%40example.com"]) {
      expect(await (await fetch(`${worker.origin}/agents/coder-agent/${raw}`)).json()).toMatchObject({ instance: "alice@example.com" })
    }
    const client = coderClient(worker, "alice@example.com")
    try {
      await client.ready
      const summary = (await (await fetch(`${worker.origin}/agents/coder-agent/alice@example.com`)).json()) as { connections: number }
      expect(summary.connections).toBe(1)
    } finally {
      client.close()
    }
    const nfd = await (await fetch(`${worker.origin}/agents/coder-agent/cafe%CC%81`)).json()
    const nfc = await (await fetch(`${worker.origin}/agents/coder-agent/caf%C3%A9`)).json()
    expect(nfd).toMatchObject({ instance: "caf%C3%A9" })
    expect(nfc).toMatchObject({ instance: "caf%C3%A9" })
    for (const raw of ["ali%E2%80%8Bce", "%E2%80%AEecila", "%EF%BB%BFalice"]) {
      expect(await problem(worker.origin, `/agents/coder-agent/${raw}`)).toMatchObject({ status: 400, body: { reason: "instance_invisible_characters" } })
    }
  })
})

describe("4, 5: CoderAgent's state and model errors", () => {
  it("a client's state write is refused to that client, not stored, not broadcast", async () => {
    const writer = opened(await connect(`${ws(worker.origin)}/agents/coder-agent/state-1`))
    const watcher = opened(await connect(`${ws(worker.origin)}/agents/coder-agent/state-1`))
    await writer.next("cf_agent_state")
    await watcher.next("cf_agent_state")
    writer.send({ type: "cf_agent_state", state: "forged" })
    expect(await writer.next("error")).toMatchObject({ code: "state_read_only" })
    expect(await writer.next("cf_agent_state")).toMatchObject({ state: { status: "idle", messageCount: 0 } })
    expect(await writer.next("cf_agent_state_error")).toBeDefined()
    await expect(watcher.next("cf_agent_state", 500)).rejects.toThrow()
    const summary = (await (await fetch(`${worker.origin}/agents/coder-agent/state-1`)).json()) as { state: unknown }
    expect(summary.state).toEqual({ status: "idle", messageCount: 0, lastActivity: null })
    await writer.close()
    await watcher.close()
  })

  it("AgentClient.setState is refused and the client's copy goes back to the real state", async () => {
    const client = coderClient(worker, "state-2")
    try {
      await client.ready
      const real = await waitFor(() => client.state as unknown, (s) => s !== undefined)
      client.setState({ status: "working", messageCount: 99, lastActivity: "forged" })
      expect(client.state).toMatchObject({ messageCount: 99 })
      expect(await waitFor(() => client.state as unknown, (s) => JSON.stringify(s) === JSON.stringify(real))).toEqual(real)
    } finally {
      client.close()
    }
  })

  it("a model error reaches the client as a code and a safe sentence; the detail, without credentials, is logged", async () => {
    const socket = opened(await connect(`${ws(worker.origin)}/agents/coder-agent/model-1`))
    socket.send(chatRequest("m1", "hi"))
    const turn = await turnOf(socket, "m1")
    await socket.close()
    expect(turn.error).toBe("model_error: The model failed to answer. Try again; the operator's log has the details.")
    expect(JSON.stringify(turn.frames)).not.toMatch(/SECRET|modeluser|127\.0\.0\.1|http/)
    const failed = await waitFor(
      () => eventsIn(worker.lines, "agent.model_failed"),
      (lines) => lines.length > 0
    )
    expect(failed[0]).toMatchObject({ agent: "CoderAgent", instance: "model-1", chatRequestId: "m1", reason: "error" })
    expect(JSON.stringify(failed[0])).not.toMatch(/SECRET|modeluser/)
    expect(worker.lines.join("\n")).not.toMatch(/SECRET|modeluser/)
  })
})

describe("6, 7: binding names", () => {
  it("/, /health and 404s name agents, never bindings; the MissingBinding line names binding and fix", async () => {
    for (const path of ["/", "/health", "/agents/nobody/x"]) {
      const text = await (await fetch(`${ghost.origin}${path}`)).text()
      expect(text, path).not.toMatch(/secret[-_]binding[-_]x/i)
    }
    const missing = await problem(ghost.origin, "/agents/ghost/x")
    expect(missing.status).toBe(503)
    expect(JSON.stringify(missing.body)).not.toMatch(/SECRET_BINDING_X/i)
    expect(await lineFor(ghost, missing.requestId)).toMatchObject({
      outcome: "MissingBinding",
      binding: "SECRET_BINDING_X",
      hint: expect.stringContaining('name = "SECRET_BINDING_X"')
    })
  })

  it("a binding named CODER_AGENT routes without AGENTS, as with the bare SDK", async () => {
    const response = await fetch(`${renamed.origin}/agents/coder-agent/default`)
    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ agent: "CoderAgent", instance: "default" })
    const socket = opened(await connect(`${ws(renamed.origin)}/agents/coderagent/default`))
    expect(await socket.next("cf_agent_identity")).toMatchObject({ name: "default" })
    await socket.close()
  })
})

describe("9: logs", () => {
  // 60 KB: workerd 1.20261117 itself answers a request line over about 65 KB with 414, before the Worker runs.
  it("an unauthenticated 60 KB path makes a short line; a client's x-request-id is logged, not adopted", async () => {
    const response = await fetch(`${worker.origin}/${"a".repeat(60_000)}`, { headers: { "x-request-id": "someone-elses" } })
    expect(response.status).toBe(404)
    const requestId = response.headers.get("x-request-id")
    expect(requestId).not.toBe("someone-elses")
    const line = await lineFor(worker, requestId)
    expect(line).toMatchObject({ clientRequestId: "someone-elses", status: 404 })
    expect(JSON.stringify(line).length).toBeLessThan(4_000)
  })
})

describe("11: a bodiless POST upgrade", () => {
  /** Sends raw bytes and resolves with what the server wrote back before closing or 2 s. */
  const raw = (origin: string, text: string) =>
    new Promise<string>((resolve, reject) => {
      const { hostname, port } = new URL(origin)
      const socket = tcpConnect(Number(port), hostname, () => socket.write(text))
      let answer = ""
      socket.on("data", (chunk) => (answer += chunk.toString("utf8")))
      socket.on("error", reject)
      socket.on("close", () => resolve(answer))
      setTimeout(() => {
        socket.destroy()
        resolve(answer)
      }, 2_000)
    })

  it("reaches the Worker exactly as the same GET does (method, body, headers), so the Worker cannot tell", async () => {
    // A probe Worker that describes the request it was handed.
    const probe = new Miniflare(
      convertV4MiniflareOptions({
        modules: true,
        script: `export default { async fetch(r) { return Response.json({ method: r.method, body: r.body !== null, headers: [...r.headers] }) } }`,
        host: "127.0.0.1",
        port: 0
      })
    )
    try {
      const origin = (await probe.ready).origin
      const handshake = (method: string) =>
        `${method} /agents/coder-agent/p HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`
      const seen = async (method: string) => {
        const answer = await raw(origin, handshake(method))
        return JSON.parse(answer.slice(answer.indexOf("{"), answer.lastIndexOf("}") + 1)) as unknown
      }
      const asPost = await seen("POST")
      expect(asPost).toEqual(await seen("GET"))
      expect(asPost).toMatchObject({ method: "GET", body: false })
    } finally {
      await probe.dispose()
    }
  })
})

describe("long URLs (issue 20, 8): bounded before any Durable Object, never a stack from the agent", () => {
  const query = `?q=${"a".repeat(16_500)}`
  const longPath = `/agents/coder-agent/long-url/${"p".repeat(9_000)}`

  it("a 16.5 KB query or a long path after the instance: 414 url_too_long over HTTP, close 4400 over WebSocket", async () => {
    for (const path of [`/agents/coder-agent/long-url${query}`, longPath]) {
      const answer = await problem(worker.origin, path)
      expect(answer).toMatchObject({ status: 414, body: { reason: "url_too_long" } })
      expect(await lineFor(worker, answer.requestId)).toMatchObject({ outcome: "InvalidRoute", reason: "url_too_long", status: 414 })
      const closed = await closeOf(`${ws(worker.origin)}${path}`)
      expect(closed).toMatchObject({ code: 4400, reason: expect.stringMatching(/^url_too_long /), frames: [] })
      expect(JSON.stringify(closed)).not.toMatch(/AttachmentCache|Error:/)
    }
  })

  it("a URL just within the bound connects and the agent answers (its attachment fits)", async () => {
    const path = `/agents/coder-agent/long-ok?q=${"a".repeat(8_000)}`
    const socket = opened(await connect(`${ws(worker.origin)}${path}`))
    expect(await socket.next("cf_agent_identity")).toMatchObject({ name: "long-ok" })
    socket.send({ type: "ping" })
    expect(await socket.next("pong")).toBeDefined()
    await socket.close()
  })
})

describe("placement (issue 21, 4)", () => {
  it("a location hint still routes under Miniflare; a jurisdiction, which local workerd does not implement, is a 503 whose log says so", async () => {
    const bundle = bundleWorker()
    const [hinted, inEu] = await Promise.all([
      startMiniflare(bundle, { vars: { AGENTS_LOCATION_HINT: "CoderAgent:weur" } }),
      startMiniflare(bundle, { vars: { AGENTS_JURISDICTION: "CoderAgent:eu" } })
    ])
    try {
      const response = await fetch(`${hinted.origin}/agents/coderagent/placed-1`)
      expect(response.status).toBe(200)
      expect(await response.json()).toMatchObject({ agent: "CoderAgent", instance: "placed-1" })
      const socket = opened(await connect(`${ws(hinted.origin)}/agents/coderagent/placed-1`))
      expect(await socket.next("cf_agent_identity")).toMatchObject({ name: "placed-1" })
      await socket.close()
      const eu = await problem(inEu.origin, "/agents/coderagent/placed-2")
      expect(eu).toMatchObject({ status: 503, body: { reason: "threw" } })
      expect(await lineFor(inEu, eu.requestId)).toMatchObject({ cause: expect.stringContaining("Jurisdiction restrictions are not implemented in workerd") })
    } finally {
      await Promise.all([hinted.stop(), inEu.stop()])
    }
  })
})
