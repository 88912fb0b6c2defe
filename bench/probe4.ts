import { Clock, Effect, FiberRef, HashSet, Layer, Logger, ManagedRuntime } from "effect"
import { performance } from "node:perf_hooks"
import { jsonLine } from "../src/layers/JsonLogger.js"
const N = 20000
const t = async (label: string, f: () => unknown) => { for (let i=0;i<2000;i++) await f(); const s = performance.now(); for (let i = 0; i < N; i++) await f(); console.log(label.padEnd(44), ((performance.now()-s)*1000/N).toFixed(2), "µs") }
const rt = ManagedRuntime.make(Layer.empty)
const silent = HashSet.make(Logger.make(() => undefined))
const json = HashSet.make(Logger.map(jsonLine, () => undefined))
const fields = { requestId: "abc", method: "GET", path: "/agents/coder-agent/x", agent: "CoderAgent", instance: "x", upgrade: false, outcome: "routed", status: 200, durationMs: 1, attempts: 1 }
await t("annotateLogs(10)+log, silent", () => rt.runPromise(Effect.logInfo("request.completed").pipe(Effect.annotateLogs(fields), Effect.locally(FiberRef.currentLoggers, silent))))
await t("annotateLogs(10)+log, jsonLine", () => rt.runPromise(Effect.logInfo("request.completed").pipe(Effect.annotateLogs(fields), Effect.locally(FiberRef.currentLoggers, json))))
await t("log(object), silent", () => rt.runPromise(Effect.logInfo({ event: "request.completed", ...fields }).pipe(Effect.locally(FiberRef.currentLoggers, silent))))
await t("JSON.stringify only", () => JSON.stringify({ timestamp: new Date().toISOString(), level: "INFO", event: "x", ...fields }))
await t("Clock x2", () => rt.runPromise(Effect.zip(Clock.currentTimeMillis, Clock.currentTimeMillis)))
await t("runPromise(void)", () => rt.runPromise(Effect.void))
