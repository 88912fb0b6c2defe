/** Which exports are agents, and the names the SDK will read from them (see `nameAgentClasses`). */
// In Node tests `agents` is test/support/agentsEntryForNode.ts, whose `Agent` stands in for the SDK's.
import { Agent } from "agents"
import { describe, expect, it } from "vitest"
import { agentClassNames, nameAgentClasses } from "../../src/agents/AgentClasses.js"

// What minification leaves: classes whose `name` is not their export's.
const minifiedAgent = class extends Agent<Record<string, unknown>> {}
const minifiedHelper = class {}
Object.defineProperty(minifiedAgent, "name", { value: "e" })
Object.defineProperty(minifiedHelper, "name", { value: "t" })

describe("the entry's agent classes", () => {
  it("are the exported Agent subclasses, never the default export or other values", () => {
    const exports = { CoderAgent: minifiedAgent, Helper: minifiedHelper, handler: () => undefined, default: { fetch: () => undefined } }
    expect(agentClassNames(exports)).toEqual(["CoderAgent"])
  })

  it("each get their export name as `name`; nothing else is touched", () => {
    class Named extends Agent<Record<string, unknown>> {}
    const exports = { CoderAgent: minifiedAgent, Named, Helper: minifiedHelper }
    nameAgentClasses(exports)
    expect(minifiedAgent.name).toBe("CoderAgent")
    expect(Named.name).toBe("Named")
    expect(minifiedHelper.name).toBe("t")
    // Instances read it through `constructor.name`, as the SDK does.
    expect(Reflect.get(minifiedAgent.prototype, "constructor").name).toBe("CoderAgent")
  })
})
