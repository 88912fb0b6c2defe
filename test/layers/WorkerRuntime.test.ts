import { afterEach, beforeEach, describe, expect, it, vi } from "@effect/vitest"
import { Effect, Layer, Logger } from "effect"
import { makeHandler } from "../../src/layers/WorkerRuntime.js"
import { RequestLog } from "../../src/services/RequestLog.js"
import { fakeNamespace } from "../support/FakeNamespace.js"
import { PlatformTest } from "../support/Sdk.js"
import { testCtx } from "../support/TestApp.js"

/** The lines the Worker printed in a test: captured (and asserted where expected), not sent to the terminal. */
let printed: Array<string> = []
beforeEach(() => {
  printed = []
  for (const method of ["log", "info"] as const) vi.spyOn(console, method).mockImplementation((...args: Array<unknown>) => void printed.push(args.map(String).join(" ")))
})
afterEach(() => {
  vi.restoreAllMocks()
})
const printedLevels = () => printed.map((line) => (JSON.parse(line) as { level: string; reason?: string }))

describe("makeHandler", () => {
  it("routes through the runtime built once for an env", async () => {
    const { namespace, deliveries } = fakeNamespace()
    const env = { CoderAgent: namespace }
    const handler = makeHandler(PlatformTest, env)
    const response = await handler(new Request("http://router.test/agents/coderagent/a"), env, testCtx)
    expect(response.status).toBe(200)
    expect(deliveries).toHaveLength(1)
  })

  it("answers 500 with a request id, not a crash, when the configuration cannot start", async () => {
    const env = { AGENTS: "CoderAgent,coder_agent", CoderAgent: fakeNamespace().namespace }
    const handler = makeHandler(PlatformTest, env)
    const response = await handler(
      new Request("http://router.test/agents/coderagent/a", { headers: { "x-request-id": "abc" } }),
      env,
      testCtx
    )
    expect(response.status).toBe(500)
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/)
    expect(await response.text()).not.toContain("coder_agent")
  })

  it("rejects a malformed var with a 500 rather than guessing", async () => {
    const env = { ROUTING_MAX_ATTEMPTS: "zero" }
    const response = await makeHandler(PlatformTest, env)(new Request("http://router.test/"), env, testCtx)
    expect(response.status).toBe(500)
  })

  it("answers 500 with the request id when a defect escapes the pipeline (here: its log write dies)", async () => {
    const env = { CoderAgent: fakeNamespace().namespace }
    const dying = Layer.succeed(RequestLog, { write: () => Effect.dieMessage("log sink broke"), logger: Logger.defaultLogger })
    const response = await makeHandler(PlatformTest, env, dying)(
      new Request("http://router.test/agents/coderagent/a", { headers: { "x-request-id": "req-9" } }),
      env,
      testCtx
    )
    expect(response.status).toBe(500)
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/)
    expect(await response.text()).not.toContain("log sink broke")
  })

  it("answers a WebSocket upgrade the configuration cannot route with close 1011, not an HTTP 500 its script cannot read", async () => {
    const env = { ROUTING_MAX_ATTEMPTS: "zero", CoderAgent: fakeNamespace().namespace }
    const upgrade = {
      upgrade: "websocket",
      connection: "Upgrade",
      "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      "sec-websocket-version": "13"
    }
    const response = await makeHandler(PlatformTest, env)(new Request("http://router.test/agents/coderagent/a", { headers: upgrade }), env, testCtx)
    expect(response.headers.get("x-test-close-code")).toBe("1011")
    expect(response.headers.get("x-test-close-reason")).toMatch(/^startup_failed [0-9a-f-]{36}$/)
    await vi.waitFor(() => expect(printedLevels()).toContainEqual(expect.objectContaining({ level: "ERROR", reason: "startup_failed", closeCode: 1011 })))
  })
})
