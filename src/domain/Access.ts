/**
 * Who may open which instance. A verified user is bound to instances by one claim of their token
 * (`AUTH_INSTANCE_CLAIM`, default `sub`): the instance name must equal its value or start with it followed
 * by `:` (`alice`, `alice:project-1`). A token whose `scope` holds `agents:admin`, and a service holding the
 * shared `AUTH_TOKEN`, may open any instance. Sub-agents belong to their parent's owner.
 */

import { Option } from "effect"
import type { UnauthorizedReason } from "./Errors.js"
import { controlCharacters, invisibleCharacters } from "./Route.js"

/** Longest user claim accepted, in UTF-8 bytes. */
export const MAX_USER_BYTES = 256

/**
 * What is wrong with a token's user claim, if anything. Ownership is by prefix before `:` and the agent
 * is told the user in a header, so a usable name is one string that prints as what it is and cannot
 * overlap another's: non-empty, NFC (instance names are), no surrounding whitespace (headers trim it), no
 * control, invisible or bidi characters, no `:` (the owner separator), `/` or `\`.
 */
export const userClaimProblem = (value: unknown): Option.Option<UnauthorizedReason> => {
  if (typeof value !== "string" || value.length === 0) return Option.some("token_claim_missing")
  const usable =
    new TextEncoder().encode(value).byteLength <= MAX_USER_BYTES &&
    value === value.normalize("NFC") &&
    value === value.trim() &&
    !controlCharacters.test(value) &&
    !invisibleCharacters.test(value) &&
    !/[:/\\]/.test(value)
  return usable ? Option.none() : Option.some("token_user_invalid")
}

/**
 * What is wrong with a verified token's times (RFC 8725, RFC 9068), if anything: `exp` is required, `iat`
 * may not lie beyond the clock skew in the future, and the lifetime (`exp` after `iat`, or after now
 * without `iat`) may not exceed `maxLifetimeSeconds`. Times in seconds.
 */
export const tokenTimeProblem = (
  payload: { readonly exp?: unknown; readonly iat?: unknown },
  nowSeconds: number,
  skewSeconds: number,
  maxLifetimeSeconds: number
): Option.Option<UnauthorizedReason> => {
  const { exp, iat } = payload
  if (typeof exp !== "number" || !Number.isFinite(exp)) return Option.some("token_no_expiry")
  if (typeof iat === "number" && iat > nowSeconds + skewSeconds) return Option.some("token_issued_in_future")
  const issued = typeof iat === "number" ? iat : nowSeconds
  return exp - issued > maxLifetimeSeconds ? Option.some("token_lifetime_too_long") : Option.none()
}

/** Who is calling, once credentials were checked. */
export type Caller =
  | { readonly _tag: "Anyone" }
  | { readonly _tag: "Service" }
  | { readonly _tag: "User"; readonly user: string; readonly admin: boolean }

/** No credentials configured: every caller is let through, as with the bare SDK. */
export const anyone: Caller = { _tag: "Anyone" }

/** The scope that may open any instance. */
export const ADMIN_SCOPE = "agents:admin"

/** True when a token's `scope` claim (space-separated string, or array) holds `agents:admin`. */
export const hasAdminScope = (scope: unknown): boolean =>
  typeof scope === "string"
    ? scope.split(" ").includes(ADMIN_SCOPE)
    : Array.isArray(scope) && scope.includes(ADMIN_SCOPE)

/** True when `user` owns the instance `name`: equal to it, or its prefix before a `:`. */
export const ownsInstance = (user: string, name: string): boolean => name === user || name.startsWith(`${user}:`)

/** True when `caller` may open the instance `name`. */
export const mayOpen = (caller: Caller, name: string): boolean =>
  caller._tag !== "User" || caller.admin || ownsInstance(caller.user, name)

/** The user to name to the agent and in the log, if the caller is one. */
export const userOf = (caller: Caller): string | undefined => (caller._tag === "User" ? caller.user : undefined)
