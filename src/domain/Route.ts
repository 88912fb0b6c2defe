/**
 * Route parsing: `/{prefix}/{agent}/{instance}[/rest][?query]`. Pure; the agent segment is resolved by
 * `AgentRegistry` and the instance is checked by `validateInstance`, so an unknown agent is reported as
 * such even when its instance is also bad.
 */
import { Either, Option } from "effect"
import { InvalidRoute, RouteNotFound } from "./Errors.js"

/** The parts of an agent URL, as written by the client (nothing decoded yet). */
export interface AgentPath {
  readonly agentSegment: string
  readonly rawInstance: Option.Option<string>
  /** Everything after the instance segment, including its leading slash; "" when none. */
  readonly rest: string
}

/** Longest instance name accepted, in UTF-8 bytes after decoding (the SDK's agents throw past it). */
export const MAX_INSTANCE_BYTES = 1024

/** Trims slashes so `agents`, `/agents/` and `/agents` configure the same prefix. */
export const normalizePrefix = (prefix: string): string => prefix.replace(/^\/+|\/+$/g, "")

/**
 * Splits a pathname under the prefix. Fails with `RouteNotFound` when the path is outside the prefix or
 * names no agent segment at all; `known` lists the agent URL names that exist.
 */
export const parseAgentPath = (
  pathname: string,
  prefix: string,
  known: ReadonlyArray<string>
): Either.Either<AgentPath, RouteNotFound> => {
  const head = `/${prefix}/`
  if (!pathname.startsWith(head)) return Either.left(new RouteNotFound({ path: pathname, known }))
  const tail = pathname.slice(head.length)
  const agentEnd = tail.indexOf("/")
  const agentSegment = agentEnd === -1 ? tail : tail.slice(0, agentEnd)
  if (agentSegment.length === 0) return Either.left(new RouteNotFound({ path: pathname, known }))
  if (agentEnd === -1) return Either.right({ agentSegment, rawInstance: Option.none(), rest: "" })
  const afterAgent = tail.slice(agentEnd + 1)
  const instanceEnd = afterAgent.indexOf("/")
  return Either.right({
    agentSegment,
    rawInstance: Option.some(instanceEnd === -1 ? afterAgent : afterAgent.slice(0, instanceEnd)),
    rest: instanceEnd === -1 ? "" : afterAgent.slice(instanceEnd)
  })
}

// C0 controls, DEL and C1 controls: invisible in logs and dashboards, never a sensible instance name.
const controlCharacters = /[\u0000-\u001f\u007f-\u009f]/
const encoder = new TextEncoder()

/**
 * Decodes an instance segment exactly once and checks it: present, non-empty, valid percent-encoding,
 * at most 1,024 bytes, no control characters, not `.`/`..`, no `/` or `\` (encoded slashes included).
 * Returns the decoded name, which is what identifies the Durable Object.
 */
export const validateInstance = (
  agent: string,
  rawInstance: Option.Option<string>
): Either.Either<string, InvalidRoute> => {
  const fail = (rule: InvalidRoute["rule"]) => Either.left(new InvalidRoute({ rule, agent }))
  if (Option.isNone(rawInstance)) return fail("instance_missing")
  if (rawInstance.value.length === 0) return fail("instance_empty")
  const decoded = Either.try(() => decodeURIComponent(rawInstance.value))
  if (Either.isLeft(decoded)) return fail("malformed_percent_encoding")
  const name = decoded.right
  if (name.length === 0) return fail("instance_empty")
  // A UTF-16 code unit is at most 3 UTF-8 bytes: short names need no encoding to be measured.
  if (name.length * 3 > MAX_INSTANCE_BYTES && encoder.encode(name).byteLength > MAX_INSTANCE_BYTES) {
    return fail("instance_too_long")
  }
  if (controlCharacters.test(name)) return fail("instance_control_characters")
  if (name === "." || name === "..") return fail("instance_dot_segment")
  if (name.includes("/") || name.includes("\\")) return fail("instance_contains_slash")
  return Either.right(name)
}

/** The URL pattern of an agent, as the index page, `/health` and `/_diagnostics` show it. */
export const agentUrlTemplate = (prefix: string, urlName: string): string => `/${prefix}/${urlName}/{instance}`

/**
 * The URL the SDK answers for this agent and instance: kebab-case URL name, the instance re-encoded
 * with `encodeURIComponent` (one spelling per instance), the rest of the path and the query kept.
 */
export const canonicalPath = (prefix: string, urlName: string, instance: string, rest: string): string =>
  `/${prefix}/${urlName}/${encodeURIComponent(instance)}${rest}`

/** The query string of `url` without `name` (left byte-for-byte alone when `name` is absent). */
export const withoutParam = (url: URL, name: string): string => {
  if (!url.searchParams.has(name)) return url.search
  const params = new URLSearchParams(url.search)
  params.delete(name)
  const rest = params.toString()
  return rest.length === 0 ? "" : `?${rest}`
}
