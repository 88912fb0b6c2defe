/**
 * Per-user authorization through the production pipeline: user tokens (JWTs, minted here with `jose`) with
 * an HS256 secret and with RS256 keys from a loopback JWKS, instance ownership, every refusal, the shared
 * service token, and the failed-authentication rate limit.
 */
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, FastCheck as fc, Schema } from "effect"
import * as jose from "jose"
import { userFromHeader } from "../../src/domain/Headers.js"
import { RequestCompleted } from "../../src/domain/LogEvent.js"
import { appSettings } from "../../src/services/AppConfig.js"
import { varsNamedBy } from "../support/Settings.js"
import { fakeNamespace } from "../support/FakeNamespace.js"
import { request, send, testApp } from "../support/TestApp.js"

const decodeLine = Schema.decodeUnknownSync(Schema.parseJson(RequestCompleted))
const SECRET = "an-hs256-secret-of-at-least-32-characters"
const ISSUER = "https://idp.example"
const AUDIENCE = "agents"
const now = () => Math.floor(Date.now() / 1000)

interface Mint {
  readonly claims?: Record<string, unknown>
  readonly exp?: number
  readonly nbf?: number
  readonly iss?: string
  readonly aud?: string
}

/** An HS256 token for `sub`, valid for an hour unless told otherwise. */
const hs256 = (sub: string | undefined, mint: Mint = {}, key: Uint8Array = new TextEncoder().encode(SECRET)) =>
  Effect.promise(() => {
    let jwt = new jose.SignJWT({ ...(sub === undefined ? {} : { sub }), ...mint.claims })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuedAt()
      .setIssuer(mint.iss ?? ISSUER)
      .setAudience(mint.aud ?? AUDIENCE)
      .setExpirationTime(mint.exp ?? now() + 3600)
    if (mint.nbf !== undefined) jwt = jwt.setNotBefore(mint.nbf)
    return jwt.sign(key)
  })

/** The Workers Rate Limiting binding as wrangler.toml configures AUTH_FAILURES (30 per key per period), counting. */
const fakeAuthFailures = () => {
  const counts = new Map<string, number>()
  const AUTH_FAILURES = {
    limit: async ({ key }: { key: string }) => {
      counts.set(key, (counts.get(key) ?? 0) + 1)
      return { success: (counts.get(key) ?? 0) <= 30 }
    }
  }
  return { AUTH_FAILURES, counts }
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}`, accept: "application/json" })
const reasonOf = (response: Response) => Effect.promise(async () => (JSON.parse(await response.text()) as { reason: string }).reason)

describe("user tokens signed with AUTH_JWT_SECRET", () => {
  layer(testApp({ AUTH_JWT_SECRET: SECRET, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE }))((it) => {
    it.effect("alice opens alice:proj1; the agent learns who she is and never sees her token; the log names her", () =>
      Effect.gen(function* () {
        const { namespace, deliveries } = fakeNamespace()
        const token = yield* hs256("alice")
        const logs: Array<string> = []
        const response = yield* send(request("/agents/coder-agent/alice:proj1", { headers: bearer(token) }), { CoderAgent: namespace }, logs)
        expect(response.status).toBe(200)
        const received = deliveries[0]?.request
        expect(received?.headers.get("x-agents-router-user")).toBe("alice")
        expect(received?.headers.get("authorization")).toBeNull()
        expect(decodeLine(logs[0])).toMatchObject({ outcome: "routed", user: "alice", instance: "alice:proj1" })
        expect(logs.join("\n")).not.toContain(token)
      })
    )

    it.effect("alice is refused on bob:proj1 with 403 instance_forbidden, no Durable Object touched", () =>
      Effect.gen(function* () {
        const { namespace, deliveries } = fakeNamespace()
        const logs: Array<string> = []
        const response = yield* send(request("/agents/coder-agent/bob:proj1", { headers: bearer(yield* hs256("alice")) }), { CoderAgent: namespace }, logs)
        expect(response.status).toBe(403)
        expect(yield* reasonOf(response)).toBe("instance_forbidden")
        expect(deliveries).toEqual([])
        expect(decodeLine(logs[0])).toMatchObject({ outcome: "Forbidden", user: "alice", instance: "bob:proj1" })
      })
    )

    it.effect("?token= works for browsers and is removed before forwarding; sub-agents inherit the parent's owner", () =>
      Effect.gen(function* () {
        const { namespace, deliveries } = fakeNamespace()
        const token = yield* hs256("alice")
        const env = { CoderAgent: namespace }
        expect((yield* send(request(`/agents/coder-agent/alice?token=${token}&_pk=1`), env)).status).toBe(200)
        expect(deliveries[0]?.request.url).toBe("http://router.test/agents/coder-agent/alice?_pk=1")
        expect((yield* send(request(`/agents/coder-agent/alice:p/sub/coder-agent/anything?token=${token}`), env)).status).toBe(200)
        expect((yield* send(request(`/agents/coder-agent/bob:p/sub/coder-agent/alice?token=${token}`), env)).status).toBe(403)
      })
    )

    it.effect("a token with scope agents:admin opens any instance", () =>
      Effect.gen(function* () {
        const { namespace } = fakeNamespace()
        const admin = yield* hs256("ops", { claims: { scope: "read agents:admin" } })
        expect((yield* send(request("/agents/coder-agent/bob:proj1", { headers: bearer(admin) }), { CoderAgent: namespace })).status).toBe(200)
      })
    )

    it.effect("each refusal is 401 with its reason and the Bearer challenge; no Durable Object is touched", () =>
      Effect.gen(function* () {
        const { namespace, deliveries } = fakeNamespace()
        const env = { CoderAgent: namespace }
        const good = yield* hs256("alice")
        const [header, payload, signature] = good.split(".")
        const forged = `${header}.${Buffer.from(JSON.stringify({ sub: "bob", iss: ISSUER, aud: AUDIENCE, exp: now() + 3600 })).toString("base64url")}.${signature}`
        const cases: ReadonlyArray<readonly [string, string | undefined]> = [
          ["missing_credentials", undefined],
          ["token_malformed", "not-a-jwt"],
          ["token_malformed", `${header}.${payload}`],
          ["token_expired", yield* hs256("alice", { exp: now() - 3600 })],
          ["token_not_yet_valid", yield* hs256("alice", { nbf: now() + 3600 })],
          ["token_wrong_issuer", yield* hs256("alice", { iss: "https://evil.example" })],
          ["token_wrong_audience", yield* hs256("alice", { aud: "other" })],
          ["token_unsigned", new jose.UnsecuredJWT({ sub: "alice", iss: ISSUER, aud: AUDIENCE }).setExpirationTime("1h").encode()],
          ["token_signature_invalid", forged],
          ["token_signature_invalid", yield* hs256("alice", {}, new TextEncoder().encode("another-secret-of-at-least-32-chars!!"))],
          ["token_claim_missing", yield* hs256(undefined)]
        ]
        for (const [reason, token] of cases) {
          const logs: Array<string> = []
          const headers: Record<string, string> = token === undefined ? { accept: "application/json" } : bearer(token)
          const response = yield* send(request("/agents/coder-agent/alice", { headers }), env, logs)
          expect(response.status, reason).toBe(401)
          expect(yield* reasonOf(response), String(token)).toBe(reason)
          expect(response.headers.get("www-authenticate")).toBe(
            reason === "missing_credentials" ? 'Bearer realm="agents"' : 'Bearer realm="agents", error="invalid_token"'
          )
          if (token !== undefined) expect(logs.join("\n")).not.toContain(token)
        }
        expect(deliveries).toEqual([])
      })
    )

    it.effect("a token within the clock-skew tolerance (30 s) still passes", () =>
      Effect.gen(function* () {
        const { namespace } = fakeNamespace()
        const justExpired = yield* hs256("alice", { exp: now() - 5 })
        expect((yield* send(request("/agents/coder-agent/alice", { headers: bearer(justExpired) }), { CoderAgent: namespace })).status).toBe(200)
      })
    )

    it.effect.prop(
      "for generated claims, the answer is the one the rules give: 200, 401 with its reason, or 403",
      [
        fc.stringMatching(/^[a-z]{1,6}$/),
        fc.constantFrom("own", "own:project", "other", "other:own", "own-suffix"),
        fc.integer({ min: -7200, max: 7200 }),
        fc.option(fc.integer({ min: -7200, max: 7200 }), { nil: undefined }),
        fc.constantFrom(ISSUER, "https://evil.example"),
        fc.constantFrom(AUDIENCE, "other"),
        fc.boolean()
      ],
      ([sub, shape, expIn, nbfIn, iss, aud, admin]) =>
        Effect.gen(function* () {
          const { namespace, deliveries } = fakeNamespace()
          const instance = shape.replace("own", sub)
          const token = yield* hs256(sub, {
            exp: now() + expIn,
            ...(nbfIn === undefined ? {} : { nbf: now() + nbfIn }),
            iss,
            aud,
            claims: admin ? { scope: "agents:admin" } : {}
          })
          const response = yield* send(request(`/agents/coder-agent/${instance}`, { headers: bearer(token) }), { CoderAgent: namespace })
          // The model: jose checks iss, aud, then nbf and exp (30 s skew each way); then ownership.
          const skew = 30
          const expected =
            iss !== ISSUER
              ? "token_wrong_issuer"
              : aud !== AUDIENCE
                ? "token_wrong_audience"
                : nbfIn !== undefined && nbfIn > skew
                  ? "token_not_yet_valid"
                  : expIn <= -skew
                    ? "token_expired"
                    : admin || instance === sub || instance.startsWith(`${sub}:`)
                      ? "ok"
                      : "instance_forbidden"
          // Within a second of a boundary the clock may tick between minting and checking.
          fc.pre(Math.abs(expIn + skew) > 2 && (nbfIn === undefined || Math.abs(nbfIn - skew) > 2))
          if (expected === "ok") {
            expect(response.status).toBe(200)
            expect(deliveries).toHaveLength(1)
          } else {
            expect(response.status).toBe(expected === "instance_forbidden" ? 403 : 401)
            expect(yield* reasonOf(response)).toBe(expected)
            expect(deliveries).toEqual([])
          }
        }),
      { fastCheck: { numRuns: 300 } }
    )
  })
})

describe("generated broken tokens", () => {
  layer(testApp({ AUTH_JWT_SECRET: SECRET, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE }))((it) => {
    /** A way to break a valid token, and the reason the router must name for it. */
    const breakages = {
      tampered: "token_signature_invalid",
      wrongKey: "token_signature_invalid",
      unsigned: "token_unsigned",
      truncated: "token_malformed",
      garbage: "token_malformed",
      noSubject: "token_claim_missing"
    } as const
    it.effect.prop(
      "each way of breaking a token is 401 with its own reason, and no Durable Object is touched",
      [fc.constantFrom(...(Object.keys(breakages) as Array<keyof typeof breakages>)), fc.stringMatching(/^[a-z]{1,8}$/), fc.string({ maxLength: 30 })],
      ([breakage, sub, noise]) =>
        Effect.gen(function* () {
          const { namespace, deliveries } = fakeNamespace()
          const valid = yield* hs256(sub)
          const [header, payload] = valid.split(".")
          const token =
            breakage === "tampered"
              ? `${header}.${Buffer.from(JSON.stringify({ sub: `${sub}x`, iss: ISSUER, aud: AUDIENCE, exp: now() + 60 })).toString("base64url")}.${valid.split(".")[2]}`
              : breakage === "wrongKey"
                ? yield* hs256(sub, {}, new TextEncoder().encode(`${SECRET}-but-another-one`))
                : breakage === "unsigned"
                  ? new jose.UnsecuredJWT({ sub, iss: ISSUER, aud: AUDIENCE }).setExpirationTime("1h").encode()
                  : breakage === "truncated"
                    ? `${header}.${payload}`
                    : breakage === "garbage"
                      ? `x${Buffer.from(noise).toString("base64url")}`
                      : yield* hs256(undefined)
          const response = yield* send(request(`/agents/coder-agent/${sub}`, { headers: bearer(token) }), { CoderAgent: namespace })
          expect(response.status).toBe(401)
          expect(yield* reasonOf(response)).toBe(breakages[breakage])
          expect(deliveries).toEqual([])
        }),
      { fastCheck: { numRuns: 200 } }
    )
  })
})

describe("the shared AUTH_TOKEN beside user tokens", () => {
  const SERVICE = "a-service-to-service-token"
  layer(testApp({ AUTH_JWT_SECRET: SECRET, AUTH_TOKEN: SERVICE }))((it) => {
    it.effect("the service token opens any instance (no user named); users stay bound to theirs", () =>
      Effect.gen(function* () {
        const { namespace, deliveries } = fakeNamespace()
        const env = { CoderAgent: namespace }
        expect((yield* send(request("/agents/coder-agent/bob:proj1", { headers: bearer(SERVICE) }), env)).status).toBe(200)
        expect(deliveries[0]?.request.headers.get("x-agents-router-user")).toBeNull()
        expect((yield* send(request("/agents/coder-agent/bob:proj1", { headers: bearer(yield* hs256("alice", { iss: "x", aud: "y" })) }), env)).status).toBe(403)
      })
    )
  })
})

describe("failed authentications are rate-limited per client address", () => {
  layer(testApp({ AUTH_JWT_SECRET: SECRET }))((it) => {
    it.effect("past the limit: 429 with Retry-After and the address in the log; a valid token still passes", () =>
      Effect.gen(function* () {
        const { AUTH_FAILURES } = fakeAuthFailures()
        const env = { CoderAgent: fakeNamespace().namespace, AUTH_FAILURES }
        const from = (address: string, headers: Record<string, string> = {}) =>
          request("/agents/coder-agent/alice", { headers: { "cf-connecting-ip": address, accept: "application/json", ...headers } })
        const statuses: Array<number> = []
        for (let i = 0; i < 30; i++) statuses.push((yield* send(from("192.0.2.7", bearer("wrong")), env)).status)
        expect(statuses.every((status) => status === 401)).toBe(true)
        const logs: Array<string> = []
        const limited = yield* send(from("192.0.2.7"), env, logs)
        expect(limited.status).toBe(429)
        expect(limited.headers.get("retry-after")).toBe("60")
        expect(decodeLine(logs[0])).toMatchObject({ outcome: "RateLimited", clientAddress: "192.0.2.7", reason: "rate_limited" })
        expect((yield* send(from("192.0.2.8"), env)).status).toBe(401)
        expect((yield* send(from("192.0.2.7", bearer(yield* hs256("alice"))), env)).status).toBe(200)
      })
    )
  })
})

// A loopback JWKS, as an identity provider (or a Cloudflare Access team) publishes it.
const rs1 = await jose.generateKeyPair("RS256", { extractable: true })
const rs2 = await jose.generateKeyPair("RS256", { extractable: true })
const jwkOf = async (pair: typeof rs1, kid: string) => ({ ...(await jose.exportJWK(pair.publicKey)), kid, alg: "RS256", use: "sig" })
let published = [await jwkOf(rs1, "k1")]
let serving = true
const jwksServer = createServer((_req, res) => {
  if (!serving) return void res.writeHead(503).end()
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: published }))
})
await new Promise<void>((resolve) => jwksServer.listen(0, "127.0.0.1", resolve))
const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/certs`

/** A real 5 ms wait (tests in `layer` run on the TestClock, where `Effect.sleep` would wait forever). */
const pause = Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 5)))

const rs256 = (pair: typeof rs1, kid: string, sub: string, aud = AUDIENCE) =>
  Effect.promise(() =>
    new jose.SignJWT({ sub }).setProtectedHeader({ alg: "RS256", kid }).setAudience(aud).setExpirationTime("1h").sign(pair.privateKey)
  )

describe("user tokens checked against AUTH_JWKS_URL", () => {
  layer(testApp({ AUTH_JWKS_URL: jwksUrl, AUTH_AUDIENCE: AUDIENCE, AUTH_JWKS_COOLDOWN_MS: "1" }))((it) => {
    it.effect("RS256 tokens verify by kid; keys rotate; HS256 with the public key is refused; Cf-Access-Jwt-Assertion works", () =>
      Effect.gen(function* () {
        const { namespace } = fakeNamespace()
        const env = { CoderAgent: namespace }
        const open = (headers: Record<string, string>) => send(request("/agents/coder-agent/alice", { headers }), env)
        expect((yield* open(bearer(yield* rs256(rs1, "k1", "alice")))).status).toBe(200)
        expect((yield* open({ "cf-access-jwt-assertion": yield* rs256(rs1, "k1", "alice") })).status).toBe(200)
        // Algorithm confusion: an HS256 token whose "secret" is the public key.
        const publicPem = new TextEncoder().encode(yield* Effect.promise(() => jose.exportSPKI(rs1.publicKey)))
        const confused = yield* Effect.promise(() =>
          new jose.SignJWT({ sub: "alice" }).setProtectedHeader({ alg: "HS256", kid: "k1" }).setAudience(AUDIENCE).setExpirationTime("1h").sign(publicPem)
        )
        const refused = yield* open(bearer(confused))
        expect([refused.status, yield* reasonOf(refused)]).toEqual([401, "token_algorithm_not_allowed"])
        // Rotation: the provider publishes k2 and retires k1.
        published = [yield* Effect.promise(() => jwkOf(rs2, "k2"))]
        yield* pause
        expect((yield* open(bearer(yield* rs256(rs2, "k2", "alice")))).status).toBe(200)
        const retired = yield* open(bearer(yield* rs256(rs1, "k1", "alice")))
        expect([retired.status, yield* reasonOf(retired)]).toEqual([401, "token_key_unknown"])
        // The provider down: tokens cannot be checked, 503 rather than a wrong 401.
        serving = false
        yield* pause
        const unknownKid = yield* open(bearer(yield* rs256(rs1, "k9", "alice")))
        expect([unknownKid.status, yield* reasonOf(unknownKid)]).toEqual([503, "auth_unavailable"])
        serving = true
      })
    )
  })
})

/** An HS256 token with exactly these claims (no defaults: no iat or exp unless given). */
const signed = (claims: Record<string, unknown>) =>
  Effect.promise(() => new jose.SignJWT(claims).setProtectedHeader({ alg: "HS256" }).sign(new TextEncoder().encode(SECRET)))

describe("token rules (RFC 8725, RFC 9068): expiry, issue time, lifetime, the user claim", () => {
  layer(testApp({ AUTH_JWT_SECRET: SECRET, AUTH_MAX_TOKEN_LIFETIME_S: "7200" }))((it) => {
    const reasonFor = (claims: Record<string, unknown>, instance = "alice") =>
      Effect.gen(function* () {
        const { namespace, deliveries } = fakeNamespace()
        const response = yield* send(request(`/agents/coder-agent/${encodeURIComponent(instance)}`, { headers: bearer(yield* signed(claims)) }), {
          CoderAgent: namespace
        })
        if (response.status !== 401) return `${response.status}`
        expect(deliveries).toEqual([])
        return yield* reasonOf(response)
      })

    it.effect("exp is required; a far exp, a long lifetime and a future iat are refused", () =>
      Effect.gen(function* () {
        expect(yield* reasonFor({ sub: "alice" })).toBe("token_no_expiry")
        expect(yield* reasonFor({ sub: "alice", exp: "soon" })).toBe("token_no_expiry")
        expect(yield* reasonFor({ sub: "alice", exp: 1e308 })).toBe("token_lifetime_too_long")
        expect(yield* reasonFor({ sub: "alice", iat: now(), exp: now() + 7201 })).toBe("token_lifetime_too_long")
        expect(yield* reasonFor({ sub: "alice", exp: now() + 7300 })).toBe("token_lifetime_too_long")
        expect(yield* reasonFor({ sub: "alice", iat: now() + 3600, exp: now() + 3700 })).toBe("token_issued_in_future")
        expect(yield* reasonFor({ sub: "alice", iat: now() + 10, exp: now() + 3600 })).toBe("200")
        expect(yield* reasonFor({ sub: "alice", iat: now(), exp: now() + 7200 })).toBe("200")
      })
    )

    it.effect("a user claim that could pass for another user, or break a header, is token_user_invalid", () =>
      Effect.gen(function* () {
        const exp = now() + 600
        for (const sub of ["alice ", " alice", "alice:x", "alice:", "a/b", "a\\b", "al\nice", "al\r\nice", "al\u0000ice", "al\u202eice", "al\u200bice", "x".repeat(257), "cafe\u0301"]) {
          expect(yield* reasonFor({ sub, exp }, "alice"), JSON.stringify(sub)).toBe("token_user_invalid")
        }
        expect(yield* reasonFor({ sub: "", exp })).toBe("token_claim_missing")
        expect(yield* reasonFor({ sub: 7, exp })).toBe("token_claim_missing")
        expect(yield* reasonFor({ sub: "x".repeat(256), exp }, "x".repeat(256))).toBe("200")
      })
    )

    it.effect("the agent is told the user byte for byte as checked (percent-encoded in the header)", () =>
      Effect.gen(function* () {
        const { namespace, deliveries } = fakeNamespace()
        for (const sub of ["josé", "alice@example.com", "50%off"]) {
          const response = yield* send(request(`/agents/coder-agent/${encodeURIComponent(sub)}`, { headers: bearer(yield* signed({ sub, exp: now() + 600 })) }), {
            CoderAgent: namespace
          })
          expect(response.status, sub).toBe(200)
          expect(userFromHeader(deliveries.at(-1)?.request.headers.get("x-agents-router-user") ?? null)).toBe(sub)
        }
        expect(deliveries[1]?.request.headers.get("x-agents-router-user")).toBe("alice@example.com")
      })
    )
  })
})

// Another loopback JWKS, standing for a Cloudflare Access team's.
const access = await jose.generateKeyPair("RS256", { extractable: true })
const accessJwk = { ...(await jose.exportJWK(access.publicKey)), kid: "a1", alg: "RS256" }
const accessJwks = createServer((_req, res) => void res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [accessJwk] })))
await new Promise<void>((resolve) => accessJwks.listen(0, "127.0.0.1", resolve))
const accessUrl = `http://127.0.0.1:${(accessJwks.address() as AddressInfo).port}/certs`

describe("Cloudflare Access beside a bearer token", () => {
  const url = accessUrl
  const assertion = (sub: string) =>
    Effect.promise(() => new jose.SignJWT({ sub }).setProtectedHeader({ alg: "RS256", kid: "a1" }).setAudience(AUDIENCE).setExpirationTime("1h").sign(access.privateKey))
  const SERVICE = "a-service-to-service-token"
  layer(testApp({ AUTH_JWKS_URL: url, AUTH_AUDIENCE: AUDIENCE, AUTH_TOKEN: SERVICE }))((it) => {
    it.effect("both must name the same user, or 401 token_conflict; the service token stands alone", () =>
      Effect.gen(function* () {
        const { namespace } = fakeNamespace()
        const open = (headers: Record<string, string>) =>
          Effect.flatMap(send(request("/agents/coder-agent/alice", { headers: { accept: "application/json", ...headers } }), { CoderAgent: namespace }), (r) =>
            r.status === 401 ? reasonOf(r) : Effect.succeed(`${r.status}`)
          )
        const alice = yield* assertion("alice")
        expect(yield* open({ "cf-access-jwt-assertion": alice, authorization: `Bearer ${yield* assertion("alice")}` })).toBe("200")
        expect(yield* open({ "cf-access-jwt-assertion": alice, authorization: `Bearer ${yield* assertion("bob")}` })).toBe("token_conflict")
        expect(yield* open({ "cf-access-jwt-assertion": alice, authorization: "Bearer unrelated" })).toBe("token_conflict")
        expect(yield* open({ "cf-access-jwt-assertion": "garbage", authorization: `Bearer ${yield* assertion("alice")}` })).toBe("token_conflict")
        expect(yield* open({ "cf-access-jwt-assertion": alice, authorization: `Bearer ${SERVICE}` })).toBe("200")
      })
    )
  })
})

describe("while an address is limited, guessing teaches nothing", () => {
  const SERVICE = "a-service-to-service-token"
  layer(testApp({ AUTH_JWT_SECRET: SECRET, AUTH_TOKEN: SERVICE }))((it) => {
    it.effect("the correct AUTH_TOKEN gets 429 like any guess; a token that verifies by signature still passes", () =>
      Effect.gen(function* () {
        const { AUTH_FAILURES, counts } = fakeAuthFailures()
        const env = { CoderAgent: fakeNamespace().namespace, AUTH_FAILURES }
        const from = (address: string, token: string) =>
          send(request("/agents/coder-agent/alice", { headers: { "cf-connecting-ip": address, ...bearer(token) } }), env)
        for (let i = 0; i < 31; i++) yield* from("192.0.2.9", `guess-${i}`)
        const compared = counts.get("192.0.2.9")
        expect((yield* from("192.0.2.9", SERVICE)).status).toBe(429)
        expect((yield* from("192.0.2.9", "another-guess")).status).toBe(429)
        // Nothing was compared or counted while limited.
        expect(counts.get("192.0.2.9")).toBe(compared)
        expect((yield* from("192.0.2.9", yield* hs256("alice"))).status).toBe(200)
        expect((yield* from("192.0.2.10", SERVICE)).status).toBe(200)
      })
    )
  })
})

describe("settings", () => {
  it("AUTH_JWKS_URL without AUTH_AUDIENCE does not start, naming AUTH_AUDIENCE; a bad AUTH_CLOCK_SKEW_S is named", async () => {
    const problems = (vars: Record<string, string>) => varsNamedBy(appSettings, vars)
    expect(await problems({ AUTH_JWKS_URL: "https://team.cloudflareaccess.com/cdn-cgi/access/certs" })).toEqual(["AUTH_AUDIENCE"])
    expect(await problems({ AUTH_JWT_SECRET: SECRET, AUTH_CLOCK_SKEW_S: "500" })).toEqual(["AUTH_CLOCK_SKEW_S"])
  })
})
