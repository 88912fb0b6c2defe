/**
 * CORS for browsers, from the same Origin allow-list that guards WebSockets. Only in force when an
 * allow-list is configured; without one the router behaves like the bare SDK (preflights reach the agent).
 */

/** True for a CORS preflight: `OPTIONS` with `Origin` and `Access-Control-Request-Method`. */
export const isPreflight = (method: string, headers: Headers): boolean =>
  method === "OPTIONS" && headers.has("origin") && headers.has("access-control-request-method")

/** The answer headers for an allowed preflight. */
export const preflightHeaders = (origin: string, requestedHeaders: string | null): Record<string, string> => ({
  "access-control-allow-origin": origin,
  "access-control-allow-methods": "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS",
  ...(requestedHeaders === null ? {} : { "access-control-allow-headers": requestedHeaders }),
  "access-control-max-age": "86400",
  vary: "Origin"
})

/** The allowed origin a response may name in `Access-Control-Allow-Origin`, if any. */
export const allowedOrigin = (headers: Headers, allowList: ReadonlyArray<string>): string | undefined => {
  const origin = headers.get("origin")
  return origin !== null && allowList.includes(origin) ? origin : undefined
}
