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
  const fields: Record<string, unknown> =
    typeof first === "object" && first !== null ? { ...first } : { event: String(first) }
  if (annotationCount > 0) for (const [key, value] of annotations) setField(fields, key, value)
  const line: Record<string, unknown> = { timestamp: date.toISOString(), level, event: undefined }
  // Code-unit order, as `<` compares; the default sort needs no comparator call per pair.
  for (const key of Object.keys(fields).sort()) {
    const value = fields[key]
    setField(line, key, typeof value === "string" ? redactSecrets(clip(value, MAX_FIELD_CHARS)) : value)
  }
  return JSON.stringify(line)
}
