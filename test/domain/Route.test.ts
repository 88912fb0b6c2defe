import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc, Option } from "effect"
import { makeCatalog, parseDeclarations } from "../../src/domain/AgentCatalog.js"
import {
  checkSubAgents,
  encodePathSegment,
  MAX_INSTANCE_BYTES,
  normalizePrefix,
  parseAgentPath,
  plainName,
  validateName
} from "../../src/domain/Route.js"
import { camelCaseToKebabCase } from "../support/Sdk.js"

const known = ["coder-agent"]
const ruleOf = (raw: string | undefined) =>
  Either.match(validateName("CoderAgent", Option.fromNullable(raw)), {
    onLeft: (e) => e.rule,
    onRight: ({ name }) => `ok:${name}`
  })

describe("parseAgentPath", () => {
  it("splits agent, instance and rest", () => {
    expect(parseAgentPath("/agents/coder-agent/default/sub/path", "agents", known)).toEqual(
      Either.right({ agentSegment: "coder-agent", rawInstance: Option.some("default"), rest: "/sub/path" })
    )
    expect(parseAgentPath("/agents/CoderAgent/x", "agents", known)).toEqual(
      Either.right({ agentSegment: "CoderAgent", rawInstance: Option.some("x"), rest: "" })
    )
  })

  it("distinguishes a missing instance from an empty one", () => {
    expect(parseAgentPath("/agents/coder-agent", "agents", known)).toEqual(
      Either.right({ agentSegment: "coder-agent", rawInstance: Option.none(), rest: "" })
    )
    expect(parseAgentPath("/agents/coder-agent/", "agents", known)).toEqual(
      Either.right({ agentSegment: "coder-agent", rawInstance: Option.some(""), rest: "" })
    )
  })

  it("honours a multi-segment prefix", () => {
    expect(Either.isRight(parseAgentPath("/api/v1/coder-agent/a", "api/v1", known))).toBe(true)
    expect(Either.isLeft(parseAgentPath("/agents/coder-agent/a", "api/v1", known))).toBe(true)
  })

  it("reports paths outside the prefix as RouteNotFound listing the known agents", () => {
    for (const path of ["/", "/favicon.ico", "/agents", "/agents/", "/agentsx/coder-agent/a", "/AGENTS/coder-agent/a"]) {
      const result = parseAgentPath(path, "agents", known)
      expect(result).toEqual(Either.left(expect.objectContaining({ _tag: "RouteNotFound", path, known })))
    }
  })
})

describe("validateName", () => {
  it("accepts ordinary names, decodes percent-encoding exactly once and normalizes to NFC", () => {
    expect(ruleOf("default")).toBe("ok:default")
    expect(ruleOf("caf%C3%A9")).toBe("ok:café")
    expect(ruleOf("a%2520b")).toBe("ok:a%20b")
    expect(ruleOf("user%40example.com")).toBe("ok:user@example.com")
    // NFD (e + combining acute) and NFC are one name.
    expect(ruleOf("cafe%CC%81")).toBe("ok:café")
  })

  it("names the rule each bad instance breaks", () => {
    expect(ruleOf(undefined)).toBe("instance_missing")
    expect(ruleOf("")).toBe("instance_empty")
    expect(ruleOf("%")).toBe("malformed_percent_encoding")
    expect(ruleOf("%C3")).toBe("malformed_percent_encoding")
    expect(ruleOf("%00")).toBe("instance_control_characters")
    expect(ruleOf("a%0Ab")).toBe("instance_control_characters")
    expect(ruleOf("a%7Fb")).toBe("instance_control_characters")
    expect(ruleOf("a%C2%85b")).toBe("instance_control_characters")
    expect(ruleOf(".")).toBe("instance_dot_segment")
    expect(ruleOf("%2E%2E")).toBe("instance_dot_segment")
    expect(ruleOf("a%2Fb")).toBe("instance_contains_slash")
    expect(ruleOf("a%5Cb")).toBe("instance_contains_slash")
    expect(ruleOf("sub")).toBe("instance_reserved")
  })

  it("refuses look-alike names: zero-width characters, bidi controls, a BOM, soft hyphens", () => {
    for (const raw of ["ali%E2%80%8Bce", "alice%E2%80%8D", "%E2%80%AEecila", "%EF%BB%BFalice", "ali%C2%ADce", "a%E2%81%A6b"]) {
      expect(ruleOf(raw), raw).toBe("instance_invisible_characters")
    }
  })

  it("limits names to 1,024 bytes as the Durable Object is named (percent-encoded)", () => {
    expect(ruleOf("a".repeat(MAX_INSTANCE_BYTES))).toBe(`ok:${"a".repeat(MAX_INSTANCE_BYTES)}`)
    expect(ruleOf("a".repeat(MAX_INSTANCE_BYTES + 1))).toBe("instance_too_long")
    // é is %C3%A9 in the name the agent gets: 170 fit (1,020 bytes), 171 (1,026) made the agent throw.
    expect(ruleOf("%C3%A9".repeat(170)).startsWith("ok:")).toBe(true)
    expect(ruleOf("%C3%A9".repeat(171))).toBe("instance_too_long")
  })

  it("encodes names the way the URL standard encodes a path segment: @ : + = , stay as they are", () => {
    const segmentOf = (raw: string) =>
      Either.getOrThrow(Either.map(validateName("CoderAgent", Option.some(raw)), (v) => v.segment))
    expect(segmentOf("alice@example.com")).toBe("alice@example.com")
    expect(segmentOf("alice%40example.com")).toBe("alice@example.com")
    expect(segmentOf("alice:proj1")).toBe("alice:proj1")
    expect(segmentOf("a+b")).toBe("a+b")
    expect(segmentOf("x=1,y")).toBe("x=1,y")
    expect(segmentOf("caf%c3%a9")).toBe("caf%C3%A9")
    expect(segmentOf("50%25")).toBe("50%25")
    expect(segmentOf("a%20b%22%3C%3E%60%7B%7D")).toBe("a%20b%22%3C%3E%60%7B%7D")
  })

  it.prop(
    "the canonical segment is what new URL() (and so AgentClient) makes of the name",
    [fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 })],
    ([written]) => {
      // Characters a raw URL cannot carry in a path segment are left out: they split or end the path.
      const name = written.normalize("NFC").replace(/[/\\?#%]/g, "")
      const result = validateName("CoderAgent", Option.some(encodeURIComponent(name)))
      if (Either.isRight(result)) {
        const viaUrl = new URL(`http://h/agents/coder-agent/${name}/x`).pathname.split("/")[3]
        expect(result.right.segment).toBe(viaUrl)
        expect(decodeURIComponent(result.right.segment)).toBe(name)
      }
    }
  )
})

describe("plainName, validateName's shortcut for plain segments", () => {
  // The full check alone: an `encode` that is not `encodePathSegment` itself turns the shortcut off.
  const fullCheck = (raw: string) => validateName("CoderAgent", Option.some(raw), (name) => encodePathSegment(name))

  it.prop(
    "answers exactly what the full check answers, whenever it answers",
    [
      fc.oneof(
        fc.stringMatching(/^[A-Za-z0-9._~!$&'()*+,;=:@%/\\ -]{0,30}$/),
        fc.constantFrom(".", "..", "sub", "a".repeat(1024), "a".repeat(1025), "%41", "a/b", "caf%C3%A9"),
        fc.string({ unit: "binary", maxLength: 20 })
      )
    ],
    ([raw]) => {
      const plain = plainName(raw)
      if (plain !== undefined) expect(Either.right(plain)).toEqual(fullCheck(raw))
      expect(validateName("CoderAgent", Option.some(raw))).toEqual(fullCheck(raw))
    }
  )

  it("takes the common names and leaves the rest to the full check", () => {
    expect(plainName("default")).toEqual({ name: "default", segment: "default" })
    expect(plainName("alice@example.com")).toEqual({ name: "alice@example.com", segment: "alice@example.com" })
    for (const raw of [".", "..", "sub", "a%2Fb", "caf%C3%A9", "a b", "a".repeat(1025)]) expect(plainName(raw), raw).toBeUndefined()
  })
})

describe("checkSubAgents", () => {
  const catalog = Either.getOrThrow(
    Either.flatMap(parseDeclarations("CoderAgent, Reviewer:REVIEW_BOT"), (d) => makeCatalog(d, camelCaseToKebabCase))
  )
  const check = (rest: string) => checkSubAgents(rest, `/agents/coder-agent/p${rest}`, catalog)

  it("leaves a rest without sub-agent steps as it is", () => {
    expect(check("")).toEqual(Either.right({ children: [], rest: "" }))
    expect(check("/get-messages")).toEqual(Either.right({ children: [], rest: "/get-messages" }))
    expect(check("/a/sub")).toEqual(Either.right({ children: [], rest: "/a/sub" }))
  })

  it("accepts declared classes in any spelling and rewrites them to the class's kebab-case, names canonical", () => {
    const checked = Either.getOrThrow(check("/sub/CODER_AGENT/caf%c3%a9/sub/reviewer/r%401/x"))
    expect(checked.rest).toBe("/sub/coder-agent/caf%C3%A9/sub/reviewer/r%401/x")
    expect(checked.children.map((c) => [c.agent.className, c.name])).toEqual([
      ["CoderAgent", "café"],
      ["Reviewer", "r@1"]
    ])
  })

  it("refuses an undeclared class and a name that breaks the instance rules", () => {
    expect(Either.getLeft(check("/sub/fault-agent/x"))).toEqual(Option.some(expect.objectContaining({ _tag: "RouteNotFound", agent: "fault-agent" })))
    expect(Either.getLeft(check("/sub/coder-agent/a%01b%0D%0A"))).toEqual(
      Option.some(expect.objectContaining({ _tag: "InvalidRoute", rule: "instance_control_characters" }))
    )
    expect(Either.getLeft(check("/sub/coder-agent/%E2%80%AEx"))).toEqual(
      Option.some(expect.objectContaining({ _tag: "InvalidRoute", rule: "instance_invisible_characters" }))
    )
    expect(Either.getLeft(check("/sub/coder-agent/sub/x"))).toEqual(Option.some(expect.objectContaining({ rule: "instance_reserved" })))
  })

  it("a child name may hold an encoded slash (the SDK decodes child segments one by one); a backslash stays refused", () => {
    const checked = Either.getOrThrow(check("/sub/coder-agent/outer%2Fwith%20space"))
    expect(checked.children.map((c) => c.name)).toEqual(["outer/with space"])
    expect(checked.rest).toBe("/sub/coder-agent/outer%2Fwith%20space")
    expect(Either.getLeft(check("/sub/coder-agent/a%5Cb"))).toEqual(Option.some(expect.objectContaining({ rule: "instance_contains_slash" })))
  })
})

describe("normalizePrefix", () => {
  it("trims slashes", () => {
    expect(normalizePrefix("/agents/")).toBe("agents")
    expect(normalizePrefix("api/v1")).toBe("api/v1")
  })
})
