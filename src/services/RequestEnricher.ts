/**
 * Prepares the request an agent receives: a request id, the canonical URL the SDK answers, and no header
 * a client could use to speak for the router (lifecycle props, partykit room headers, our own).
 * Method, body and every other header are kept.
 */
import { Context, Effect, Layer } from "effect"
import { incomingRequestId, isInternalHeader, REQUEST_ID_HEADER } from "../domain/Headers.js"

/** Builds request ids and forwarded requests. */
export class RequestEnricher extends Context.Tag("app/RequestEnricher")<
  RequestEnricher,
  {
    /** The client's well-formed `x-request-id`, else `cf-ray`, else a fresh one. */
    readonly requestId: (request: Request) => Effect.Effect<string>
    /**
     * A copy of `request` addressed to `url`, internal headers stripped, `x-request-id` set; with
     * `consumedAuthorization`, the `Authorization` header the router checked is removed too.
     */
    readonly enrich: (request: Request, url: string, requestId: string, consumedAuthorization: boolean) => Request
  }
>() {
  /** The copy of the request the agent receives. */
  static readonly forwardedRequest = (
    request: Request,
    url: string,
    requestId: string,
    consumedAuthorization: boolean
  ): Request => {
    // One native copy, then removals: cheaper than re-appending every header from JS.
    const headers = new Headers(request.headers)
    for (const name of [...headers.keys()]) if (isInternalHeader(name)) headers.delete(name)
    if (consumedAuthorization) headers.delete("authorization")
    headers.set(REQUEST_ID_HEADER, requestId)
    return new Request(url, {
      method: request.method,
      headers,
      // workerd presents a non-GET upgrade as GET yet keeps its (empty) body; a GET cannot carry one.
      body: request.method === "GET" || request.method === "HEAD" ? null : request.body,
      redirect: request.redirect,
      // Node's fetch needs `duplex` for a streamed body; workerd ignores it.
      ...{ duplex: "half" }
    })
  }

  /** Random ids (UUID v4) when the client sent none. */
  static readonly Live = Layer.succeed(RequestEnricher, {
    requestId: (request) =>
      Effect.sync(() => incomingRequestId(request.headers) ?? crypto.randomUUID()),
    enrich: RequestEnricher.forwardedRequest
  })

  /** Sequential ids (`test-1`, `test-2`, ...) so tests can predict them. */
  static readonly Test = Layer.sync(RequestEnricher, () => {
    let counter = 0
    return {
      requestId: (request) => Effect.sync(() => incomingRequestId(request.headers) ?? `test-${++counter}`),
      enrich: RequestEnricher.forwardedRequest
    }
  })
}
