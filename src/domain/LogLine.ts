/**
 * The JSON line format `wrangler dev`, `wrangler tail --format json` and Workers Logs consumers parse:
 * `timestamp`, `level`, `event`, then the event's fields in name order, every string field capped at
 * `MAX_FIELD_CHARS` and credential-redacted.
 * Pure: the logger (src/services/RequestLog.ts) hands it what Effect's `Logger` receives.
 */
import { clip } from "./Clip.js"

// Credentials in free text (an error message may quote a header or URL that carried a token).
const schemes = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi
// `authorization: <value>`, `token=...`, `"apiKey":"..."`: a sensitive name, a separator, a value.
const namedValues =
  /\b(authorization|cookie|[A-Za-z_-]*(?:token|secret|password|passwd|api[_-]?key|signature)[A-Za-z_-]*)(["']?\s*[:=]\s*["']?)[^"'&,;\s]+/gi
const marker = /bearer|basic|authorization|token|cookie|secret|passw|key|signature/i

/** `text` with every credential-looking value replaced by `[redacted]`. */
export const redactSecrets = (text: string): string =>
  marker.test(text)
    ? text
        .replace(schemes, (_match, scheme: string) => `${scheme} [redacted]`)
        .replace(namedValues, (_match, name: string, separator: string) => `${name}${separator}[redacted]`)
    : text

/** Longest string field a line carries: a client's 120 KB path must not make a 120 KB line. */
export const MAX_FIELD_CHARS = 2_048

/** One record to format: Effect's log message (an event object or a string) and its annotations. */
export interface LogRecord {
  readonly date: Date
  readonly level: string
  readonly message: unknown
  readonly annotations: Iterable<readonly [string, unknown]>
  readonly annotationCount: number
}

/**
 * Sets a field as an own property: a field named `__proto__` assigned with `=` would become the object's
 * prototype instead (a `Date` there once made `JSON.stringify` throw inside the logger). Plain objects rather
 * than prototype-free ones, which V8 keeps in its slower dictionary mode.
 */
const setField = (target: Record<string, unknown>, key: string, value: unknown) => {
  if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else target[key] = value
}

/**
 * The record as one line of JSON. An event is logged as one object, `Effect.log({ event, ...fields })`
 * (one allocation, where `annotateLogs` costs a HashMap update per field); a plain string message becomes
 * `event`, and annotations are added as fields. One `JSON.stringify` over an object in line order: writing
 * the text field by field counted more instructions (bench:count: +18k per line of three fields).
 */
export const formatLogLine = ({ annotationCount, annotations, date, level, message }: LogRecord): string => {
  const first: unknown = Array.isArray(message) ? message[0] : message
  const fields: object =
    typeof first !== "object" || first === null
      ? { event: String(first) }
      : annotationCount > 0
        ? { ...first }
        : first
  if (annotationCount > 0) for (const [key, value] of annotations) setField(fields as Record<string, unknown>, key, value)
  const line: Record<string, unknown> = { timestamp: date.toISOString(), level, event: undefined }
  const names = Object.keys(fields)
  const values = Object.values(fields)
  if (inCodeUnitOrder(names)) {
    // Every `request.completed` event comes in name order (see `requestCompleted`): no sort, no lookups.
    for (let i = 0; i < names.length; i++) addField(line, names[i]!, values[i])
  } else {
    const byName = new Map(names.map((name, i) => [name, values[i]]))
    // Code-unit order, as `<` compares; the default sort needs no comparator call per pair.
    for (const name of names.sort()) addField(line, name, byName.get(name))
  }
  return JSON.stringify(line)
}

/** True when `names` are in code-unit order already (the order the line writes them in). */
export const inCodeUnitOrder = (names: ReadonlyArray<string>): boolean => {
  for (let i = 1; i < names.length; i++) if (names[i - 1]! >= names[i]!) return false
  return true
}

/**
 * Adds one field to the line: a string clipped and credential-redacted. A field without a value is left
 * out, as `JSON.stringify` would leave it (and an object with fewer fields stays in V8's fast mode), except
 * `timestamp` and `level`, which the line holds already.
 */
const addField = (line: Record<string, unknown>, name: string, value: unknown) => {
  if (value === undefined && name !== "timestamp" && name !== "level") return
  setField(line, name, typeof value === "string" ? redactSecrets(clip(value, MAX_FIELD_CHARS)) : value)
}
