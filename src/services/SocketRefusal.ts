/**
 * Answers a refused WebSocket upgrade with a socket the router accepts and closes at once, so the client
 * reads a close code and reason instead of an HTTP status its script cannot see. No frame is sent, so the
 * SDK's clients have nothing to misread; no Durable Object is touched.
 */
import { Context, Layer } from "effect"
import { REQUEST_ID_HEADER } from "../domain/Headers.js"
import type { SocketClose } from "../domain/SocketClose.js"

/** Builds the answer for a refused upgrade. */
export class SocketRefusal extends Context.Tag("app/SocketRefusal")<
  SocketRefusal,
  { readonly refuse: (close: SocketClose, requestId: string) => Response }
>() {
  /** workerd's `WebSocketPair`: the 101 carries the client end; the server end is accepted and closed. */
  static readonly Live = Layer.succeed(SocketRefusal, {
    refuse: ({ code, reason }, requestId) => {
      const { 0: client, 1: server } = new WebSocketPair()
      server.accept()
      server.close(code, reason)
      return new Response(null, { status: 101, webSocket: client, headers: { [REQUEST_ID_HEADER]: requestId } })
    }
  })

  /**
   * For Node tests (no `WebSocketPair`, and no 101 in Node's `Response`): a 299 answer naming the close in
   * `x-test-close-code` and `x-test-close-reason`.
   */
  static readonly Test = Layer.succeed(SocketRefusal, {
    refuse: ({ code, reason }, requestId) =>
      new Response(null, {
        status: 299,
        headers: { "x-test-close-code": String(code), "x-test-close-reason": reason, [REQUEST_ID_HEADER]: requestId }
      })
  })
}
