/**
 * Headers a client must never be able to set on the request an agent receives: the SDK reads
 * `x-agents-lifecycle-props` as startup props, old partyserver read `x-partykit-*`,
 * `x-agents-router-*` is reserved for this router, and `x-diagnostics-token` is a secret meant for it.
 */

/** The header that carries the diagnostics token (a secret meant for the router, never forwarded). */
export const DIAGNOSTICS_TOKEN_HEADER = "x-diagnostics-token"

/** True for a header name the router strips from client requests before forwarding. */
export const isInternalHeader = (name: string): boolean => {
  const lower = name.toLowerCase()
  return (
    lower === "x-agents-lifecycle-props" ||
    lower === DIAGNOSTICS_TOKEN_HEADER ||
    lower.startsWith("x-partykit-") ||
    lower.startsWith("x-agents-router-")
  )
}

/** The header carrying the request id, from the client (if well-formed) to the agent and back. */
export const REQUEST_ID_HEADER = "x-request-id"

const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/

/**
 * The request id to use: the client's `x-request-id` when well-formed (so it can correlate), else
 * Cloudflare's `cf-ray`, else `None` (the caller generates one).
 */
export const incomingRequestId = (headers: Headers): string | undefined => {
  for (const name of [REQUEST_ID_HEADER, "cf-ray"]) {
    const value = headers.get(name)
    if (value !== null && requestIdPattern.test(value)) return value
  }
  return undefined
}
