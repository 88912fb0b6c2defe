/**
 * Prepares the request an agent receives: a request id, the canonical URL the SDK answers, and no header
 * a client could use to speak for the router (lifecycle props, partykit room headers, our own).
 * Method, body and every other header are kept.
 */
import { Context, Layer } from "effect"
import { ACCESS_JWT_HEADER, isInternalHeader, REQUEST_ID_HEADER, ROUTER_USER_HEADER, userHeaderValue } from "../domain/Headers.js"

/** What the gateway forwards: the request to hand the SDK and the header edits to apply to its copy. */
export interface Forwarding {
  /** The client's own request when its URL is already the canonical one, else a copy at that URL. */
  readonly request: Request
  /**
   * Strips internal headers, sets `x-request-id` and the verified user, and (when the router consumed them)
   * removes the credentials. Applied to the mutable copy the SDK makes anyway, so the router makes none of its own.
   */
  readonly prepare: (request: Request) => void
}

/** What the router did with the request's credentials: consumed them (so they are removed), and for whom. */
export interface ForwardedCredentials {
  readonly consumed: boolean
  /** The verified user, told to the agent in `x-agents-router-user`. */
  readonly user?: string | undefined
}

/** Builds request ids and forwarded requests. */
export class RequestEnricher extends Context.Tag("app/RequestEnricher")<
  RequestEnricher,
  {
    /** A fresh request id (a client's own `x-request-id` is never adopted; see `clientRequestId`). */
    readonly newRequestId: () => string
    /**
     * How to forward `request` (whose `request.url` is `requestUrl`, read once: Node re-serialises it on every
     * read) to `url` with `requestId`; see `Forwarding`.
     */
    readonly enrich: (request: Request, requestUrl: string, url: string, requestId: string, credentials: ForwardedCredentials) => Forwarding
  }
>() {
  /** The forwarding of one request. */
  static readonly forwarding = (
    request: Request,
    requestUrl: string,
    url: string,
    requestId: string,
    credentials: ForwardedCredentials
  ): Forwarding => ({
    request:
      // A request with a body is always re-made around the body stream: under `wrangler dev`, a client's own
      // request whose body the agent never reads (a POST to get-messages) was answered in the log but
      // never reached the client (the local proxy waits for the body to be taken).
      url === requestUrl && request.body === null
        ? request
        : new Request(url, {
            method: request.method,
            headers: request.headers,
            // workerd presents a non-GET upgrade as GET yet keeps its (empty) body; a GET cannot carry one.
            body: request.method === "GET" || request.method === "HEAD" ? null : request.body,
            redirect: request.redirect,
            // Node's fetch needs `duplex` for a streamed body; workerd ignores it.
            ...{ duplex: "half" }
          }),
    prepare: (copy) => {
      for (const name of [...copy.headers.keys()]) if (isInternalHeader(name)) copy.headers.delete(name)
      if (credentials.consumed) {
        copy.headers.delete("authorization")
        copy.headers.delete(ACCESS_JWT_HEADER)
      }
      if (credentials.user !== undefined) copy.headers.set(ROUTER_USER_HEADER, userHeaderValue(credentials.user))
      copy.headers.set(REQUEST_ID_HEADER, requestId)
    }
  })

  /** Random ids (UUID v4). */
  static readonly Live = Layer.succeed(RequestEnricher, {
    newRequestId: () => crypto.randomUUID(),
    enrich: RequestEnricher.forwarding
  })
}
