/**
 * The router's settings, read once per isolate with `Config` from the Worker's vars (wrangler.toml
 * `[vars]`, `.dev.vars`, or secrets). A malformed value fails start-up with a message naming the var.
 */
import { JURISDICTIONS, LOCATION_HINTS, parsePlacementList, type Placement, placements } from "../domain/Placement.js"
import { Config, ConfigError, Context, Either, Layer, Option, Redacted } from "effect"
import { parseDeclarations, type AgentDeclaration } from "../domain/AgentCatalog.js"
import { positiveInt } from "./Settings.js"
import { normalizePrefix } from "../domain/Route.js"

/** Retry and timeout policy for forwarding to a Durable Object. */
export interface RoutingPolicy {
  readonly maxAttempts: number
  readonly baseDelayMs: number
  /** No retry starts later than this after the first attempt. */
  readonly retryBudgetMs: number
  readonly timeoutMs: number
}

/** Where the keys that sign user tokens come from: a shared HS256 secret, or a JWKS URL (RS256/ES256). */
export type TokenKeys =
  | { readonly _tag: "Secret"; readonly secret: Redacted.Redacted }
  | { readonly _tag: "Jwks"; readonly url: URL; readonly cooldownMs: number }

/** How user tokens (JWTs) are checked, when `AUTH_JWT_SECRET` or `AUTH_JWKS_URL` is set. */
export interface UserTokenSettings {
  readonly keys: TokenKeys
  readonly issuer: Option.Option<string>
  readonly audience: Option.Option<string>
  /** The claim whose value names the instances a user owns. */
  readonly instanceClaim: string
  readonly clockSkewSeconds: number
  /** The longest token lifetime accepted (`exp` after `iat`), in seconds. */
  readonly maxLifetimeSeconds: number
}

/** Everything the pipeline reads from configuration. */
export interface AppSettings {
  readonly prefix: string
  /** The `AGENTS` var; `None` when unset (agents are then discovered from `env`). */
  readonly agents: Option.Option<ReadonlyArray<AgentDeclaration>>
  readonly allowedOrigins: ReadonlyArray<string>
  readonly diagnostics: boolean
  readonly diagnosticsToken: Option.Option<Redacted.Redacted>
  readonly authToken: Option.Option<Redacted.Redacted>
  readonly userTokens: Option.Option<UserTokenSettings>
  readonly routing: RoutingPolicy
  /** Per agent class, where its Durable Objects live (`AGENTS_JURISDICTION`, `AGENTS_LOCATION_HINT`). */
  readonly placement: ReadonlyMap<string, Placement>
}

// Validated before the default, so a failure names the var (a validation after `withDefault` has no path).
const prefix = Config.string("AGENTS_PREFIX").pipe(
  Config.validate({
    message: "AGENTS_PREFIX must be one or more URL path segments of letters, digits, '-', '_' or '.'",
    validation: (p) => /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(normalizePrefix(p))
  }),
  Config.map(normalizePrefix),
  Config.withDefault("agents")
)

/** A `ClassName:value, ...` var; an unknown value stops the Worker naming the var. */
const placementList = <V extends string>(name: string, allowed: ReadonlyArray<V>) =>
  Config.string(name).pipe(
    // The path is the var's: `mapOrFail` on `Config.string(name)` prefixes it.
    Config.mapOrFail((spec) => Either.mapLeft(parsePlacementList(spec, allowed), (message) => ConfigError.InvalidData([], message))),
    Config.withDefault(new Map<string, V>() as ReadonlyMap<string, V>)
  )

const placement = Config.all([placementList("AGENTS_JURISDICTION", JURISDICTIONS), placementList("AGENTS_LOCATION_HINT", LOCATION_HINTS)]).pipe(
  Config.map(([jurisdictions, hints]) => placements(jurisdictions, hints))
)

const agents = Config.option(
  Config.string("AGENTS").pipe(
    Config.mapOrFail((spec) =>
      // The path is the var's: `mapOrFail` on `Config.string("AGENTS")` prefixes it.
      Either.mapLeft(parseDeclarations(spec), (message) => ConfigError.InvalidData([], message))
    )
  )
)

const allowedOrigins = Config.string("ALLOWED_ORIGINS").pipe(
  Config.withDefault(""),
  Config.map((list) =>
    list
      .split(",")
      .map((origin) => origin.trim())
      .filter((origin) => origin.length > 0)
  )
)

/**
 * An optional secret of at least `minLength` characters. Validated as the string it is read as, then
 * redacted: a validation after a `map` (as `Config.redacted` is) loses the var's name.
 */
const secret = (name: string, minLength: number, why = "") =>
  Config.option(
    Config.string(name).pipe(
      Config.validate({ message: `${name} must be at least ${minLength} characters${why}`, validation: (value) => value.length >= minLength }),
      Config.map(Redacted.make)
    )
  )

const tokenKeys: Config.Config<Option.Option<TokenKeys>> = Config.all({
  secret: secret("AUTH_JWT_SECRET", 32, " (HS256)"),
  jwksUrl: Config.option(Config.url("AUTH_JWKS_URL")),
  cooldownMs: positiveInt("AUTH_JWKS_COOLDOWN_MS", 30_000)
}).pipe(
  Config.mapOrFail(({ cooldownMs, jwksUrl, secret }) => {
    if (Option.isSome(secret) && Option.isSome(jwksUrl)) {
      return Either.left(ConfigError.InvalidData(["AUTH_JWKS_URL"], "set AUTH_JWT_SECRET or AUTH_JWKS_URL, not both"))
    }
    if (Option.isSome(secret)) return Either.right(Option.some<TokenKeys>({ _tag: "Secret", secret: secret.value }))
    if (Option.isSome(jwksUrl)) return Either.right(Option.some<TokenKeys>({ _tag: "Jwks", url: jwksUrl.value, cooldownMs }))
    return Either.right(Option.none())
  })
)

const userTokens: Config.Config<Option.Option<UserTokenSettings>> = Config.all({
  keys: tokenKeys,
  issuer: Config.option(Config.string("AUTH_ISSUER")),
  audience: Config.option(Config.string("AUTH_AUDIENCE")),
  instanceClaim: Config.string("AUTH_INSTANCE_CLAIM").pipe(Config.withDefault("sub")),
  // Validated before the default, so a failure names the var (a validation after `withDefault` has no path).
  clockSkewSeconds: Config.integer("AUTH_CLOCK_SKEW_S").pipe(
    Config.validate({ message: "AUTH_CLOCK_SKEW_S must be 0 to 300 seconds", validation: (s) => s >= 0 && s <= 300 }),
    Config.withDefault(30)
  ),
  maxLifetimeSeconds: positiveInt("AUTH_MAX_TOKEN_LIFETIME_S", 86_400)
}).pipe(
  Config.mapOrFail(({ keys, ...rest }) =>
    // A JWKS (Cloudflare Access, an identity provider) signs tokens for many applications: without an
    // audience, a token meant for any of them would open agents.
    Option.isSome(keys) && keys.value._tag === "Jwks" && Option.isNone(rest.audience)
      ? Either.left(
          ConfigError.InvalidData(
            ["AUTH_AUDIENCE"],
            "AUTH_AUDIENCE is required with AUTH_JWKS_URL (for Cloudflare Access, the application's AUD tag)"
          )
        )
      : Either.right(Option.map(keys, (k): UserTokenSettings => ({ keys: k, ...rest })))
  )
)

/** The settings as a `Config`, so tests can read them from any `ConfigProvider`. */
export const appSettings: Config.Config<AppSettings> = Config.all({
  prefix,
  agents,
  allowedOrigins,
  diagnostics: Config.boolean("DIAGNOSTICS").pipe(Config.withDefault(false)),
  diagnosticsToken: secret("DIAGNOSTICS_TOKEN", 16),
  authToken: secret("AUTH_TOKEN", 16),
  userTokens,
  placement,
  routing: Config.all({
    maxAttempts: positiveInt("ROUTING_MAX_ATTEMPTS", 3),
    baseDelayMs: positiveInt("ROUTING_RETRY_BASE_MS", 100),
    retryBudgetMs: positiveInt("ROUTING_RETRY_BUDGET_MS", 2_000),
    timeoutMs: positiveInt("ROUTING_TIMEOUT_MS", 15_000)
  })
})

/** The router's settings. */
export class AppConfig extends Context.Tag("app/AppConfig")<AppConfig, AppSettings>() {
  /** Reads the settings from the current `ConfigProvider`. */
  static readonly Live = Layer.effect(AppConfig, appSettings)
}
