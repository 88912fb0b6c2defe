import { performance } from "node:perf_hooks"
import { makeHandler as makeNew } from "../src/layers/WorkerRuntime.js"
import { RequestLog as LogNew } from "../src/services/RequestLog.js"
import { makeHandler as makeOld } from "/tmp/before/src/layers/Handler.js"
import { RequestLog as LogOld } from "/tmp/before/src/services/RequestLog.js"
import { PlatformTest } from "../test/support/Sdk.js"
import { PlatformTest as PlatformOld } from "/tmp/before/test/support/Sdk.js"
import { testCtx } from "../test/support/TestApp.js"

const namespace = { idFromName: (name: string) => ({ name }), get: () => ({ fetch: async () => new Response("ok") }) }
const env = { CoderAgent: namespace }
const url = "http://bench.test/agents/coder-agent/default?_pk=1"
const headers = { "user-agent": "bench", accept: "*/*" }
const hNew = makeNew(PlatformTest, env, LogNew.deferredTo(() => undefined))
const hOld = makeOld(PlatformOld as never, env, LogOld.deferred(() => undefined))
const N = 2000
const time = async (h: typeof hNew) => {
  const t = performance.now()
  for (let i = 0; i < N; i++) { const r = await h(new Request(url, { headers }), env, testCtx); if (r.status !== 200) throw new Error(String(r.status)) }
  return ((performance.now() - t) * 1000) / N
}
const main = async () => {
  await time(hNew); await time(hOld)
  const a: number[] = [], b: number[] = []
  for (let r = 0; r < 60; r++) { if (r % 2) { a.push(await time(hNew)); b.push(await time(hOld)) } else { b.push(await time(hOld)); a.push(await time(hNew)) } }
  const med = (x: number[]) => [...x].sort((p, q) => p - q)[Math.floor(x.length / 2)]
  console.log("new", a.map((x) => x.toFixed(1)).join(" "), "median", med(a)?.toFixed(1))
  console.log("old", b.map((x) => x.toFixed(1)).join(" "), "median", med(b)?.toFixed(1))
}
void main()
