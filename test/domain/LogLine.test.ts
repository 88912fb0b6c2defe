import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc, HashMap } from "effect"
import { formatLogLine, type LogRecord, MAX_FIELD_CHARS, redactSecrets } from "../../src/domain/LogLine.js"
import { clip } from "../../src/domain/Clip.js"

/**
 * The line as the format defines it, over prototype-free objects (so every field, `__proto__` included, is a
 * field): the implementation gets there another way, with plain objects for speed.
 */
const reference = ({ annotationCount, annotations, date, level, message }: LogRecord): string => {
  const first: unknown = Array.isArray(message) ? message[0] : message
  const fields: Record<string, unknown> = Object.create(null)
  Object.assign(fields, typeof first === "object" && first !== null ? first : { event: String(first) })
  if (annotationCount > 0) for (const [key, value] of annotations) fields[key] = value
  const line: Record<string, unknown> = Object.create(null)
  Object.assign(line, { timestamp: date.toISOString(), level, event: undefined })
  for (const key of Object.keys(fields).sort()) {
    const value = fields[key]
    line[key] = typeof value === "string" ? redactSecrets(clip(value, MAX_FIELD_CHARS)) : value
  }
  return JSON.stringify(line)
}

const record = (message: unknown, annotations: ReadonlyArray<readonly [string, unknown]> = []): LogRecord => ({
  date: new Date(Date.UTC(2026, 10, 30, 21, 0, 0, 123)),
  level: "INFO",
  message: [message],
  annotations: HashMap.fromIterable(annotations),
  annotationCount: annotations.length
})

// Names like the schema's, and the awkward ones: array indexes, __proto__, timestamp, level, not identifiers.
const key = fc.oneof(
  fc.constantFrom("event", "requestId", "path", "status", "timestamp", "level", "0", "12", "__proto__", "a-b", "Zeta", "x1"),
  fc.string({ maxLength: 8 })
)
const value = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom("Bearer abc.def", "token=s3cret&x=1", "x".repeat(MAX_FIELD_CHARS + 5), "\ud800", "say \"hi\"\n"),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.constant(() => 1),
  fc.array(fc.record({ agent: fc.string({ maxLength: 5 }), instance: fc.string({ maxLength: 5 }) }), { maxLength: 2 }),
  fc.constant(new Date(0))
)

describe("formatLogLine", () => {
  it("writes every record as the reference format does: events or strings, with or without annotations", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.dictionary(key, value, { maxKeys: 14 }), fc.string({ maxLength: 30 })),
        fc.array(fc.tuple(key, value), { maxLength: 3 }),
        (message, annotations) => {
          expect(formatLogLine(record(message, annotations))).toBe(reference(record(message, annotations)))
        }
      ),
      { numRuns: 2_000 }
    )
  })

  it("writes events whose fields are already in name order (no sort) as the reference format does", () => {
    const inOrder = (fields: Record<string, unknown>) => {
      const event: Record<string, unknown> = {}
      for (const name of Object.keys(fields).sort())
        Object.defineProperty(event, name, { value: fields[name], enumerable: true, writable: true, configurable: true })
      return event
    }
    const names = fc.oneof(key, fc.constantFrom("agent", "attempts", "clientRequestId", "durationMs", "instance", "method", "subAgents", "user"))
    fc.assert(
      fc.property(fc.dictionary(names, value, { maxKeys: 20 }), fc.array(fc.tuple(key, value), { maxLength: 2 }), (fields, annotations) => {
        const event = inOrder(fields)
        expect(formatLogLine(record(event, annotations))).toBe(reference(record(event, annotations)))
      }),
      { numRuns: 3_000 }
    )
  })

  it("keeps a field named __proto__ as a field (it once became the line's prototype, and a Date there threw)", () => {
    const event = Object.defineProperty({ event: "x" }, "__proto__", { value: new Date(0), enumerable: true })
    expect(formatLogLine(record(event))).toBe(
      '{"timestamp":"2026-11-30T21:00:00.123Z","level":"INFO","event":"x","__proto__":"1970-01-01T00:00:00.000Z"}'
    )
  })

  it("writes a request.completed line with timestamp, level and event first, then the fields in name order", () => {
    const line = formatLogLine(
      record({ event: "request.completed", status: 200, path: "/agents/x/y?token=abc", agent: "X", upgrade: false, attempts: undefined })
    )
    expect(line).toBe(
      '{"timestamp":"2026-11-30T21:00:00.123Z","level":"INFO","event":"request.completed","agent":"X","path":"/agents/x/y?token=[redacted]","status":200,"upgrade":false}'
    )
  })
})
