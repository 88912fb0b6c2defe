/**
 * Per-user authorization end to end in local workerd (`wrangler dev`, as `npm run dev`): HS256 user tokens,
 * RS256 tokens from a loopback JWKS with key rotation, real WebSockets and AgentClient with `query: { token }`,
 * and the Workers Rate Limiting binding reached in a bounded loop.
 */
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import * as jose from "jose"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { startModelServer, type ModelServer } from "./fixtures/modelServer.js"
import { chatRequest, turnOf } from "./support/chatFrames.js"
import { eventsIn, waitFor } from "./support/output.js"
import { coderClient } from "./support/sdkClient.js"
import { closeOf, connect, opened } from "./support/wsClient.js"
import { startWranglerDev, type LocalWorker } from "./support/wranglerDev.js"

const SECRET = "an-hs256-secret-of-at-least-32-characters"
const hs256 = (sub: string, exp: number | string = "1h", claims: Record<string, unknown> = {}) =>
  new jose.SignJWT({ sub, ...claims }).setProtectedHeader({ alg: "HS256" }).setExpirationTime(exp).sign(new TextEncoder().encode(SECRET))
/** An HS256 token with exactly these claims (no exp unless given). */
const raw = (claims: Record<string, unknown>) => new jose.SignJWT(claims).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(SECRET))

const rs1 = await jose.generateKeyPair("RS256")
const rs2 = await jose.generateKeyPair("RS256")
const jwk = async (pair: typeof rs1, kid: string) => ({ ...(await jose.exportJWK(pair.publicKey)), kid, alg: "RS256" })
const rs256 = (pair: typeof rs1, kid: string, sub: string) =>
  new jose.SignJWT({ sub }).setProtectedHeader({ alg: "RS256", kid }).setAudience("agents").setExpirationTime("1h").sign(pair.privateKey)

let published: Array<unknown> = []
let jwks: Server
let users: LocalWorker
let model: ModelServer
let keyed: LocalWorker

beforeAll(async () => {
  published = [await jwk(rs1, "k1")]
  model = await startModelServer()
  jwks = createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: published })))
  await new Promise<void>((resolve) => jwks.listen(0, "127.0.0.1", resolve))
  const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/certs`
  ;[users, keyed] = await Promise.all([
    startWranglerDev({ vars: { AUTH_JWT_SECRET: SECRET, MODEL_BASE_URL: model.baseUrl, MODEL_NAME: "fixture-model" } }),
    startWranglerDev({ vars: { AUTH_JWKS_URL: jwksUrl, AUTH_AUDIENCE: "agents", AUTH_JWKS_COOLDOWN_MS: "1" } })
  ])
})

afterAll(async () => {
  await Promise.all([users?.stop(), keyed?.stop(), model?.close()])
  await new Promise((resolve) => jwks?.close(resolve))
})

const json = (token?: string) => ({ accept: "application/json", ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) })

describe("users with HS256 tokens", () => {
  it("alice chats on alice:chat; her history is hers: get-messages needs her token, bob gets 403", async () => {
    const [alice, bob] = await Promise.all([hs256("alice"), hs256("bob")])
    const socket = opened(await connect(`${users.wsOrigin}/agents/coder-agent/alice:chat?token=${alice}`))
    socket.send(chatRequest("a1", "only for alice"))
    expect((await turnOf(socket, "a1")).text).toBe("You said: only for alice")
    await socket.close()
    const line = await waitFor(
      () => eventsIn(users.lines, "agent.chat_completed").filter((e) => e["chatRequestId"] === "a1"),
      (lines) => lines.length > 0
    )
    expect(line[0]).toMatchObject({ user: "alice", status: "completed", instance: "alice:chat" })
    // useAgentChat fetches get-messages from the agent URL, query (the token) included.
    const url = `${users.origin}/agents/coder-agent/alice:chat/get-messages`
    const mine = await fetch(`${url}?token=${alice}`)
    expect(mine.status).toBe(200)
    expect(((await mine.json()) as Array<{ role: string }>).map((m) => m.role)).toEqual(["user", "assistant"])
    expect((await fetch(url, { headers: json() })).status).toBe(401)
    const theirs = await fetch(url, { headers: json(bob) })
    expect(theirs.status).toBe(403)
    expect(await theirs.text()).not.toContain("only for alice")
  })


  it("alice connects to alice:proj1 over WebSocket and AgentClient (query token); the agent knows her", async () => {
    const token = await hs256("alice")
    const socket = opened(await connect(`${users.wsOrigin}/agents/coder-agent/alice:proj1?token=${token}`))
    expect(await socket.next("cf_agent_identity")).toMatchObject({ name: "alice:proj1" })
    const client = coderClient(users, "alice:proj1", { token })
    try {
      await client.ready
      const summary = await (await fetch(`${users.origin}/agents/coder-agent/alice:proj1`, { headers: json(token) })).json()
      expect(summary).toMatchObject({ instance: "alice:proj1", caller: "alice", connections: 2 })
    } finally {
      client.close()
      await socket.close()
    }
    const connected = await waitFor(
      () => eventsIn(users.lines, "agent.connected").filter((l) => l["instance"] === "alice:proj1"),
      (lines) => lines.length >= 2
    )
    expect(connected[0]).toMatchObject({ user: "alice" })
    expect(users.lines.join("\n")).not.toContain(token)
  })

  it("alice is refused on bob:proj1: 403 over HTTP, and her WebSocket is refused before any agent", async () => {
    const token = await hs256("alice")
    const response = await fetch(`${users.origin}/agents/coder-agent/bob:proj1`, { headers: json(token) })
    expect(response.status).toBe(403)
    expect(await response.json()).toMatchObject({ reason: "instance_forbidden" })
    expect(await closeOf(`${users.wsOrigin}/agents/coder-agent/bob:proj1?token=${token}`)).toMatchObject({
      code: 4403,
      reason: expect.stringMatching(/^instance_forbidden /)
    })
    const lines = await waitFor(
      () => users.completed().filter((l) => l["outcome"] === "Forbidden" && l["instance"] === "bob:proj1"),
      (found) => found.length >= 2
    )
    expect(lines[0]).toMatchObject({ user: "alice", instance: "bob:proj1", status: 403 })
  })

  it("an expired token gets 401 token_expired with the Bearer challenge", async () => {
    const response = await fetch(`${users.origin}/agents/coder-agent/alice`, { headers: json(await hs256("alice", Math.floor(Date.now() / 1000) - 3600)) })
    expect(response.status).toBe(401)
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="agents", error="invalid_token"')
    expect(await response.json()).toMatchObject({ reason: "token_expired" })
  })

  it("the agent is told the user byte for byte as checked: josé's connection, summary and log say josé", async () => {
    const token = await hs256("josé")
    const socket = opened(await connect(`${users.wsOrigin}/agents/coder-agent/jos%C3%A9:p?token=${token}`))
    await socket.next("cf_agent_identity")
    const summary = await (await fetch(`${users.origin}/agents/coder-agent/jos%C3%A9:p`, { headers: json(token) })).json()
    // The SDK names a top-level instance by its URL segment (README, URLs); the user is decoded.
    expect(summary).toMatchObject({ instance: "jos%C3%A9:p", caller: "josé" })
    await socket.close()
    const connected = await waitFor(
      () => eventsIn(users.lines, "agent.connected").filter((l) => l["instance"] === "jos%C3%A9:p"),
      (lines) => lines.length > 0
    )
    expect(connected[0]).toMatchObject({ user: "josé" })
  })

  it("claims that could pass for another user or break a header are 401 at the router, never a stack from the agent", async () => {
    const now = Math.floor(Date.now() / 1000)
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["token_user_invalid", await hs256("alice ")],
      ["token_user_invalid", await hs256(" alice")],
      ["token_user_invalid", await hs256("alice:x")],
      ["token_user_invalid", await hs256("al\r\nice", "1h", { scope: "agents:admin" })],
      ["token_user_invalid", await hs256("al\u0000ice", "1h", { scope: "agents:admin" })],
      ["token_user_invalid", await hs256("x".repeat(20_000), "1h", { scope: "agents:admin" })],
      ["token_user_invalid", await hs256("cafe\u0301")],
      ["token_no_expiry", await raw({ sub: "alice" })],
      ["token_lifetime_too_long", await raw({ sub: "alice", exp: 1e308 })],
      ["token_issued_in_future", await raw({ sub: "alice", iat: now + 3600, exp: now + 7200 })]
    ]
    for (const [reason, token] of cases) {
      const response = await fetch(`${users.origin}/agents/coder-agent/alice`, { headers: json(token) })
      expect(response.status, reason).toBe(401)
      expect(await response.json()).toMatchObject({ reason })
      // In the header: a 20 KB token in the query would make the URL too long (url_too_long) first.
      const closed = await closeOf(`${users.wsOrigin}/agents/coder-agent/alice`, { authorization: `Bearer ${token}` })
      expect(closed).toMatchObject({ code: 4401, reason: expect.stringMatching(new RegExp(`^${reason} `)) })
      expect(JSON.stringify(closed)).not.toMatch(/at [A-Za-z]+\.|Error:/)
    }
  })

  it("repeated failures from one address reach 429 with Retry-After (bounded: at most 40 tries)", async () => {
    let limited: Response | undefined
    for (let i = 0; i < 40 && limited === undefined; i++) {
      const response = await fetch(`${users.origin}/agents/coder-agent/alice`, { headers: json("wrong") })
      if (response.status === 429) limited = response
      else expect(response.status).toBe(401)
    }
    expect(limited?.headers.get("retry-after")).toBe("60")
    const line = await waitFor(
      () => users.completed().filter((l) => l["outcome"] === "RateLimited"),
      (found) => found.length > 0
    )
    expect(line[0]).toMatchObject({ status: 429, reason: "rate_limited", clientAddress: expect.any(String) })
  })
})

describe("users with RS256 tokens from a JWKS", () => {
  it("verifies by kid and follows a key rotation", async () => {
    const open = async (token: string) => fetch(`${keyed.origin}/agents/coder-agent/alice`, { headers: json(token) })
    expect((await open(await rs256(rs1, "k1", "alice"))).status).toBe(200)
    published = [await jwk(rs2, "k2")]
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect((await open(await rs256(rs2, "k2", "alice"))).status).toBe(200)
    const retired = await open(await rs256(rs1, "k1", "alice"))
    expect(retired.status).toBe(401)
    expect(await retired.json()).toMatchObject({ reason: "token_key_unknown" })
  })
})
