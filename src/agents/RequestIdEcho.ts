/**
 * Agents behind this router put the request id the router gave them (`x-request-id`, set on every forwarded
 * request) on their HTTP answers. An answer reaches the Worker with immutable headers, so the router would
 * otherwise copy it to add the id; with the echo it passes the answer on as it is (`withRequestId`).
 */
import { Either } from "effect"
import { REQUEST_ID_HEADER } from "../domain/Headers.js"

/**
 * `response` with the request's `x-request-id`, when it has one. An upgrade's 101 and an answer whose
 * headers cannot change (a sub-agent's, passed through) are returned as they are: the router adds the id.
 */
export const echoRequestId = (request: Request, response: Response): Response => {
  const id = request.headers.get(REQUEST_ID_HEADER)
  if (id !== null && response.status !== 101) Either.try(() => response.headers.set(REQUEST_ID_HEADER, id))
  return response
}
