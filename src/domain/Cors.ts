/**
 * CORS for browsers, from the same Origin rule that guards WebSockets. Without an allow-list every origin
 * may call (`Access-Control-Allow-Origin: *`, as the seed's `routeAgentRequest({ cors: true })` did); with
 * one, the listed origins and the Worker's own (the request URL's) may. Preflights are answered by the
 * router, never by authentication or an agent: they carry no credentials.
 */

/** True for a CORS preflight: `OPTIONS` with `Origin` and `Access-Control-Request-Method`. */
export const isPreflight = (method: string, headers: Headers): boolean =>
  method === "OPTIONS" && headers.has("origin") && headers.has("access-control-request-method")

/**
 * The one Origin rule, for WebSocket upgrades and CORS alike: no allow-list allows every origin; otherwise
 * the listed ones and the Worker's own origin (its pages must work with any list). No `Origin` (not a
 * browser) passes.
 */
export const originAllowed = (origin: string | null, allowList: ReadonlyArray<string>, ownOrigin: string): boolean =>
  origin === null || allowList.length === 0 || origin === ownOrigin || allowList.includes(origin)

/**
 * What an answer to `origin` says in `Access-Control-Allow-Origin`: `*` without a list, the origin if allowed.
 * The Worker's own origin is read from `own` only when a list decides (a URL computes it on every read).
 */
export const allowOriginValue = (
  origin: string | null,
  allowList: ReadonlyArray<string>,
  own: { readonly origin: string }
): string | undefined =>
  origin === null ? undefined : allowList.length === 0 ? "*" : originAllowed(origin, allowList, own.origin) ? origin : undefined

/** Headers a page may always send: the token (`Authorization`) and JSON bodies (`Content-Type`). */
const ALWAYS_ALLOWED_HEADERS = ["authorization", "content-type"]

/** The answer headers for an allowed preflight (`Vary` is added with every CORS answer's, by `varyOnOrigin`). */
export const preflightHeaders = (allowOrigin: string, requestedHeaders: string | null): Record<string, string> => {
  const requested = (requestedHeaders ?? "").split(",").map((h) => h.trim().toLowerCase()).filter((h) => h.length > 0)
  return {
    "access-control-allow-origin": allowOrigin,
    "access-control-allow-methods": "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS",
    // Listed by name: a `*` here would not cover Authorization.
    "access-control-allow-headers": [...new Set([...ALWAYS_ALLOWED_HEADERS, ...requested])].join(", "),
    "access-control-max-age": "86400"
  }
}

/** Marks an answer as depending on `Origin`, once: a `Vary` that already names it is left as it is. */
export const varyOnOrigin = (headers: Headers): void => {
  const vary = headers.get("vary")
  if (vary === null || !vary.split(",").some((name) => name.trim().toLowerCase() === "origin")) headers.append("vary", "Origin")
}
