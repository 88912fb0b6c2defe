import { Effect, ManagedRuntime, Layer, Logger, FiberRef, HashSet } from "effect"
import { performance } from "node:perf_hooks"
import { RequestEnricher } from "../src/services/RequestEnricher.js"
const N = 20000
const t = async (label: string, f: () => unknown) => { for (let i=0;i<2000;i++) await f(); const s = performance.now(); for (let i = 0; i < N; i++) await f(); console.log(label.padEnd(40), ((performance.now()-s)*1000/N).toFixed(2), "µs") }
const url = "http://bench.test/agents/coder-agent/default?_pk=1"
const req = new Request(url, { headers: { a: "b" } })
const rt = ManagedRuntime.make(Layer.empty)
await t("new Request", () => new Request(url, { headers: { a: "b" } }))
await t("clone", () => req.clone())
await t("enrich", () => RequestEnricher.forwardedRequest(req, url, "id", false))
await t("new Response", () => new Response("ok"))
await t("runtime.runPromise(void)", () => rt.runPromise(Effect.void))
await t("runtime.runPromise(gen 10 steps)", () => rt.runPromise(Effect.gen(function*(){ for (let i=0;i<10;i++) yield* Effect.succeed(i) })))
await t("runPromise(promise)", () => rt.runPromise(Effect.promise(() => Promise.resolve(1))))
await t("runPromise(timeoutFail promise)", () => rt.runPromise(Effect.promise(() => Promise.resolve(1)).pipe(Effect.timeout("15 seconds"))))
await t("runPromise(logInfo)", () => rt.runPromise(Effect.logInfo("x").pipe(Effect.locally(FiberRef.currentLoggers, HashSet.make(Logger.make(() => undefined))))))
await t("crypto.randomUUID", () => crypto.randomUUID())
import { ConfigProvider } from "effect"
import { appLayer } from "../src/layers/AppLive.js"
import { WorkerContext } from "../src/layers/WorkerContext.js"
import { AgentRouter } from "../src/services/AgentRouter.js"
import { AgentsSdk } from "../src/services/AgentsSdk.js"
import { BuildInfoTest } from "../test/support/Sdk.js"
import { testCtx } from "../test/support/TestApp.js"
const sdk = Layer.succeed(AgentsSdk, { routeAgentRequest: async () => new Response("ok"), toUrlName: (b: string) => b === "CoderAgent" ? "coder-agent" : b.toLowerCase() })
const mk = (vars: Record<string,string>) => ManagedRuntime.make(appLayer(Layer.merge(sdk, BuildInfoTest), ConfigProvider.fromMap(new Map(Object.entries(vars)))))
const env = { CoderAgent: { idFromName: () => 1 } }
const silent = HashSet.make(Logger.make(() => undefined))
for (const [label, vars] of [["handle, fake sdk", {}], ["handle, fake sdk, 1 attempt", { ROUTING_MAX_ATTEMPTS: "1" }]] as const) {
  const r = mk(vars)
  await t(label, () => r.runPromise(Effect.flatMap(AgentRouter, (x) => x.handle(new Request(url))).pipe(Effect.provideService(WorkerContext, { env, ctx: testCtx }), Effect.locally(FiberRef.currentLoggers, silent))))
}
await t("setTimeout+clear", () => clearTimeout(setTimeout(() => 0, 15000)))
