/** Log lines collected instead of printed, for tests that decode them. */
import { Effect, FiberRef, HashSet, Logger } from "effect"
import { jsonLine } from "../../src/services/RequestLog.js"

/** Runs `effect` with its JSON lines appended to `sink` instead of printed. */
export const collectLogs =
  (sink: Array<string>) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.locallyWith(effect, FiberRef.currentLoggers, () =>
      HashSet.make(
        Logger.map(jsonLine, (line) => {
          sink.push(line)
        })
      )
    )
