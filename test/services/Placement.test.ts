/**
 * Placement per agent (`AGENTS_JURISDICTION`, `AGENTS_LOCATION_HINT`): read with `Config`, handed to the
 * SDK's `routeAgentRequest`, which asks the namespace for the jurisdiction and the stub for the location
 * hint; shown in /_diagnostics; an unknown value stops the Worker naming the var.
 */
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect } from "effect"
import { appSettings } from "../../src/services/AppConfig.js"
import { varsNamedBy } from "../support/Settings.js"
import { request, send, testApp } from "../support/TestApp.js"

/** A namespace that records the jurisdiction and the get options the SDK asked for. */
const recordingNamespace = () => {
  const asked: Array<{ jurisdiction: string | null; locationHint: string | null }> = []
  const namespaceIn = (jurisdiction: string | null) => ({
    jurisdiction: (j: string) => namespaceIn(j),
    idFromName: (name: string) => ({ name }),
    get: (_id: unknown, options?: { locationHint?: string }) => ({
      fetch: async () => {
        asked.push({ jurisdiction, locationHint: options?.locationHint ?? null })
        return new Response("ok")
      }
    })
  })
  return { namespace: namespaceIn(null), asked }
}

describe("placement per agent", () => {
  layer(testApp({ AGENTS_JURISDICTION: "CoderAgent:eu", AGENTS_LOCATION_HINT: "CoderAgent:weur", DIAGNOSTICS: "true" }))((it) => {
    it.effect("the SDK is asked for the agent's jurisdiction and location hint; /_diagnostics shows them", () =>
      Effect.gen(function* () {
        const { asked, namespace } = recordingNamespace()
        const env = { CoderAgent: namespace }
        expect((yield* send(request("/agents/coderagent/a"), env)).status).toBe(200)
        expect(asked).toEqual([{ jurisdiction: "eu", locationHint: "weur" }])
        const diagnostics = yield* send(request("/_diagnostics"), env)
        const report: unknown = yield* Effect.promise(() => diagnostics.json())
        expect(report).toMatchObject({ agents: [{ className: "CoderAgent", placement: { jurisdiction: "eu", locationHint: "weur" } }] })
      })
    )
  })

  layer(testApp({}))((it) => {
    it.effect("without the vars the SDK gets neither: the platform's default", () =>
      Effect.gen(function* () {
        const { asked, namespace } = recordingNamespace()
        yield* send(request("/agents/coderagent/a"), { CoderAgent: namespace })
        expect(asked).toEqual([{ jurisdiction: null, locationHint: null }])
      })
    )
  })

  it("an unknown value, a malformed entry or a class named twice stops the Worker naming the var", async () => {
    const problems = (vars: Record<string, string>) => varsNamedBy(appSettings, vars)
    expect(await problems({ AGENTS_JURISDICTION: "CoderAgent:mars" })).toEqual(["AGENTS_JURISDICTION"])
    expect(await problems({ AGENTS_LOCATION_HINT: "CoderAgent" })).toEqual(["AGENTS_LOCATION_HINT"])
    expect(await problems({ AGENTS_LOCATION_HINT: "CoderAgent:weur,CoderAgent:enam" })).toEqual(["AGENTS_LOCATION_HINT"])
    expect(await problems({ AGENTS_PREFIX: "bad prefix" })).toEqual(["AGENTS_PREFIX"])
  })
})
