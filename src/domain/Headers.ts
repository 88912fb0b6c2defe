/**
 * Headers a client must never be able to set on the request an agent receives. The SDK reads
 * `x-agents-lifecycle-props` as startup props and `x-cf-agents-subagent-url` as the outer URL of a
 * sub-agent WebSocket (it would open a child without its `onBeforeSubAgent` gate); `x-cf-agents-*` is the
 * SDK's internal namespace. Old partyserver read `x-partykit-*`, `x-agents-router-*` is reserved for this
 * router, and `x-diagnostics-token` is a secret meant for it.
 */

import { Either } from "effect"
import { encodePathSegment } from "./Route.js"

/** The header that carries the diagnostics token (a secret meant for the router, never forwarded). */
export const DIAGNOSTICS_TOKEN_HEADER = "x-diagnostics-token"

/** True for a header name the router strips from client requests before forwarding. */
export const isInternalHeader = (name: string): boolean => {
  const lower = name.toLowerCase()
  return (
    lower === "x-agents-lifecycle-props" ||
    lower === DIAGNOSTICS_TOKEN_HEADER ||
    lower.startsWith("x-cf-agents-") ||
    lower.startsWith("x-partykit-") ||
    lower.startsWith("x-agents-router-")
  )
}

/** The header that tells an agent which verified user is calling (set by the router, never by a client). */
export const ROUTER_USER_HEADER = "x-agents-router-user"

/**
 * The user as `x-agents-router-user` carries it: percent-encoded as a path segment (`alice` and
 * `alice@example.com` as they are, `josé` as `jos%C3%A9`, `%` as `%25`), since a header holds only bytes.
 */
export const userHeaderValue = (user: string): string => encodePathSegment(user)

/** The user a `x-agents-router-user` value names, byte for byte as the router checked it; null without one. */
export const userFromHeader = (value: string | null): string | null =>
  value === null ? null : Either.getOrNull(Either.try(() => decodeURIComponent(value)))

/** Cloudflare Access's header carrying the user's JWT. */
export const ACCESS_JWT_HEADER = "cf-access-jwt-assertion"

/** The header carrying the router's request id to the agent and back to the client. */
export const REQUEST_ID_HEADER = "x-request-id"

const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/

/**
 * The `x-request-id` a client sent, when well-formed: logged as its own field so the client's and the
 * router's ids can be joined, never adopted (a client could reuse someone else's id in the logs).
 */
export const clientRequestId = (headers: Headers): string | undefined => {
  const value = headers.get(REQUEST_ID_HEADER)
  return value !== null && requestIdPattern.test(value) ? value : undefined
}
