/**
 * Upgrading an instance stored by the CoderAgent before issue 14 (its own `coder_messages` table): the old
 * conversation joins the SDK's history once, in order, and `get-messages` serves it.
 * LegacyCoderAgent (test/e2e/fixtures) starts from exactly that storage.
 */
import { resolve } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { eventsIn, waitFor } from "./support/output.js"
import { connect, opened } from "./support/wsClient.js"
import { startWranglerDev, type LocalWorker } from "./support/wranglerDev.js"

let worker: LocalWorker

beforeAll(async () => {
  worker = await startWranglerDev({ config: resolve(import.meta.dirname, "fixtures/wrangler.faults.toml") })
})

afterAll(async () => {
  await worker?.stop()
})

type Stored = { id: string; role: string; parts: Array<{ text?: string }>; metadata?: unknown }
const stored = async (instance: string) =>
  (await (await fetch(`${worker.origin}/agents/legacy-coder-agent/${instance}/get-messages`)).json()) as Array<Stored>

describe("an instance stored before CoderAgent was an AIChatAgent", () => {
  it("keeps its conversation: the old messages become the SDK's history once, and the old table goes", async () => {
    const first = await stored("old-1")
    expect(first.map((m) => [m.id, m.role, m.parts[0]?.text])).toEqual([
      ["legacy-1", "user", "remember the old days"],
      ["legacy-2", "assistant", "You said: remember the old days"]
    ])
    expect(first[0]?.metadata).toEqual({ legacyId: "m1", at: "2026-11-01T10:00:00.000Z" })
    const adopted = await waitFor(
      () => eventsIn(worker.lines, "agent.history_adopted").filter((e) => e["instance"] === "old-1"),
      (lines) => lines.length > 0
    )
    expect(adopted).toMatchObject([{ agent: "CoderAgent", messages: 2 }])
    const socket = opened(await connect(`${worker.wsOrigin}/agents/legacy-coder-agent/old-1`))
    expect((await socket.next("cf_agent_state"))["state"]).toMatchObject({ messageCount: 2 })
    await socket.close()
    expect(await stored("old-1")).toEqual(first)
  })
})
