/**
 * CORS for browsers, from the same Origin allow-list that guards WebSockets. Only in force when an
 * allow-list is configured; without one the router behaves like the bare SDK (preflights reach the agent).
 */

/** True for a CORS preflight: `OPTIONS` with `Origin` and `Access-Control-Request-Method`. */
export const isPreflight = (method: string, headers: Headers): boolean =>
  method === "OPTIONS" && headers.has("origin") && headers.has("access-control-request-method")

/** The answer headers for an allowed preflight (`Vary` is added with every CORS answer's, by `varyOnOrigin`). */
export const preflightHeaders = (origin: string, requestedHeaders: string | null): Record<string, string> => ({
  "access-control-allow-origin": origin,
  "access-control-allow-methods": "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS",
  ...(requestedHeaders === null ? {} : { "access-control-allow-headers": requestedHeaders }),
  "access-control-max-age": "86400"
})

/** True when `origin` is on the allow-list: the one rule for WebSocket upgrades and CORS alike. */
export const inAllowList = (origin: string | null, allowList: ReadonlyArray<string>): origin is string =>
  origin !== null && allowList.includes(origin)

/** The allowed origin a response may name in `Access-Control-Allow-Origin`, if any. */
export const allowedOrigin = (headers: Headers, allowList: ReadonlyArray<string>): string | undefined => {
  const origin = headers.get("origin")
  return inAllowList(origin, allowList) ? origin : undefined
}

/** Marks an answer as depending on `Origin`, once: a `Vary` that already names it is left as it is. */
export const varyOnOrigin = (headers: Headers): void => {
  const vary = headers.get("vary")
  if (vary === null || !vary.split(",").some((name) => name.trim().toLowerCase() === "origin")) headers.append("vary", "Origin")
}
