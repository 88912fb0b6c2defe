/**
 * How a refused WebSocket upgrade is answered so that every client can read why: the router accepts the
 * socket itself and closes it at once with a code and a reason (a browser's script cannot read an HTTP
 * refusal of an upgrade, only a close event). Which code each failure gets is its row in Problem.ts.
 */

/** The close frame a refused upgrade gets. */
export interface SocketClose {
  readonly code: number
  readonly reason: string
}

/** The longest close reason RFC 6455 allows, in UTF-8 bytes. */
export const MAX_CLOSE_REASON_BYTES = 123

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
