/**
 * WebSocket handshake rules (RFC 6455, section 4.2.1) and the Origin allow-list, checked before any
 * Durable Object is touched so a broken client gets a precise 4xx instead of an opaque failure later.
 */
import { Either } from "effect"
import { originAllowed } from "./Cors.js"
import { UpgradeRejected } from "./Errors.js"

/** The request facts the handshake rules read. */
export interface HandshakeInput {
  readonly method: string
  readonly headers: Headers
  /**
   * Whether the request carries a body stream. workerd presents a POST upgrade to the Worker as GET but
   * keeps its body, so a body is how a non-GET upgrade shows itself there.
   */
  readonly hasBody: boolean
  /** Whether the client asks for a WebSocket (`isUpgradeRequest`), read once for every rule that asks. */
  readonly upgrade: boolean
}

// A valid key is the base64 encoding of exactly 16 bytes: 22 characters, the last with its low bits
// zero (A, Q, g or w), then "==".
const websocketKey = /^[A-Za-z0-9+/]{21}[AQgw]==$/

const hasToken = (header: string | null, token: string): boolean =>
  header !== null && header.split(",").some((part) => part.trim().toLowerCase() === token)

/** True when the client asks for a WebSocket (`Upgrade: websocket`, any case). */
export const isUpgradeRequest = (headers: Headers): boolean => hasToken(headers.get("upgrade"), "websocket")

/** The facts the handshake rules read, from a request. */
export const handshakeInputOf = (request: Request): HandshakeInput => ({
  method: request.method,
  headers: request.headers,
  hasBody: request.body !== null,
  upgrade: isUpgradeRequest(request.headers)
})

/**
 * True for a WebSocket upgrade whose handshake can be accepted (origin aside): a refusal can then be
 * answered with a closed socket rather than an HTTP status a browser's script cannot read.
 */
export const isAcceptableUpgrade = (input: HandshakeInput): boolean =>
  Either.getOrElse(checkHandshake(input, [], { origin: "" }), () => false)

/**
 * Checks an upgrade request. Returns `true` for a valid upgrade, `false` for a plain HTTP request (no
 * rule applies), and fails with the first broken rule in a fixed order: method, Connection, key presence,
 * key form, version, origin. An absent `Origin` passes: only browsers send one, and they always do. The
 * Worker's own origin is read from `own` only when an upgrade's Origin is checked (a URL computes it).
 */
export const checkHandshake = (
  input: HandshakeInput,
  allowedOrigins: ReadonlyArray<string>,
  own: { readonly origin: string }
): Either.Either<boolean, UpgradeRejected> => {
  if (!input.upgrade) return Either.right(false)
  const reject = (reason: UpgradeRejected["reason"]) => Either.left(new UpgradeRejected({ reason }))
  if (input.method !== "GET" || input.hasBody) return reject("method_not_get")
  if (!hasToken(input.headers.get("connection"), "upgrade")) return reject("connection_not_upgrade")
  const key = input.headers.get("sec-websocket-key")
  if (key === null || key.trim().length === 0) return reject("missing_key")
  if (!websocketKey.test(key.trim())) return reject("invalid_key")
  if (input.headers.get("sec-websocket-version")?.trim() !== "13") return reject("unsupported_version")
  if (!originAllowed(input.headers.get("origin"), allowedOrigins, own.origin)) return reject("origin_not_allowed")
  return Either.right(true)
}
