/**
 * Who is calling, checked before any agent is touched. Two kinds of credentials, either or both:
 * - the shared `AUTH_TOKEN` secret, for services (compared in constant time; may open any instance);
 * - user tokens (JWTs) verified with `jose`, signed with `AUTH_JWT_SECRET` (HS256) or a key from
 *   `AUTH_JWKS_URL` (RS256/ES256, fetched and cached by `jose`, rotation by `kid`), `AUTH_ISSUER` and
 *   `AUTH_AUDIENCE` checked when set; the user is the token's `AUTH_INSTANCE_CLAIM`.
 * A token comes as `Authorization: Bearer`, as `?token=` (browser WebSockets cannot set headers), or as
 * Cloudflare Access's `Cf-Access-Jwt-Assertion` when keys come from a JWKS. With neither configured, every
 * request passes, as with the bare SDK. Failed authentications count against the client's address in the
 * `AUTH_FAILURES` rate limiting binding; past its limit they are answered 429.
 */
import { Clock, Context, Effect, Either, Layer, Option, Redacted } from "effect"
import * as jose from "jose"
import { anyone, type Caller, hasAdminScope, tokenTimeProblem, userClaimProblem } from "../domain/Access.js"
import { AuthUnavailable, RateLimited, Unauthorized, type UnauthorizedReason } from "../domain/Errors.js"
import { ACCESS_JWT_HEADER } from "../domain/Headers.js"
import { isRateLimit, type WorkerEnv } from "../domain/Worker.js"
import { AppConfig, type UserTokenSettings } from "./AppConfig.js"
import { secretMatcher } from "./Secrets.js"

/** The query parameter that may carry the access token. */
export const TOKEN_PARAM = "token"

/** The rate limiting binding that counts failed authentications per client address. */
export const AUTH_FAILURES_BINDING = "AUTH_FAILURES"

const bearer = (header: string | null): string | undefined => {
  const match = header === null ? null : /^Bearer\s+(\S+)\s*$/i.exec(header)
  return match?.[1]
}

/** Verifies one JWT: the user and whether it may open any instance, or why it is refused. */
type VerifyToken = (token: string) => Effect.Effect<Caller, Unauthorized | AuthUnavailable>

const claimReason: Record<string, UnauthorizedReason> = {
  exp: "token_no_expiry",
  nbf: "token_not_yet_valid",
  iss: "token_wrong_issuer",
  aud: "token_wrong_audience"
}

/** Why `jose` refused a token, as a reason of the table; `None` when the keys could not be had at all. */
const refusal = (error: unknown): Option.Option<UnauthorizedReason> => {
  if (error instanceof jose.errors.JWTExpired) return Option.some("token_expired")
  if (error instanceof jose.errors.JWTClaimValidationFailed) return Option.some(claimReason[error.claim] ?? "token_claim_missing")
  if (error instanceof jose.errors.JOSEAlgNotAllowed) return Option.some("token_algorithm_not_allowed")
  if (error instanceof jose.errors.JWKSNoMatchingKey) return Option.some("token_key_unknown")
  if (error instanceof jose.errors.JWSSignatureVerificationFailed) return Option.some("token_signature_invalid")
  if (
    error instanceof jose.errors.JWSInvalid ||
    error instanceof jose.errors.JWTInvalid ||
    error instanceof jose.errors.JOSENotSupported
  ) {
    return Option.some("token_malformed")
  }
  // Anything else is the key set failing: unreachable, a non-200 answer, a timeout, not a JWKS.
  return Option.none()
}

/** `alg: none` names itself in the header; told apart so its answer says exactly that. */
const isUnsigned = (token: string): boolean =>
  Either.getOrElse(
    Either.try(() => jose.decodeProtectedHeader(token).alg === "none"),
    () => false
  )

/** The verifier for the configured keys, built once: `jose` caches a remote JWKS across requests. */
const tokenVerifier = (settings: UserTokenSettings): VerifyToken => {
  const key =
    settings.keys._tag === "Secret"
      ? new TextEncoder().encode(Redacted.value(settings.keys.secret))
      : jose.createRemoteJWKSet(settings.keys.url, { cooldownDuration: settings.keys.cooldownMs })
  const options: jose.JWTVerifyOptions = {
    algorithms: settings.keys._tag === "Secret" ? ["HS256"] : ["RS256", "ES256"],
    requiredClaims: ["exp"],
    clockTolerance: settings.clockSkewSeconds,
    ...Option.match(settings.issuer, { onNone: () => ({}), onSome: (issuer) => ({ issuer }) }),
    ...Option.match(settings.audience, { onNone: () => ({}), onSome: (audience) => ({ audience }) })
  }
  const verify = (token: string) =>
    key instanceof Uint8Array ? jose.jwtVerify(token, key, options) : jose.jwtVerify(token, key, options)
  return (token) => {
    if (isUnsigned(token)) return Effect.fail(new Unauthorized({ reason: "token_unsigned" }))
    return Effect.tryPromise({ try: () => verify(token), catch: (error) => error }).pipe(
      Effect.mapError((error) =>
        Option.match(refusal(error), {
          onSome: (reason) => new Unauthorized({ reason }),
          onNone: () => new AuthUnavailable({ cause: error instanceof Error ? `${error.name}: ${error.message}` : String(error) })
        })
      ),
      Effect.flatMap(({ payload }) =>
        // jose judges exp and nbf by the system clock; the same clock judges iat and the lifetime.
        Effect.flatMap(Effect.sync(() => Date.now()), (now) => {
          const user: unknown = payload[settings.instanceClaim]
          const problem = Option.orElse(
            tokenTimeProblem(payload, Math.floor(now / 1000), settings.clockSkewSeconds, settings.maxLifetimeSeconds),
            () => userClaimProblem(user)
          )
          return Option.isSome(problem) || typeof user !== "string"
            ? Effect.fail(new Unauthorized({ reason: Option.getOrElse(problem, () => "token_claim_missing" as const) }))
            : Effect.succeed<Caller>({ _tag: "User", user, admin: hasAdminScope(payload["scope"]) })
        })
      )
    )
  }
}

/** The client's address as Cloudflare reports it. */
const clientAddress = (request: Request): string => request.headers.get("cf-connecting-ip") ?? "unknown"

/** The credential checks for the configured secret and keys, built once (jose caches a remote JWKS across requests). */
const make = Effect.gen(function* () {
  const config = yield* AppConfig
  const matchesService = yield* Effect.transposeMapOption(config.authToken, secretMatcher)
  const verifyUser = Option.map(config.userTokens, tokenVerifier)
  const fromAccess = Option.exists(config.userTokens, (s) => s.keys._tag === "Jwks")
  const enabled = Option.isSome(matchesService) || Option.isSome(verifyUser)

  /** The bearer token (header or `?token=`) and, behind Cloudflare Access, its assertion. */
  const presented = (request: Request, url: URL) => {
    const given = bearer(request.headers.get("authorization")) ?? url.searchParams.get(TOKEN_PARAM) ?? ""
    const access = fromAccess ? (request.headers.get(ACCESS_JWT_HEADER) ?? "") : ""
    return { given: given.length > 0 ? given : undefined, access: access.length > 0 ? access : undefined }
  }

  /** A user token, when those are configured. */
  const asUser = (token: string): Effect.Effect<Caller, Unauthorized | AuthUnavailable> =>
    Option.match(verifyUser, {
      onNone: () => Effect.fail(new Unauthorized({ reason: "invalid_credentials" })),
      onSome: (verify) => verify(token)
    })

  /** The service token first (compared in constant time), else a user token. */
  const identify = (token: string): Effect.Effect<Caller, Unauthorized | AuthUnavailable> =>
    Option.match(matchesService, {
      onNone: () => asUser(token),
      onSome: (matches) => Effect.flatMap(matches(token), (isService) => (isService ? Effect.succeed<Caller>({ _tag: "Service" }) : asUser(token)))
    })

  /**
   * Both a bearer token and an Access assertion: the service token stands alone; otherwise both must
   * verify and name the same user, or neither is trusted (`token_conflict`).
   */
  const agreeing = (given: string, access: string): Effect.Effect<Caller, Unauthorized | AuthUnavailable> => {
    const conflict = new Unauthorized({ reason: "token_conflict" })
    const both = Effect.flatMap(identify(given), (caller): Effect.Effect<Caller, Unauthorized | AuthUnavailable> =>
      caller._tag !== "User"
        ? Effect.succeed(caller)
        : Effect.flatMap(asUser(access), (asserted) =>
            asserted._tag === "User" && asserted.user === caller.user ? Effect.succeed<Caller>(caller) : Effect.fail(conflict)
          )
    )
    return Effect.catchTag(both, "Unauthorized", () => Effect.fail(conflict))
  }

  // Addresses past the failure limit, until when (ms). The binding cannot be asked without counting,
  // so this isolate remembers its answer: while limited, the shared AUTH_TOKEN is not even compared.
  const limitedUntil = new Map<string, number>()
  const LIMITED_MS = 60_000
  const isLimited = (address: string, now: number) => (limitedUntil.get(address) ?? 0) > now
  const remember = (address: string, now: number) => {
    if (limitedUntil.size >= 10_000) limitedUntil.delete(limitedUntil.keys().next().value ?? "")
    limitedUntil.set(address, now + LIMITED_MS)
  }

  /** A failed authentication, counted against the client's address; 429 once it is past the limit. */
  const counted = (request: Request, env: WorkerEnv) => (refused: Unauthorized): Effect.Effect<never, Unauthorized | RateLimited> => {
    const limiter = env[AUTH_FAILURES_BINDING]
    if (!isRateLimit(limiter)) return Effect.fail(refused)
    const address = clientAddress(request)
    return Effect.flatMap(
      Effect.promise(() => limiter.limit({ key: address }).catch(() => ({ success: true }))),
      ({ success }): Effect.Effect<never, Unauthorized | RateLimited> =>
        success
          ? Effect.fail(refused)
          : Effect.flatMap(Clock.currentTimeMillis, (now) => {
              remember(address, now)
              return Effect.fail(new RateLimited({ address }))
            })
    )
  }

  /** Who the credentials name, or why not. */
  const credentials = (request: Request, url: URL): Effect.Effect<Caller, Unauthorized | AuthUnavailable> => {
    const { access, given } = presented(request, url)
    if (given !== undefined && access !== undefined) return agreeing(given, access)
    const token = given ?? access
    return token === undefined ? Effect.fail(new Unauthorized({ reason: "missing_credentials" })) : identify(token)
  }

  /**
   * While the address is limited: 429 without comparing anything a guesser could learn from. A user
   * token that verifies by its signature still passes (a guess cannot make one).
   */
  const whileLimited = (request: Request, url: URL, address: string): Effect.Effect<Caller, RateLimited | AuthUnavailable> => {
    const { access, given } = presented(request, url)
    const token = given ?? access
    const limited = Effect.fail(new RateLimited({ address }))
    if (token === undefined || Option.isNone(verifyUser) || token.split(".").length !== 3) return limited
    return Effect.catchTag(asUser(token), "Unauthorized", () => limited)
  }

  return {
    /** Whether the router consumes credentials (so they are removed before forwarding). */
    enabled,
    /** Who is calling; fails with the refusal (or 429 once the address has failed too often). */
    check: (request: Request, url: URL, env: WorkerEnv): Effect.Effect<Caller, Unauthorized | RateLimited | AuthUnavailable> => {
      if (!enabled) return Effect.succeed(anyone)
      const checked = Effect.catchTag(credentials(request, url), "Unauthorized", counted(request, env))
      // Nobody limited (the common case): no clock read, no extra step on the hot path.
      if (limitedUntil.size === 0) return checked
      const address = clientAddress(request)
      return Effect.flatMap(Clock.currentTimeMillis, (now) => (isLimited(address, now) ? whileLimited(request, url, address) : checked))
    }
  }
})

/** Checks credentials, counts failures, and says who is calling. */
export class Authenticator extends Context.Tag("app/Authenticator")<Authenticator, Effect.Effect.Success<typeof make>>() {
  static readonly Live = Layer.effect(this, make)
}
