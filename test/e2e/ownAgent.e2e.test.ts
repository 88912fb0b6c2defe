/**
 * README "Add your own agent", end to end in local workerd: a plain `Agent` subclass exported from the
 * Worker's entry and bound in wrangler.toml, nothing else. It routes under every spelling, over WebSocket
 * and HTTP, behind the same token, with the same close codes and log lines; `/`, `/health` and
 * `/_diagnostics` know it without false problems; an exported class that is not an agent is no agent.
 */
import { join, resolve } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { closeOf, connect, opened } from "./support/wsClient.js"
import { startWranglerDev, type LocalWorker } from "./support/wranglerDev.js"

const root = resolve(import.meta.dirname, "../..")
const TOKEN = "a-service-token-of-some-length"
const DIAG = "a-diagnostics-token-long-enough"
let worker: LocalWorker

beforeAll(async () => {
  worker = await startWranglerDev({
    config: join(root, "test/e2e/fixtures/wrangler.echo.toml"),
    vars: { AUTH_TOKEN: TOKEN, DIAGNOSTICS_TOKEN: DIAG },
    readyPath: "/health"
  })
})

afterAll(async () => {
  await worker?.stop()
})

const auth = { authorization: `Bearer ${TOKEN}` }

describe("a second agent of the user's own", () => {
  it("routes under every spelling over HTTP, behind the token", async () => {
    for (const spelling of ["echo-agent", "echoagent", "EchoAgent", "echo_agent", "ECHO-AGENT"]) {
      const response = await fetch(`${worker.origin}/agents/${spelling}/room-1`, { headers: auth })
      expect(response.status, spelling).toBe(200)
      expect(await response.json()).toEqual({ agent: "EchoAgent", name: "room-1" })
    }
    expect((await fetch(`${worker.origin}/agents/echo-agent/room-1`, { headers: { accept: "application/json" } })).status).toBe(401)
  })

  it("routes WebSockets, with the router's close codes for refusals and one log line each", async () => {
    const socket = opened(await connect(`${worker.wsOrigin}/agents/echoagent/room-2?token=${TOKEN}`))
    expect(await socket.next("cf_agent_identity")).toMatchObject({ agent: "echo-agent", name: "room-2" })
    socket.socket.send("hi")
    expect(await socket.next("echo")).toEqual({ type: "echo", text: "hi" })
    await socket.close()
    expect(await closeOf(`${worker.wsOrigin}/agents/echoagent/room-2`)).toMatchObject({ code: 4401 })
    expect(await closeOf(`${worker.wsOrigin}/agents/echoagnet/room-2?token=${TOKEN}`)).toMatchObject({
      code: 4404,
      reason: expect.stringMatching(/^agent_not_found /)
    })
    const lines = worker.completed().filter((l) => l["instance"] === "room-2")
    expect(lines.map((l) => [l["agent"], l["status"], l["outcome"]])).toEqual([
      ["EchoAgent", 101, "routed"],
      ["EchoAgent", 401, "Unauthorized"]
    ])
  })

  it("/, /health and /_diagnostics know it, without false problems; a non-agent export is no agent", async () => {
    const index = await (await fetch(`${worker.origin}/`, { headers: { accept: "text/plain" } })).text()
    expect(index).toContain("/agents/echo-agent/{instance}   EchoAgent")
    expect(index).not.toContain("(also: )")
    const health = (await (await fetch(`${worker.origin}/health`)).json()) as { agents: Array<{ agent: string; bindingPresent: boolean }> }
    expect(health.agents.map((a) => [a.agent, a.bindingPresent])).toEqual([
      ["CoderAgent", true],
      ["EchoAgent", true]
    ])
    const report = (await (await fetch(`${worker.origin}/_diagnostics`, { headers: { "x-diagnostics-token": DIAG } })).json()) as {
      agents: Array<{ className: string; classExported: boolean; problems: Array<string> }>
    }
    expect(report.agents.map((a) => [a.className, a.classExported, a.problems])).toEqual([
      ["CoderAgent", true, []],
      ["EchoAgent", true, []]
    ])
    expect((await fetch(`${worker.origin}/agents/not-an-agent/x`, { headers: auth })).status).toBe(404)
  })
})

describe("sub-agents as the SDK builds them (issue 24)", () => {
  it("a facet-only child class (exported, not bound) answers over HTTP under any spelling", async () => {
    for (const spelling of ["facet-only", "FacetOnly", "facet_only"]) {
      const response = await fetch(`${worker.origin}/agents/echo-agent/p/sub/${spelling}/x`, { headers: auth })
      expect(response.status, spelling).toBe(200)
      expect(await response.json()).toEqual({ agent: "FacetOnly", name: "x" })
    }
  })

  it("a child name with an encoded slash reaches the child by that name, over HTTP and WebSocket", async () => {
    const response = await fetch(`${worker.origin}/agents/echo-agent/p/sub/facet-only/outer%2Fwith%20space`, { headers: auth })
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ agent: "FacetOnly", name: "outer/with space" })
    const socket = opened(await connect(`${worker.wsOrigin}/agents/echo-agent/p/sub/facet-only/child%2Fwith%20space?token=${TOKEN}`))
    socket.socket.send("hello")
    expect(await socket.next("pong")).toEqual({ type: "pong", text: "pong:child/with space:hello" })
    await socket.close()
    const line = worker.completed().find((l) => l["path"] === "/agents/echo-agent/p/sub/facet-only/child%2Fwith%20space")
    expect(line).toMatchObject({ status: 101, instance: "p", subAgents: [{ agent: "FacetOnly", instance: "child/with space" }] })
  })

  it("a name that is no exported agent class stays 404; a top-level name keeps the slash rule", async () => {
    for (const child of ["not-an-agent", "nosuch"]) {
      const response = await fetch(`${worker.origin}/agents/echo-agent/p/sub/${child}/x`, { headers: { ...auth, accept: "application/json" } })
      expect(response.status, child).toBe(404)
      expect(await response.json()).toMatchObject({ reason: "agent_not_found" })
    }
    const top = await fetch(`${worker.origin}/agents/echo-agent/a%2Fb`, { headers: { ...auth, accept: "application/json" } })
    expect(top.status).toBe(400)
    expect(await top.json()).toMatchObject({ reason: "instance_contains_slash" })
  })
})
