/**
 * The deploy bundle (`--minify`, `keep_names = false`) keeps what the SDK reads of class names: it finds a
 * sub-agent's root by `constructor.name` in `ctx.exports`, and minification renames classes. The entry
 * names each exported agent class after its export (`nameAgentClasses`); without that, the SDK's sub-agent
 * bootstrap fails ("ctx.exports[...] is missing ... looks minified").
 */
import { readFileSync } from "node:fs"
import { join, resolve } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { bundleWorker, startMiniflare, type MiniflareWorker } from "./support/miniflare.js"
import { connect, opened } from "./support/wsClient.js"

const root = resolve(import.meta.dirname, "../..")
const config = join(root, "test/e2e/fixtures/wrangler.echo.toml")
let bundle: string
let worker: MiniflareWorker

beforeAll(async () => {
  bundle = bundleWorker({ config, minify: true })
  worker = await startMiniflare(bundle, { config, script: "echoWorker.js" })
})

afterAll(async () => {
  await worker?.stop()
})

describe("the minified deploy bundle", () => {
  it("is built without esbuild's name-keeping wrappers, so class names are minified", () => {
    const code = readFileSync(join(bundle, "echoWorker.js"), "utf8")
    expect(code).not.toContain("__name(")
    expect(code).not.toMatch(/class EchoAgent\b/)
  })

  it("reaches a sub-agent, which the SDK finds by its root's class name", async () => {
    const response = await fetch(`${worker.origin}/agents/echo-agent/p/sub/facet-only/x`)
    expect(await response.text()).toBe(JSON.stringify({ agent: "FacetOnly", name: "x" }))
    expect(response.status).toBe(200)
    const socket = opened(await connect(`${worker.origin.replace(/^http/, "ws")}/agents/echo-agent/p/sub/facet-only/child`))
    socket.socket.send("hi")
    expect(await socket.next("pong")).toMatchObject({ text: "pong:child:hi" })
    await socket.close()
  })

  it("CoderAgent echoes the request id it is sent, so the router passes its answers on uncopied", async () => {
    const agents = await worker.namespace("CoderAgent")
    const agent = agents.get(agents.idFromName("echoing"))
    const answer = await agent.fetch("http://agent.test/agents/coder-agent/echoing", { headers: { "x-request-id": "e2e-echo-1" } })
    expect(answer.status).toBe(200)
    expect(answer.headers.get("x-request-id")).toBe("e2e-echo-1")
    await answer.text()
    const without = await agent.fetch("http://agent.test/agents/coder-agent/echoing")
    expect(without.headers.has("x-request-id")).toBe(false)
    await without.text()
  })

  it("routes CoderAgent, whose identity frame names it", async () => {
    const socket = opened(await connect(`${worker.origin.replace(/^http/, "ws")}/agents/coder-agent/minified`))
    expect(await socket.next("cf_agent_identity")).toMatchObject({ agent: "coder-agent", name: "minified" })
    await socket.close()
  })
})
