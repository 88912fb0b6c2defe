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

/** A string field as the line carries it: clipped, then credential-redacted. */
const fieldText = (value: string) => redactSecrets(clip(value, MAX_FIELD_CHARS))

/**
 * The record as one line of JSON. An event is logged as one object, `Effect.log({ event, ...fields })`
 * (one allocation, where `annotateLogs` costs a HashMap update per field); a plain string message becomes
 * `event`, and annotations are added as fields.
 */
export const formatLogLine = (record: LogRecord): string => {
  const first: unknown = Array.isArray(record.message) ? record.message[0] : record.message
  return record.annotationCount === 0 && typeof first === "object" && first !== null
    ? (eventLine(record.date, record.level, first) ?? generalLine(record, first))
    : generalLine(record, first)
}

/**
 * Any record: its fields copied into an object in line order, then `JSON.stringify`. `timestamp`, `level`
 * and `event` lead; the rest follow in code-unit order (the default sort needs no comparator call per pair).
 */
const generalLine = ({ annotationCount, annotations, date, level }: LogRecord, first: unknown): string => {
  // Objects without a prototype: a field named `__proto__` is a field, not the line's prototype.
  const fields: Record<string, unknown> = Object.assign(
    Object.create(null),
    typeof first === "object" && first !== null ? first : { event: String(first) }
  )
  if (annotationCount > 0) for (const [key, value] of annotations) fields[key] = value
  const line: Record<string, unknown> = Object.assign(Object.create(null), { timestamp: date.toISOString(), level, event: undefined })
  for (const key of Object.keys(fields).sort()) {
    const value = fields[key]
    line[key] = typeof value === "string" ? fieldText(value) : value
  }
  return JSON.stringify(line)
}

// Field names a line can be written from directly: not an array index, `__proto__`, `timestamp` or `level`,
// whose places in an object differ from their places in the sort.
const plainKey = /^[A-Za-z][A-Za-z0-9]*$/

/**
 * An event object without annotations (every `request.completed` line) written as text directly: the same
 * line as `generalLine` (test/domain/LogLine.test.ts holds them equal) without building a second object for
 * `JSON.stringify`, which cost about as much as the rest of the line (bench:count). `undefined` when a field
 * name needs the general path.
 */
const eventLine = (date: Date, level: string, event: object): string | undefined => {
  const keys = Object.keys(event).sort()
  let rest = ""
  let head = ""
  for (const key of keys) {
    if (!plainKey.test(key) || key === "timestamp" || key === "level") return undefined
    const value: unknown = Reflect.get(event, key)
    // `JSON.stringify` hands a `toJSON` its field's name inside an object, "" here.
    if (typeof value === "object" && value !== null && typeof Reflect.get(value, "toJSON") === "function") return undefined
    // As `JSON.stringify` does in an object: no field for `undefined`, a function or a symbol.
    const text: string | undefined = JSON.stringify(typeof value === "string" ? fieldText(value) : value)
    if (text === undefined) continue
    if (key === "event") head = `,"event":${text}`
    else rest += `,"${key}":${text}`
  }
  return `{"timestamp":"${date.toISOString()}","level":${JSON.stringify(level)}${head}${rest}}`
}
