/**
 * Micro-benchmark of the pipeline alone, in Node (no runtime): the Worker's own fetch handler (`makeHandler`,
 * as src/worker.ts builds it) over a fake namespace, against a direct call of the SDK's `routeAgentRequest`
 * on the same fake namespace. The log line is formatted and deferred as in the Worker; only the console
 * write is dropped (I/O, not pipeline cost). Two reference rows show the floor any Effect pipeline that
 * logs pays on this machine: the SDK call inside `ManagedRuntime.runPromise` (the design spike's "trivial
 * pipeline"), and that plus one `request.completed` line through the same `RequestLog`. Interleaved
 * rounds; prints requests/s and per-request cost.
 *
 *   npm run bench:micro -- [--requests 20000] [--rounds 5]
 */
import { Effect, Layer, LogLevel, ManagedRuntime } from "effect"
import { performance } from "node:perf_hooks"
import { makeHandler } from "../src/layers/WorkerRuntime.js"
import { RequestLoggerLive } from "../src/layers/Logging.js"
import { RequestLog } from "../src/services/RequestLog.js"
import { PlatformTest, routeAgentRequest } from "../test/support/Sdk.js"
import { testCtx } from "../test/support/TestApp.js"
import { intOption, options } from "../scripts/stats.js"

const opts = options(process.argv.slice(2))
const requests = intOption(opts, "requests", 20_000)
const rounds = intOption(opts, "rounds", 5)

// The same fake Durable Object for both: it answers at once, so only routing is measured.
const namespace = {
  idFromName: (name: string) => ({ name }),
  get: () => ({ fetch: async () => new Response("ok") })
}
const env = { CoderAgent: namespace }
const url = "http://bench.test/agents/coder-agent/default?_pk=1"
const headers = { "user-agent": "bench", accept: "*/*" }

const handler = makeHandler(PlatformTest, env, RequestLog.deferredTo(() => undefined))
const viaPipeline = (request: Request) => handler(request, env, testCtx)

const viaSdk = async (request: Request) => (await routeAgentRequest(request, env)) ?? new Response(null, { status: 404 })

const floor = ManagedRuntime.make(RequestLoggerLive.pipe(Layer.provideMerge(RequestLog.deferredTo(() => undefined))))
const viaRuntime = (request: Request) => floor.runPromise(Effect.promise(() => viaSdk(request)))
const viaRuntimeAndLine = (request: Request) =>
  floor.runPromise(
    Effect.flatMap(RequestLog, (log) =>
      Effect.flatMap(Effect.promise(() => viaSdk(request)), (response) =>
        Effect.as(
          log.write(
            LogLevel.Info,
            { event: "request.completed", path: new URL(request.url).pathname, status: response.status },
            testCtx
          ),
          response
        )
      )
    )
  )

const time = async (label: string, handle: (request: Request) => Promise<Response>) => {
  const started = performance.now()
  for (let i = 0; i < requests; i++) {
    const response = await handle(new Request(url, { headers }))
    if (response.status !== 200) throw new Error(`${label}: status ${response.status}`)
  }
  return ((performance.now() - started) * 1000) / requests
}

const contenders = [
  ["routeAgentRequest (direct)", viaSdk],
  ["runPromise around it", viaRuntime],
  ["  + one log line", viaRuntimeAndLine],
  ["pipeline (ours)", viaPipeline]
] as const

const main = async () => {
  for (const [label, handle] of contenders) await time(`warm ${label}`, handle)
  const perRequest = contenders.map(() => [] as Array<number>)
  for (let round = 0; round < rounds; round++) {
    // Alternate the order so no contender always runs on a warmer or cooler machine.
    const order = round % 2 === 0 ? contenders.map((_, i) => i) : contenders.map((_, i) => contenders.length - 1 - i)
    for (const i of order) perRequest[i]?.push(await time(contenders[i]![0], contenders[i]![1]))
  }
  const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN
  const medians = perRequest.map(median)
  const direct = medians[0] ?? Number.NaN
  console.log(`Node ${process.version}; ${rounds} interleaved rounds of ${requests} requests; medians\n`)
  console.log(`${"".padEnd(28)}${"µs/request".padStart(12)}${"requests/s".padStart(12)}${"over direct".padStart(13)}`)
  contenders.forEach(([label], i) => {
    const us = medians[i] ?? Number.NaN
    const over = i === 0 ? "-" : `${(us - direct).toFixed(2)} µs`
    console.log(`${label.padEnd(28)}${us.toFixed(2).padStart(12)}${(1e6 / us).toFixed(0).padStart(12)}${over.padStart(13)}`)
  })
  console.log(`\nbudget for the pipeline over the direct call: 25 µs`)
}

void main()
