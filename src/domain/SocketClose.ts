/**
 * How a refused WebSocket upgrade is answered so that every client can read why: the router accepts the
 * socket itself and closes it at once with a code and a reason (a browser's script cannot read an HTTP
 * refusal of an upgrade, only a close event). The SDK's `AgentClient` treats 1008 and 4000-4999 as final
 * (no reconnect) and reconnects after 1013 (try again later).
 */
import { Match } from "effect"
import type { RouterError } from "./Errors.js"

/** The close frame a refused upgrade gets. */
export interface SocketClose {
  readonly code: number
  readonly reason: string
}

/** The longest close reason RFC 6455 allows, in UTF-8 bytes. */
export const MAX_CLOSE_REASON_BYTES = 123

/** The close code of a failure, or `undefined` when its handshake is too broken to accept (HTTP answer). */
export const closeCodeOf = (error: RouterError | "defect"): number | undefined =>
  error === "defect"
    ? 1011
    : Match.value(error).pipe(
        Match.tagsExhaustive({
          RouteNotFound: () => 4404,
          InvalidRoute: () => 4400,
          UpgradeRejected: (e) => (e.reason === "origin_not_allowed" ? 4403 : undefined),
          PreflightRejected: () => 4403,
          Unauthorized: () => 4401,
          Forbidden: () => 4403,
          RateLimited: () => 4429,
          AuthUnavailable: () => 1013,
          MissingBinding: () => 1013,
          RoutingFailed: () => 1013
        })
      )

const encoder = new TextEncoder()

/** `text` cut to at most `bytes` UTF-8 bytes, never inside a character. */
const fitBytes = (text: string, bytes: number): string => {
  if (encoder.encode(text).byteLength <= bytes) return text
  let cut = text
  while (cut.length > 0 && encoder.encode(cut).byteLength > bytes) cut = cut.slice(0, -1)
  // A cut between the halves of a surrogate pair leaves a lone high surrogate.
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut
}

/**
 * The close reason: `reason requestId` (`agent_not_found 0e19...`); for 1013 the HTTP body's first sentence
 * and the request id ("The CoderAgent is experiencing connection issues. Please try again later. 0e19...").
 * At most 123 bytes: the leading text is cut, the request id always kept.
 */
export const closeReason = (code: number, reason: string, detail: string, requestId: string): string => {
  const lead = code === 1013 ? detail : reason
  return `${fitBytes(lead, MAX_CLOSE_REASON_BYTES - encoder.encode(requestId).byteLength - 1)} ${requestId}`
}
