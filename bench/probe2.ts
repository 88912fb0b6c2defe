import { ConfigProvider, Effect, FiberRef, HashSet, Layer, Logger, ManagedRuntime } from "effect"
import { performance } from "node:perf_hooks"
import { appLayer } from "../src/layers/AppLive.js"
import { WorkerContext } from "../src/layers/WorkerContext.js"
import { AgentRouter } from "../src/services/AgentRouter.js"
import { AgentsSdk } from "../src/services/AgentsSdk.js"
import { BuildInfoTest } from "../test/support/Sdk.js"
import { testCtx } from "../test/support/TestApp.js"
const sdk = Layer.succeed(AgentsSdk, { routeAgentRequest: async () => new Response("ok"), toUrlName: (b: string) => (b === "CoderAgent" ? "coder-agent" : b.toLowerCase()) })
const r = ManagedRuntime.make(appLayer(Layer.merge(sdk, BuildInfoTest), ConfigProvider.fromMap(new Map())))
const env = { CoderAgent: { idFromName: () => 1 } }
const silent = HashSet.make(Logger.make(() => undefined))
const url = "http://bench.test/agents/coder-agent/default?_pk=1"
const one = () => r.runPromise(Effect.flatMap(AgentRouter, (x) => x.handle(new Request(url))).pipe(Effect.provideService(WorkerContext, { env, ctx: testCtx }), Effect.locally(FiberRef.currentLoggers, silent)))
const N = Number(process.env["N"] ?? 30000)
for (let i = 0; i < 2000; i++) await one()
const s = performance.now()
for (let i = 0; i < N; i++) await one()
console.log(((performance.now() - s) * 1000 / N).toFixed(2), "µs")
