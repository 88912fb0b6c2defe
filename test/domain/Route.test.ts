import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc, Option } from "effect"
import { canonicalPath, MAX_INSTANCE_BYTES, normalizePrefix, parseAgentPath, validateInstance } from "../../src/domain/Route.js"

const known = ["coder-agent"]
const ruleOf = (raw: string | undefined) =>
  Either.match(validateInstance("CoderAgent", Option.fromNullable(raw)), {
    onLeft: (e) => e.rule,
    onRight: (name) => `ok:${name}`
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

describe("validateInstance", () => {
  it("accepts ordinary names and decodes percent-encoding exactly once", () => {
    expect(ruleOf("default")).toBe("ok:default")
    expect(ruleOf("caf%C3%A9")).toBe("ok:café")
    expect(ruleOf("a%2520b")).toBe("ok:a%20b")
    expect(ruleOf("user%40example.com")).toBe("ok:user@example.com")
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
  })

  it("limits names to 1,024 bytes after decoding", () => {
    expect(ruleOf("a".repeat(MAX_INSTANCE_BYTES))).toBe(`ok:${"a".repeat(MAX_INSTANCE_BYTES)}`)
    expect(ruleOf("a".repeat(MAX_INSTANCE_BYTES + 1))).toBe("instance_too_long")
    // 512 two-byte characters fit, one more does not.
    expect(ruleOf("%C3%A9".repeat(512)).startsWith("ok:")).toBe(true)
    expect(ruleOf("%C3%A9".repeat(513))).toBe("instance_too_long")
  })

  it.prop("a valid name survives the canonical URL unchanged", [fc.string({ unit: "grapheme", minLength: 1, maxLength: 64 })], ([name]) => {
    const result = validateInstance("CoderAgent", Option.some(encodeURIComponent(name)))
    if (Either.isRight(result)) {
      const path = canonicalPath("agents", "coder-agent", result.right, "")
      const segment = new URL(`http://h${path}`).pathname.split("/")[3] ?? ""
      expect(decodeURIComponent(segment)).toBe(name)
    }
  })
})

describe("normalizePrefix", () => {
  it("trims slashes", () => {
    expect(normalizePrefix("/agents/")).toBe("agents")
    expect(normalizePrefix("api/v1")).toBe("api/v1")
  })
})
