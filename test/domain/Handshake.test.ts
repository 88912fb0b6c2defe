import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { checkHandshake, type HandshakeInput, isUpgradeRequest } from "../../src/domain/Handshake.js"

const inputOf = (method: string, headers: Headers, hasBody: boolean): HandshakeInput => ({
  method,
  headers,
  hasBody,
  upgrade: isUpgradeRequest(headers)
})

const valid = {
  upgrade: "websocket",
  connection: "Upgrade",
  "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
  "sec-websocket-version": "13"
}

const OWN = "https://router.example"
const check = (headers: Record<string, string>, method = "GET", origins: ReadonlyArray<string> = [], hasBody = false) =>
  Either.match(checkHandshake(inputOf(method, new Headers(headers), hasBody), origins, { origin: OWN }), {
    onLeft: (e) => e.reason,
    onRight: (upgrade) => (upgrade ? "upgrade" : "http")
  })

const without = (name: keyof typeof valid) => {
  const { [name]: _removed, ...rest } = valid
  return rest
}

describe("checkHandshake", () => {
  it("lets plain HTTP through without applying upgrade rules", () => {
    expect(check({})).toBe("http")
    expect(check({ connection: "keep-alive" }, "POST")).toBe("http")
  })

  it("accepts a valid RFC 6455 handshake, in any header case and token order", () => {
    expect(check(valid)).toBe("upgrade")
    expect(check({ ...valid, upgrade: "WebSocket", connection: "keep-alive, Upgrade" })).toBe("upgrade")
  })

  it("refuses a method other than GET", () => {
    expect(check(valid, "POST")).toBe("method_not_get")
    // How workerd shows a POST upgrade: method rewritten to GET, body kept.
    expect(check(valid, "GET", [], true)).toBe("method_not_get")
  })

  it("refuses a Connection header without upgrade", () => {
    expect(check({ ...valid, connection: "keep-alive" })).toBe("connection_not_upgrade")
    expect(check(without("connection"))).toBe("connection_not_upgrade")
  })

  it("refuses a missing or malformed key", () => {
    expect(check(without("sec-websocket-key"))).toBe("missing_key")
    expect(check({ ...valid, "sec-websocket-key": " " })).toBe("missing_key")
    expect(check({ ...valid, "sec-websocket-key": "not-base64" })).toBe("invalid_key")
    // Base64 of 15 and 17 bytes.
    expect(check({ ...valid, "sec-websocket-key": "AAAAAAAAAAAAAAAAAAAA" })).toBe("invalid_key")
    expect(check({ ...valid, "sec-websocket-key": "AAAAAAAAAAAAAAAAAAAAAAA=" })).toBe("invalid_key")
    // 22 characters whose last one carries bits past 16 bytes.
    expect(check({ ...valid, "sec-websocket-key": "AAAAAAAAAAAAAAAAAAAAAB==" })).toBe("invalid_key")
  })

  it("refuses versions other than 13", () => {
    expect(check({ ...valid, "sec-websocket-version": "8" })).toBe("unsupported_version")
    expect(check(without("sec-websocket-version"))).toBe("unsupported_version")
  })

  it("applies the origin allow-list only when one is configured", () => {
    const allowed = ["https://app.example"]
    expect(check({ ...valid, origin: "https://evil.example" })).toBe("upgrade")
    expect(check({ ...valid, origin: "https://evil.example" }, "GET", allowed)).toBe("origin_not_allowed")
    expect(check({ ...valid, origin: "https://app.example" }, "GET", allowed)).toBe("upgrade")
    // The Worker's own origin (its connection page) is always allowed.
    expect(check({ ...valid, origin: OWN }, "GET", allowed)).toBe("upgrade")
    expect(check(valid, "GET", allowed)).toBe("upgrade")
  })

  it("checks the rules in a fixed order", () => {
    expect(check({ upgrade: "websocket" }, "POST")).toBe("method_not_get")
    expect(check({ upgrade: "websocket", connection: "upgrade", "sec-websocket-version": "8" })).toBe("missing_key")
  })
})
