/**
 * Micro-benchmark of the pipeline alone, in Node (no runtime): the Worker's own fetch handler (`makeHandler`,
 * as src/worker.ts builds it) over a fake namespace, against a direct call of the SDK's `routeAgentRequest`
 * on the same fake namespace. The log line is formatted and deferred as in the Worker; only the console
 * write is dropped (I/O, not pipeline cost). Interleaved rounds; prints requests/s and per-request cost.
 *
 *   npm run bench:micro -- [--requests 20000] [--rounds 5]
 */
import { performance } from "node:perf_hooks"
import { makeHandler } from "../src/layers/Handler.js"
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

const handler = makeHandler(PlatformTest, env, RequestLog.deferred(() => undefined))
const viaPipeline = (request: Request) => handler(request, env, testCtx)

const viaSdk = async (request: Request) => (await routeAgentRequest(request, env)) ?? new Response(null, { status: 404 })

const time = async (label: string, handle: (request: Request) => Promise<Response>) => {
  const started = performance.now()
  for (let i = 0; i < requests; i++) {
    const response = await handle(new Request(url, { headers }))
    if (response.status !== 200) throw new Error(`${label}: status ${response.status}`)
  }
  return ((performance.now() - started) * 1000) / requests
}

const main = async () => {
  await time("warm pipeline", viaPipeline)
  await time("warm sdk", viaSdk)
  const perRequest = { pipeline: [] as Array<number>, sdk: [] as Array<number> }
  for (let round = 0; round < rounds; round++) {
    perRequest.pipeline.push(await time("pipeline", viaPipeline))
    perRequest.sdk.push(await time("sdk", viaSdk))
  }
  const median = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN
  const pipeline = median(perRequest.pipeline)
  const sdk = median(perRequest.sdk)
  console.log(`Node ${process.version}; ${rounds} interleaved rounds of ${requests} requests; medians\n`)
  console.log(`                      µs/request   requests/s`)
  console.log(`pipeline (ours)       ${pipeline.toFixed(2).padStart(10)}   ${(1e6 / pipeline).toFixed(0).padStart(10)}`)
  console.log(`routeAgentRequest     ${sdk.toFixed(2).padStart(10)}   ${(1e6 / sdk).toFixed(0).padStart(10)}`)
  console.log(`overhead              ${(pipeline - sdk).toFixed(2).padStart(10)} µs per request (budget 25)`)
}

void main()
