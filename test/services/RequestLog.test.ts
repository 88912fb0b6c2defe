import { describe, expect, it } from "@effect/vitest"
import type { LogLevel } from "effect"
import { makeHandler } from "../../src/layers/WorkerRuntime.js"
import { RequestLog } from "../../src/services/RequestLog.js"
import { fakeNamespace } from "../support/FakeNamespace.js"
import { PlatformTest } from "../support/Sdk.js"
import { fakeCtx } from "../support/TestApp.js"

/** An ExecutionContext that keeps what it is asked to wait for. */
const recordingCtx = () => {
  const waited: Array<Promise<unknown>> = []
  const ctx = fakeCtx((promise) => void waited.push(promise))
  return { ctx, waited }
}

describe("RequestLog.deferredTo", () => {
  it("prints the request line after the answer, and hands the pending print to waitUntil", async () => {
    const printed: Array<readonly [string, string]> = []
    const env = { CoderAgent: fakeNamespace().namespace }
    const handler = makeHandler(
      PlatformTest,
      env,
      RequestLog.deferredTo((level: LogLevel.LogLevel, line) => void printed.push([level.label, line]))
    )
    const { ctx, waited } = recordingCtx()
    const response = await handler(new Request("http://router.test/agents/coderagent/a"), env, ctx)
    expect(response.status).toBe(200)
    expect(printed).toEqual([])
    expect(waited).toHaveLength(1)
    await Promise.all(waited)
    expect(printed).toHaveLength(1)
    const [level, line] = printed[0] ?? ["", ""]
    expect(level).toBe("INFO")
    expect(JSON.parse(line)).toMatchObject({ event: "request.completed", status: 200, agent: "CoderAgent" })
  })

  it("prints the lines of requests answered in the same turn together, each once", async () => {
    const printed: Array<string> = []
    const env = { CoderAgent: fakeNamespace().namespace }
    const handler = makeHandler(PlatformTest, env, RequestLog.deferredTo((_level, line) => void printed.push(line)))
    const { ctx, waited } = recordingCtx()
    await Promise.all(
      ["coderagent/a", "coderagent/b", "nobody/x"].map((name) => handler(new Request(`http://router.test/agents/${name}`), env, ctx))
    )
    await Promise.all(waited)
    expect(printed.map((line) => JSON.parse(line).status).sort()).toEqual([200, 200, 404].sort())
    // One pending write for the three: they were answered before its timer fired.
    expect(waited).toHaveLength(3)
    expect(new Set(waited).size).toBe(1)
  })
})
