/** Reading what a local runtime prints: whole lines from its streams, JSON events in them, and waiting for them. */
import type { Readable } from "node:stream"

/**
 * Appends every whole line `stream` prints to `lines`. One partial-line buffer per stream: stdout and
 * stderr chunks interleave, and a shared buffer would splice lines together.
 */
export const collectLines = (stream: Readable, lines: Array<string>): void => {
  let partial = ""
  stream.on("data", (chunk: Buffer) => {
    const parts = (partial + chunk.toString("utf8")).split("\n")
    partial = parts.pop() ?? ""
    lines.push(...parts)
  })
}

/** Parses the JSON log lines with the given event name. */
export const eventsIn = (lines: ReadonlyArray<string>, event: string): Array<Record<string, unknown>> =>
  lines.flatMap((line) => {
    const start = line.indexOf("{")
    if (start === -1) return []
    const parsed: unknown = (() => {
      try {
        return JSON.parse(line.slice(start))
      } catch {
        return undefined
      }
    })()
    return typeof parsed === "object" && parsed !== null && Reflect.get(parsed, "event") === event
      ? [parsed as Record<string, unknown>]
      : []
  })

/**
 * Reads `read()` until `done` holds or `timeoutMs` (5 s) pass, and returns the last reading. The router prints
 * a request's line after its answer, so a test that has the answer may not have the line yet.
 */
export const waitFor = async <A>(read: () => A, done: (value: A) => boolean, timeoutMs = 5_000): Promise<A> => {
  const deadline = Date.now() + timeoutMs
  let value = read()
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50))
    value = read()
  }
  return value
}
