/**
 * The failure table, as one exhaustive match: each tagged error has exactly one row saying everything
 * about how it is answered and reported: status, body, headers, the close code a refused WebSocket gets,
 * the log level and the facts its log line adds. Adding a failure is `Errors.ts` plus one row here; the
 * compiler refuses a tag without one.
 */
import { Match } from "effect"
import { clip } from "./Clip.js"
import type { InvalidRouteRule, MissingBinding, RouterError, UnauthorizedReason, UpgradeRejectedReason } from "./Errors.js"
import type { RequestCompletedEvent } from "./LogEvent.js"
import { MAX_INSTANCE_BYTES, MAX_URL_BYTES } from "./Route.js"

/** What a failure's `request.completed` line adds, beside the place the request was located at. */
export type FailureFacts = Partial<
  Pick<RequestCompletedEvent, "agent" | "instance" | "attempts" | "cause" | "binding" | "hint" | "user" | "clientAddress">
>

/**
 * A failure's row: an RFC 9457 problem before rendering (`technical` is shown only when diagnostics are
 * allowed), and how the failure is closed on a socket and logged.
 */
export interface Problem {
  readonly status: number
  readonly type: string
  readonly title: string
  readonly detail: string
  readonly reason: string
  readonly agent?: string
  readonly instance?: string
  readonly headers: Readonly<Record<string, string>>
  readonly technical: Readonly<Record<string, string>>
  /**
   * The close code when a refused WebSocket upgrade is answered by a closed socket (a browser's script can
   * read a close, not an HTTP refusal). `AgentClient` treats 1008 and 4000-4999 as final and reconnects
   * after 1013. `undefined`: a handshake too broken to accept keeps its HTTP answer.
   */
  readonly close: number | undefined
  /** The log line's level: WARN pages an operator (the platform or its configuration failing), INFO does not. */
  readonly level: "INFO" | "WARN" | "ERROR"
  /** What the log line adds. */
  readonly facts: FailureFacts
}

/** Seconds a client should wait before retrying a 503. */
export const RETRY_AFTER_SECONDS = { MissingBinding: 30, RoutingFailed: 2, RateLimited: 60, AuthUnavailable: 5 } as const

const unauthorizedDetail: Record<UnauthorizedReason, string> = {
  missing_credentials:
    "This service needs an access token: send Authorization: Bearer <token>, or ?token=<token> where headers cannot be set (browser WebSockets).",
  invalid_credentials: "The access token is not valid.",
  token_malformed: "The token is not a well-formed signed JWT.",
  token_unsigned: 'The token is not signed (alg "none"); only signed tokens are accepted.',
  token_algorithm_not_allowed: "The token is signed with an algorithm this service does not accept.",
  token_key_unknown: "The token is signed with a key this service does not know (kid).",
  token_signature_invalid: "The token's signature does not verify.",
  token_expired: "The token has expired; get a new one.",
  token_not_yet_valid: "The token is not valid yet (nbf).",
  token_wrong_issuer: "The token was issued by an issuer this service does not accept.",
  token_wrong_audience: "The token is meant for another audience.",
  token_claim_missing: "The token does not name its user (the claim that binds a user to instances is missing).",
  token_no_expiry: "The token has no expiry (exp); tokens that never expire are not accepted.",
  token_issued_in_future: "The token says it was issued in the future (iat).",
  token_lifetime_too_long: "The token lives longer than this service accepts (exp is too far after iat).",
  token_user_invalid:
    "The token's user claim is not a usable name: it must be NFC, without surrounding spaces, control, invisible or bidirectional characters, \":\" or \"/\", and at most 256 bytes.",
  token_conflict: "The Cloudflare Access assertion and the bearer token name different users."
}

const typeUri = (slug: string) => `urn:agents-edge-router:error:${slug}`

const instanceRuleDetail: Record<InvalidRouteRule, string> = {
  instance_missing: "The URL names an agent but no instance; use /{prefix}/{agent}/{instance}.",
  instance_empty: "The instance name is empty.",
  instance_too_long: `The instance name is longer than ${MAX_INSTANCE_BYTES} bytes as the agent is named (percent-encoded: each non-ASCII byte counts 3).`,
  instance_control_characters: "The instance name contains control characters.",
  instance_invisible_characters:
    "The instance name contains invisible or bidirectional-control characters (zero-width spaces and joiners, U+202E, a byte-order mark, soft hyphens).",
  instance_reserved: `The instance name "sub" is reserved: it marks a sub-agent step (/{agent}/{instance}/sub/{agent}/{name}).`,
  instance_dot_segment: `The instance name cannot be "." or "..".`,
  instance_contains_slash: `The instance name cannot contain "/" or "\\", encoded or not.`,
  malformed_percent_encoding: "The instance name is not valid percent-encoded UTF-8.",
  url_too_long: `The URL is longer than ${MAX_URL_BYTES} bytes (path and query, percent-encoded): the agent keeps it with each connection.`
}

const upgradeDetail: Record<UpgradeRejectedReason, readonly [status: number, detail: string]> = {
  method_not_get: [400, "A WebSocket upgrade must use GET."],
  missing_key: [400, "The WebSocket upgrade has no Sec-WebSocket-Key header."],
  invalid_key: [400, "Sec-WebSocket-Key must be the base64 encoding of 16 bytes."],
  unsupported_version: [426, "Only WebSocket version 13 is supported (Sec-WebSocket-Version: 13)."],
  connection_not_upgrade: [400, "A WebSocket upgrade needs a Connection header containing \"upgrade\"."],
  origin_not_allowed: [403, "This Origin is not allowed to open WebSockets to this service."]
}

/**
 * The exact fix for a missing binding, for the log line and diagnostics: the `AGENTS` entry when `env`
 * has a namespace under another name, else the wrangler.toml lines to add.
 */
export const missingBindingHint = (e: MissingBinding): string => {
  const toml = `add a [[durable_objects.bindings]] entry with name = "${e.binding}" and class_name = "${e.agent}" to wrangler.toml, and export ${e.agent} from the Worker`
  const [first] = e.elsewhere
  return first === undefined
    ? `env.${e.binding} is not a Durable Object namespace: ${toml}.`
    : `env.${e.binding} is not a Durable Object namespace, but env has ${e.elsewhere.map((b) => `"${b}"`).join(", ")}: if ${e.agent} is bound there, set the AGENTS var to "${e.agent}:${first}"; otherwise ${toml}.`
}

const unavailable = (agent: string) =>
  `The ${agent} is experiencing connection issues. Please try again later.`

/** The answer for a tagged error. `prefix` is the configured URL prefix, used in hints. */
export const problemFor = (error: RouterError, prefix: string): Problem =>
  Match.value(error).pipe(
    Match.tagsExhaustive({
      RouteNotFound: (e): Problem => ({
        status: 404,
        type: typeUri("route-not-found"),
        title: "Route not found",
        detail:
          (e.agent === undefined
            ? `${clip(e.path, 200)} is not an agent URL; agent URLs look like /${prefix}/{agent}/{instance}.`
            : `No agent answers to "${clip(e.agent, 100)}".`) +
          ` Known agents: ${e.known.length === 0 ? "none" : e.known.join(", ")}.`,
        reason: e.agent === undefined ? "path_not_found" : "agent_not_found",
        ...(e.agent === undefined ? {} : { agent: clip(e.agent, 100) }),
        headers: {},
        technical: {},
        close: 4404,
        level: "INFO",
        // The segment as written: no agent answers to it.
        facts: { agent: e.agent ?? null }
      }),
      InvalidRoute: (e): Problem => ({
        status: e.rule === "url_too_long" ? 414 : 400,
        type: typeUri("invalid-route"),
        title: e.rule === "url_too_long" ? "URL too long" : "Invalid agent instance name",
        detail: instanceRuleDetail[e.rule],
        reason: e.rule,
        agent: e.agent,
        headers: {},
        technical: {},
        close: 4400,
        level: "INFO",
        facts: { agent: e.agent }
      }),
      UpgradeRejected: (e): Problem => {
        const [status, detail] = upgradeDetail[e.reason]
        return {
          status,
          type: typeUri("upgrade-rejected"),
          title: "WebSocket upgrade rejected",
          detail,
          reason: e.reason,
          headers: e.reason === "unsupported_version" ? { "sec-websocket-version": "13" } : {},
          technical: {},
          // Only a refused origin has a handshake that can be accepted and then closed.
          close: e.reason === "origin_not_allowed" ? 4403 : undefined,
          level: "INFO",
          facts: {}
        }
      },
      PreflightRejected: (): Problem => ({
        status: 403,
        type: typeUri("preflight-rejected"),
        title: "Origin not allowed",
        detail: "This Origin is not allowed to call this service from a browser.",
        reason: "origin_not_allowed",
        headers: { vary: "Origin" },
        technical: {},
        close: 4403,
        level: "INFO",
        facts: {}
      }),
      Unauthorized: (e): Problem => ({
        status: 401,
        type: typeUri("unauthorized"),
        title: "Unauthorized",
        detail: unauthorizedDetail[e.reason],
        reason: e.reason,
        // RFC 6750: no error code when the request carried no credentials at all.
        headers: {
          "www-authenticate": e.reason === "missing_credentials" ? 'Bearer realm="agents"' : 'Bearer realm="agents", error="invalid_token"'
        },
        technical: {},
        close: 4401,
        level: "INFO",
        facts: {}
      }),
      Forbidden: (e): Problem => ({
        status: 403,
        type: typeUri("forbidden"),
        title: "Forbidden",
        detail: "This instance belongs to another user. Open an instance named after you: {you} or {you}:{name}.",
        reason: "instance_forbidden",
        agent: e.agent,
        headers: {},
        technical: {},
        close: 4403,
        level: "INFO",
        facts: { user: e.user }
      }),
      RateLimited: (e): Problem => ({
        status: 429,
        type: typeUri("rate-limited"),
        title: "Too many failed authentications",
        detail: "Too many failed authentications from this address. Wait before trying again, with a valid token.",
        reason: "rate_limited",
        headers: { "retry-after": String(RETRY_AFTER_SECONDS.RateLimited) },
        technical: {},
        close: 4429,
        level: "WARN",
        facts: { clientAddress: e.address }
      }),
      AuthUnavailable: (e): Problem => ({
        status: 503,
        type: typeUri("auth-unavailable"),
        title: "Authentication unavailable",
        detail: "Tokens cannot be checked right now. Please try again later.",
        reason: "auth_unavailable",
        headers: { "retry-after": String(RETRY_AFTER_SECONDS.AuthUnavailable) },
        technical: { cause: e.cause },
        close: 1013,
        level: "WARN",
        facts: { cause: e.cause }
      }),
      MissingBinding: (e): Problem => ({
        status: 503,
        type: typeUri("missing-binding"),
        title: "Agent unavailable",
        detail: unavailable(e.agent),
        reason: "missing_binding",
        agent: e.agent,
        headers: { "retry-after": String(RETRY_AFTER_SECONDS.MissingBinding) },
        technical: { binding: e.binding, hint: missingBindingHint(e) },
        close: 1013,
        level: "WARN",
        facts: { agent: e.agent, binding: e.binding, hint: missingBindingHint(e) }
      }),
      RoutingFailed: (e): Problem => ({
        status: 503,
        type: typeUri("routing-failed"),
        title: "Agent unavailable",
        detail: unavailable(e.agent),
        reason: e.reason,
        agent: e.agent,
        instance: e.instance,
        headers: { "retry-after": String(RETRY_AFTER_SECONDS.RoutingFailed) },
        technical: { cause: e.cause, attempts: String(e.attempts) },
        close: 1013,
        level: "WARN",
        facts: { agent: e.agent, instance: e.instance, attempts: e.attempts, cause: e.cause }
      })
    })
  )

/** The answer for a defect (a bug of ours): no detail beyond the request id to quote. */
export const defectProblem: Problem = {
  status: 500,
  type: typeUri("internal"),
  title: "Internal error",
  detail: "The router failed unexpectedly. Quote the request id when reporting this.",
  reason: "defect",
  headers: {},
  technical: {},
  close: 1011,
  level: "ERROR",
  facts: {}
}
