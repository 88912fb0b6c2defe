import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc, Option } from "effect"
import {
  aliasKey,
  lookupAgent,
  makeCatalog,
  parseDeclarations,
  publicNames,
  type AgentCatalog
} from "../../src/domain/AgentCatalog.js"
import { camelCaseToKebabCase } from "../support/Sdk.js"

const catalogOf = (spec: string): AgentCatalog =>
  Either.getOrThrow(Either.flatMap(parseDeclarations(spec), (d) => makeCatalog(d, camelCaseToKebabCase)))

describe("aliasKey", () => {
  it("collapses the spellings users write for CoderAgent", () => {
    for (const spelling of ["coderagent", "CoderAgent", "coder-agent", "coder_agent", "CODER_AGENT", "Coder-Agent"]) {
      expect(aliasKey(spelling)).toBe("coderagent")
    }
  })
})

describe("makeCatalog", () => {
  it("names each agent by the SDK's kebab-case of its binding", () => {
    const catalog = catalogOf("CoderAgent, Reviewer:REVIEW_BOT")
    expect(catalog.agents.map((a) => a.urlName)).toEqual(["coder-agent", "review-bot"])
    // People see the class's name, never the binding's.
    expect(publicNames(catalog)).toEqual(["coder-agent", "reviewer"])
    expect(catalog.agents[1]).toMatchObject({ className: "Reviewer", binding: "REVIEW_BOT" })
  })

  it("answers every alias of a declared agent, and nothing else", () => {
    const catalog = catalogOf("CoderAgent")
    for (const spelling of ["coderagent", "CoderAgent", "coder-agent", "coder_agent"]) {
      expect(Option.map(lookupAgent(catalog, spelling), (a) => a.binding)).toEqual(Option.some("CoderAgent"))
    }
    expect(lookupAgent(catalog, "coder")).toEqual(Option.none())
    expect(lookupAgent(catalog, "coder-agents")).toEqual(Option.none())
  })

  it("refuses two agents that collide on an alias instead of picking one", () => {
    const result = makeCatalog(
      [
        { className: "CoderAgent", binding: "CoderAgent" },
        { className: "Coder_Agent", binding: "Coder_Agent" }
      ],
      camelCaseToKebabCase
    )
    expect(Either.isLeft(result)).toBe(true)
    if (Either.isLeft(result)) {
      expect(result.left._tag).toBe("AliasCollision")
      expect(result.left.agents).toEqual(["CoderAgent", "Coder_Agent"])
      expect(result.left.message).toContain('"coderagent"')
    }
  })

  it.prop("every case, hyphen and underscore variant of a declared name resolves to it", [
    fc.array(fc.constantFrom("upper", "lower", "hyphen", "underscore", "keep"), { minLength: 10, maxLength: 10 })
  ], ([ops]) => {
    const catalog = catalogOf("CoderAgent")
    const spelled = [..."CoderAgent"].map((ch, i) => {
      const op = ops[i]
      const letter = op === "upper" ? ch.toUpperCase() : op === "lower" ? ch.toLowerCase() : ch
      return op === "hyphen" ? `-${letter}` : op === "underscore" ? `_${letter}` : letter
    })
    const found = lookupAgent(catalog, spelled.join(""))
    expect(Option.map(found, (a) => a.className)).toEqual(Option.some("CoderAgent"))
  })
})

describe("lookupAgent", () => {
  const catalog = catalogOf("CoderAgent, Reviewer:REVIEW_BOT, Coder2")
  it.prop("finds what the alias key alone finds, for listed spellings and any other segment", [
    fc.oneof(
      fc.constantFrom("CoderAgent", "coder-agent", "coder_agent", "coderagent", "REVIEW_BOT", "review-bot", "reviewer", "Reviewer", "coder2", "Coder2"),
      fc.string({ maxLength: 12 }),
      fc.stringMatching(/^[A-Za-z_-]{1,12}$/)
    )
  ], ([segment]) => {
    expect(lookupAgent(catalog, segment)).toEqual(Option.fromNullable(catalog.byAlias.get(aliasKey(segment))))
  })

  it("lists each agent's usual spellings, each with its own agent", () => {
    expect(catalog.bySpelling.get("coder-agent")?.className).toBe("CoderAgent")
    expect(catalog.bySpelling.get("REVIEW_BOT")?.className).toBe("Reviewer")
    expect(catalog.bySpelling.get("review-bot")?.className).toBe("Reviewer")
    for (const [spelling, agent] of catalog.bySpelling) expect(agent.aliasKeys).toContain(aliasKey(spelling))
  })
})

describe("parseDeclarations", () => {
  it("reads classes with optional bindings and ignores spaces", () => {
    expect(parseDeclarations(" CoderAgent , Other:OTHER ")).toEqual(
      Either.right([
        { className: "CoderAgent", binding: "CoderAgent" },
        { className: "Other", binding: "OTHER" }
      ])
    )
  })

  it("names the malformed entry", () => {
    expect(parseDeclarations("CoderAgent,,x")).toEqual(
      Either.left('AGENTS entry "" is not "ClassName" or "ClassName:BINDING"')
    )
    expect(Either.isLeft(parseDeclarations("Coder Agent"))).toBe(true)
    expect(Either.isLeft(parseDeclarations("CoderAgent:"))).toBe(true)
  })
})
