/**
 * Handshake rules and deployment mistakes against the bundled Worker in Miniflare's server, which passes
 * the client's handshake headers through unchanged (wrangler dev's proxy would re-create them).
 */
import { execFile } from "node:child_process"
import { request as httpRequest } from "node:http"
import { join, resolve } from "node:path"
import { AgentClient, type AgentConnectionError } from "agents/client"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import WebSocket from "ws"
import { bundleWorker, startMiniflare, type MiniflareWorker } from "./support/miniflare.js"
import { waitFor } from "./support/output.js"
import { closeOf, connect, opened } from "./support/wsClient.js"

const root = resolve(import.meta.dirname, "../..")
let bundle: string
let worker: MiniflareWorker
let unbound: MiniflareWorker

beforeAll(async () => {
  bundle = bundleWorker()
  worker = await startMiniflare(bundle)
  unbound = await startMiniflare(bundle, { withoutBindings: true })
})

afterAll(async () => {
  await worker?.stop()
  await unbound?.stop()
})

const valid = {
  upgrade: "websocket",
  connection: "Upgrade",
  "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
  "sec-websocket-version": "13"
}

/** Sends a raw handshake and returns the status line's code and headers (101 included). */
const handshake = (origin: string, path: string, headers: Record<string, string>, method = "GET") =>
  new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const req = httpRequest(`${origin}${path}`, { method, headers })
    req.on("upgrade", (res, socket) => {
      socket.destroy()
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: "" })
    })
    req.on("response", (res) => {
      let body = ""
      res.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")))
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on("error", reject)
    req.end()
  })

describe("WebSocket handshake rules (RFC 6455) end to end", () => {
  it("a valid handshake upgrades", async () => {
    expect((await handshake(worker.origin, "/agents/coderagent/hs", valid)).status).toBe(101)
  })

  it.each([
    ["missing key", { "sec-websocket-key": "" }, 400, "missing_key"],
    ["malformed key", { "sec-websocket-key": "not-a-key" }, 400, "invalid_key"],
    ["version 8", { "sec-websocket-version": "8" }, 426, "unsupported_version"],
    ["Connection without upgrade", { connection: "keep-alive" }, 400, "connection_not_upgrade"]
  ] as const)("%s is refused with its status and reason", async (_name, override, status, reason) => {
    const headers: Record<string, string> = { ...valid, ...override, accept: "application/json" }
    for (const [key, value] of Object.entries(headers)) if (value === "") delete headers[key]
    const answer = await handshake(worker.origin, "/agents/coder-agent/hs", headers)
    expect(answer.status).toBe(status)
    expect(JSON.parse(answer.body)).toMatchObject({ reason })
    if (status === 426) expect(answer.headers["sec-websocket-version"]).toBe("13")
  })

  it("a POST upgrade is refused, though workerd presents it to the Worker as GET", async () => {
    const answer = await handshake(worker.origin, "/agents/coder-agent/hs", { ...valid, accept: "application/json" }, "POST")
    expect(answer.status).toBe(400)
    expect(JSON.parse(answer.body)).toMatchObject({ reason: "method_not_get" })
  })

  it("ws clients work against the bundle too", async () => {
    const socket = opened(await connect(`${worker.origin.replace("http", "ws")}/agents/CoderAgent/bundle`))
    expect(await socket.next("cf_agent_identity")).toMatchObject({ name: "bundle" })
    await socket.close()
  })
})

describe("a deployment without the CoderAgent binding", () => {
  it("answers 503 with the connection-issues message and Retry-After, over WebSocket and HTTP", async () => {
    const refused = await closeOf(`${unbound.origin.replace("http", "ws")}/agents/coderagent/default`)
    expect(refused).toMatchObject({ code: 1013, reason: expect.stringMatching(/^The CoderAgent is experiencing connection issues\. Please try again later\. /) })
    const response = await fetch(`${unbound.origin}/agents/coderagent/default`)
    expect(response.status).toBe(503)
    expect(response.headers.get("retry-after")).toBe("30")
    expect(await response.text()).toContain("The CoderAgent is experiencing connection issues. Please try again later.")
    const logged = await waitFor(
      () => unbound.completed().filter((l) => l["outcome"] === "MissingBinding"),
      (lines) => lines.length > 0
    )
    expect(logged.length).toBeGreaterThanOrEqual(1)
    expect(logged[0]).toMatchObject({ level: "WARN", status: 503, agent: "CoderAgent" })
  })
})

describe("what the SDK's AgentClient makes of a refused socket", () => {
  /** An AgentClient for `agent`/`name` on `origin`, reconnecting quickly, recording its connection errors. */
  const client = (origin: string, agent: string, name: string) => {
    const errors: Array<AgentConnectionError> = []
    const instance = new AgentClient({
      agent,
      name,
      host: origin.replace("http://", ""),
      protocol: "ws",
      minReconnectionDelay: 100,
      maxReconnectionDelay: 200,
      onConnectionError: (error) => errors.push(error)
    })
    return { instance, errors }
  }
  const attemptsAt = (w: MiniflareWorker, path: string) => w.completed().filter((l) => l["path"] === path).length

  it("4404 is final: the error names the reason, and the client does not reconnect", async () => {
    const { errors, instance } = client(worker.origin, "nope", "x")
    try {
      const seen = await waitFor(() => errors, (found) => found.length > 0)
      expect(seen[0]).toMatchObject({ code: 4404, message: expect.stringMatching(/^Agent connection closed: agent_not_found [0-9a-f-]{36}$/) })
      const attempts = attemptsAt(worker, "/agents/nope/x")
      await new Promise((resolve) => setTimeout(resolve, 1_500))
      expect(attemptsAt(worker, "/agents/nope/x")).toBe(attempts)
    } finally {
      instance.close()
    }
  })

  it("1013 (missing binding) is not final: the client tries again", async () => {
    const { errors, instance } = client(unbound.origin, "CoderAgent", "retry")
    try {
      // Reconnects come 100-200 ms apart; a loaded 2-core machine gets 15 s to show three.
      const retried = await waitFor(() => attemptsAt(unbound, "/agents/coder-agent/retry"), (n) => n >= 3, 15_000)
      expect(retried).toBeGreaterThanOrEqual(3)
      expect(errors).toEqual([])
      expect(unbound.completed().filter((l) => l["path"] === "/agents/coder-agent/retry")[0]).toMatchObject({
        status: 503,
        closeCode: 1013,
        outcome: "MissingBinding"
      })
    } finally {
      instance.close()
    }
  })
})

describe("npm run doctor", () => {
  /** Runs the doctor on `url`; resolves with its exit code and output. */
  const doctor = (url: string) =>
    new Promise<{ code: number | null; output: string }>((resolve) => {
      execFile(
        process.execPath,
        [join(root, "node_modules/vite-node/vite-node.mjs"), join(root, "scripts/doctor.ts"), "--", url],
        { cwd: root, timeout: 60_000 },
        (error, stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, output: stdout + stderr })
      )
    })

  it("a healthy agent: exit 0, and an unconfigured model is named, not 'Nothing to fix'", async () => {
    const { code, output } = await doctor(`${worker.origin.replace("http", "ws")}/agents/coderagent/default`)
    expect(output).toContain("The agent answers, but:")
    expect(output).toContain("CoderAgent has no model: chat requests get model_unavailable. Set MODEL_BASE_URL and MODEL_NAME")
    expect(output).not.toContain("Nothing to fix")
    expect(code).toBe(0)
  })

  it("an unknown agent: the names that exist, exit 1", async () => {
    const { code, output } = await doctor(`${worker.origin.replace("http", "ws")}/agents/nosuch/default`)
    expect(output).toContain('closed by the server with 4404 "agent_not_found')
    expect(output).toContain("Agents that exist: CoderAgent (/agents/coder-agent/{instance})")
    expect(code).toBe(1)
  })

  it("a missing binding: the wrangler.toml lines to add, exit 1", async () => {
    const { code, output } = await doctor(`${unbound.origin.replace("http", "ws")}/agents/coderagent/default`)
    expect(output).toContain("closed by the server with 1013")
    expect(output).toContain("[[durable_objects.bindings]]")
    expect(output).toContain('class_name = "CoderAgent"')
    expect(code).toBe(1)
  })
})

