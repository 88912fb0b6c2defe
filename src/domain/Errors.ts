/**
 * The failures a client or operator can meet, as data. Each carries the fields its answer needs;
 * `problemFor` (Problem.ts) maps every tag to exactly one response.
 */
import { Schema } from "effect"

/** Why an instance name or path was refused. A closed set, so clients can switch on it. */
export const InvalidRouteRule = Schema.Literal(
  "instance_missing",
  "instance_empty",
  "instance_too_long",
  "instance_control_characters",
  "instance_invisible_characters",
  "instance_reserved",
  "instance_dot_segment",
  "instance_contains_slash",
  "malformed_percent_encoding",
  "url_too_long"
)
export type InvalidRouteRule = typeof InvalidRouteRule.Type

/** Why a WebSocket handshake was refused (RFC 6455 section 4.2.1, plus the origin allow-list). */
export const UpgradeRejectedReason = Schema.Literal(
  "method_not_get",
  "missing_key",
  "invalid_key",
  "unsupported_version",
  "connection_not_upgrade",
  "origin_not_allowed"
)
export type UpgradeRejectedReason = typeof UpgradeRejectedReason.Type

/**
 * Why forwarding to the Durable Object failed: it threw (the platform's error, or the agent's own, which
 * the SDK turns into a 500 carrying the stack), answered another 5xx, timed out, or was overloaded.
 */
export const RoutingFailedReason = Schema.Literal("threw", "error_status", "timed_out", "overloaded")
export type RoutingFailedReason = typeof RoutingFailedReason.Type

/** The path is outside the prefix, or names no declared agent. `known` lists the URL names that exist. */
export class RouteNotFound extends Schema.TaggedError<RouteNotFound>()("RouteNotFound", {
  path: Schema.String,
  agent: Schema.optional(Schema.String),
  known: Schema.Array(Schema.String)
}) {}

/** The agent is known but the instance segment breaks a rule. */
export class InvalidRoute extends Schema.TaggedError<InvalidRoute>()("InvalidRoute", {
  rule: InvalidRouteRule,
  agent: Schema.String
}) {}

/** A WebSocket upgrade whose handshake is broken or whose origin is not allowed. */
export class UpgradeRejected extends Schema.TaggedError<UpgradeRejected>()("UpgradeRejected", {
  reason: UpgradeRejectedReason
}) {}

/** The agent is declared but the Worker's `env` has no Durable Object namespace under its binding. */
export class MissingBinding extends Schema.TaggedError<MissingBinding>()("MissingBinding", {
  agent: Schema.String,
  binding: Schema.String,
  /** Durable Object namespaces `env` has under names no declared agent uses: where the agent may be bound. */
  elsewhere: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] })
}) {}

/** The Durable Object threw, timed out or was overloaded. `cause` is shown only with diagnostics. */
export class RoutingFailed extends Schema.TaggedError<RoutingFailed>()("RoutingFailed", {
  agent: Schema.String,
  instance: Schema.String,
  reason: RoutingFailedReason,
  attempts: Schema.Number,
  cause: Schema.String
}) {}

/** A CORS preflight from an `Origin` outside the allow-list. */
export class PreflightRejected extends Schema.TaggedError<PreflightRejected>()("PreflightRejected", {
  origin: Schema.String
}) {}

/**
 * Why credentials were refused: none given, a wrong shared `AUTH_TOKEN`, or a user token (JWT) that is
 * malformed, unsigned (`alg: none`), signed with an algorithm not allowed (an HS256 token where keys come
 * from a JWKS: algorithm confusion), signed by a key the JWKS does not hold, badly signed, expired, not yet
 * valid, from another issuer or for another audience, or without the claim that names its owner.
 */
export const UnauthorizedReason = Schema.Literal(
  "missing_credentials",
  "invalid_credentials",
  "token_malformed",
  "token_unsigned",
  "token_algorithm_not_allowed",
  "token_key_unknown",
  "token_signature_invalid",
  "token_expired",
  "token_not_yet_valid",
  "token_wrong_issuer",
  "token_wrong_audience",
  "token_claim_missing",
  "token_no_expiry",
  "token_issued_in_future",
  "token_lifetime_too_long",
  "token_user_invalid",
  "token_conflict"
)
export type UnauthorizedReason = typeof UnauthorizedReason.Type

/** The request's credentials are missing or not valid. */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", {
  reason: UnauthorizedReason
}) {}

/** A verified user opened an instance that is not theirs. */
export class Forbidden extends Schema.TaggedError<Forbidden>()("Forbidden", {
  agent: Schema.String,
  instance: Schema.String,
  user: Schema.String
}) {}

/** Too many failed authentications from one client address. */
export class RateLimited extends Schema.TaggedError<RateLimited>()("RateLimited", {
  address: Schema.String
}) {}

/** The keys user tokens are checked with (`AUTH_JWKS_URL`) cannot be fetched right now. */
export class AuthUnavailable extends Schema.TaggedError<AuthUnavailable>()("AuthUnavailable", {
  cause: Schema.String
}) {}

/** Every failure the pipeline can answer with. */
export type RouterError =
  | RouteNotFound
  | InvalidRoute
  | UpgradeRejected
  | PreflightRejected
  | Unauthorized
  | Forbidden
  | RateLimited
  | AuthUnavailable
  | MissingBinding
  | RoutingFailed
