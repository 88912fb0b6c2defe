/**
 * Durable Object faults and hostile input against the real runtime: the shipped Worker plus the test-only
 * FaultAgent (test/e2e/fixtures), in local workerd. Each fault must end as its exact answer and log line.
 */
import { resolve } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import WebSocket from "ws"
import { closeOf, connect, opened } from "./support/wsClient.js"
import { eventsIn, waitFor } from "./support/output.js"
import { startWranglerDev, type LocalWorker } from "./support/wranglerDev.js"

let worker: LocalWorker
let seq = 0
/** A fresh instance per test, so Durable Object state never carries over. */
const fresh = (mode: string) => `${mode}-${Date.now().toString(36)}${(seq++).toString(36)}`

beforeAll(async () => {
  worker = await startWranglerDev({ config: resolve(import.meta.dirname, "fixtures/wrangler.faults.toml") })
})

afterAll(async () => {
  await worker?.stop()
})

const problem = async (path: string, init: RequestInit = {}) => {
  // The client's own id tags the line (as clientRequestId); the router's id is the answer's x-request-id.
  const clientId = `faults-${seq++}`
  const response = await fetch(`${worker.origin}${path}`, {
    ...init,
    headers: { accept: "application/json", "x-request-id": clientId, ...init.headers }
  })
  const body = await response.text()
  const requestId = response.headers.get("x-request-id")
  const log = await waitFor(
    () => worker.completed().filter((l) => l["clientRequestId"] === clientId && l["requestId"] === requestId),
    (lines) => lines.length > 0
  )
  return { status: response.status, retryAfter: response.headers.get("retry-after"), body, log }
}

describe("Durable Object faults end as RoutingFailed 503 with Retry-After", () => {
  it.each([
    ["throw", "threw", 1, "fault injected: agent threw"],
    ["hang", "timed_out", 1, "no answer within 1500 ms"],
    ["status500", "error_status", 1, "fault injected: 500"],
    ["platform-retryable", "threw", 3, "fault injected: retryable"],
    ["platform-overloaded", "overloaded", 1, "fault injected: overloaded"]
  ] as const)("%s -> reason %s after %i attempt(s)", async (mode, reason, attempts, cause) => {
    const instance = fresh(mode)
    const answer = await problem(`/agents/fault-agent/${instance}`)
    expect(answer.status).toBe(503)
    expect(answer.retryAfter).toBe("2")
    expect(JSON.parse(answer.body)).toMatchObject({
      status: 503,
      reason,
      agent: "FaultAgent",
      instance,
      detail: "The FaultAgent is experiencing connection issues. Please try again later."
    })
    expect(answer.body).not.toMatch(/\n\s+at |fault injected/)
    expect(answer.log).toHaveLength(1)
    expect(answer.log[0]).toMatchObject({ level: "WARN", outcome: "RoutingFailed", status: 503, reason, attempts })
    // The log line keeps what went wrong (the body never does).
    expect(String(answer.log[0]?.["cause"])).toContain(cause)
  })

  it("a retryable error that clears on the second attempt gives the client a normal answer", async () => {
    const answer = await problem(`/agents/fault-agent/${fresh("platform-flaky")}`)
    expect(answer.status).toBe(200)
    expect(JSON.parse(answer.body)).toMatchObject({ ok: true })
    expect(answer.log[0]).toMatchObject({ outcome: "routed", attempts: 2, level: "INFO" })
  })

  it("a socket the agent closes with 1011 reaches the client as 1011 and is logged as WARN", async () => {
    const instance = fresh("close1011")
    const socket = new WebSocket(`${worker.wsOrigin}/agents/fault-agent/${instance}`)
    const code = await new Promise<number>((done) => socket.on("close", (c) => done(c)))
    expect(code).toBe(1011)
    const closed = await waitFor(
      () => eventsIn(worker.lines, "agent.closed").filter((l) => l["instance"] === instance),
      (lines) => lines.length > 0
    )
    expect(closed).toMatchObject([{ code: 1011, level: "WARN", agent: "FaultAgent" }])
  })
})

describe("hostile input", () => {
  it("client-sent internal headers never reach the agent; ordinary ones do", async () => {
    const answer = await problem(`/agents/fault-agent/${fresh("headers")}`, {
      headers: {
        "x-agents-lifecycle-props": "eyJhZG1pbiI6dHJ1ZX0=",
        "x-partykit-room": "someone-else",
        "x-partykit-namespace": "coder-agent",
        "x-agents-router-trusted": "yes",
        "x-diagnostics-token": "guess-guess-guess-guess",
        "x-app-header": "kept"
      }
    })
    expect(answer.status).toBe(200)
    const received = new Map(JSON.parse(answer.body).headers as Array<[string, string]>)
    expect([...received.keys()].filter((name) => /^x-(partykit|agents|diagnostics)/.test(name))).toEqual([])
    expect(received.get("x-app-header")).toBe("kept")
    expect(received.get("x-request-id")).toBe(answer.log[0]?.["requestId"])
  })

  it.each([
    ["%2e%2e", 404],
    ["a%2Fb", 400],
    ["a%5Cb", 400],
    ["a%00b", 400],
    ["a%0Ab", 400],
    ["%E0%A4%A", 400],
    ["x".repeat(1025), 400]
  ] as const)("instance %s is refused (%i) and creates no Durable Object", async (raw, status) => {
    const before = eventsIn(worker.lines, "agent.connected").length
    const answer = await problem(`/agents/coder-agent/${raw}`)
    expect(answer.status).toBe(status)
    // A WebSocket is refused with the matching close code (issue 13), the reason naming the rule.
    const ws = await closeOf(`${worker.wsOrigin}/agents/coder-agent/${raw}`)
    expect(ws).toMatchObject({ code: status === 404 ? 4404 : 4400, frames: [] })
    expect(eventsIn(worker.lines, "agent.connected").length).toBe(before)
  })

  it("an empty instance segment is refused", async () => {
    expect((await problem("/agents/coder-agent//rest")).status).toBe(400)
  })

  it("a valid WebSocket still connects after all of that", async () => {
    const socket = opened(await connect(`${worker.wsOrigin}/agents/coder-agent/${fresh("still")}`))
    await socket.next("cf_agent_identity")
    await socket.close()
  })
})
