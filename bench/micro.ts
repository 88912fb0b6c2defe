/**
 * Micro-benchmark of the pipeline alone, in Node (no runtime): the Worker's own fetch handler (`makeHandler`,
 * as src/worker.ts builds it) over a fake namespace, against a direct call of the SDK's `routeAgentRequest`
 * on the same fake namespace. The log line is formatted and deferred as in the Worker; only the console
 * write is dropped (I/O, not pipeline cost). Two reference rows show the floor any Effect pipeline that
 * logs pays on this machine: the SDK call inside `ManagedRuntime.runPromise` (the design spike's "trivial
 * pipeline"), and that plus one `request.completed` line through the same `RequestLog`. Interleaved
 * rounds; prints requests/s and per-request cost.
 *
 * `--ref a,b` adds the pipeline as each git ref had it (its own modules, from a throw-away worktree) as
 * more contenders in the same process: separate runs on a shared host differ by more than a step costs.
 * Name the same ref twice to see the noise of the run (`--ref HEAD,HEAD`: 6.6 µs apart at 20 x 2,000 here);
 * compare refs with refs, since the "pipeline (ours)" row shares its modules with the floor rows.
 *
 *   npm run bench:micro -- [--requests 20000] [--rounds 5] [--ref HEAD~1,HEAD]
 */
import { Effect, Layer, LogLevel, ManagedRuntime } from "effect"
import { join } from "node:path"
import { performance } from "node:perf_hooks"
import { makeHandler } from "../src/layers/WorkerRuntime.js"
import { RequestLoggerLive } from "../src/layers/Logging.js"
import { RequestLog } from "../src/services/RequestLog.js"
import { PlatformTest, routeAgentRequest } from "../test/support/Sdk.js"
import { testCtx } from "../test/support/TestApp.js"
import { intOption, options } from "../scripts/stats.js"
import { openWorktree, shortRef } from "./worktree.js"

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

type Handle = (request: Request) => Promise<Response>
const contenders: Array<readonly [string, Handle]> = [
  ["routeAgentRequest (direct)", viaSdk],
  ["runPromise around it", viaRuntime],
  ["  + one log line", viaRuntimeAndLine],
  ["pipeline (ours)", viaPipeline]
]

/** The pipeline as `ref` built it, over the same fake namespace. */
const pipelineAt = async (dir: string): Promise<Handle> => {
  const runtime = (await import(join(dir, "src/layers/WorkerRuntime.ts"))) as typeof import("../src/layers/WorkerRuntime.js")
  const log = (await import(join(dir, "src/services/RequestLog.ts"))) as typeof import("../src/services/RequestLog.js")
  const sdk = (await import(join(dir, "test/support/Sdk.ts"))) as typeof import("../test/support/Sdk.js")
  const handlerAt = runtime.makeHandler(sdk.PlatformTest, env, log.RequestLog.deferredTo(() => undefined))
  return (request) => handlerAt(request, env, testCtx)
}

const main = async () => {
  const refs = opts.get("ref")?.split(",").map((ref) => ref.trim()) ?? []
  const trees = refs.map(openWorktree)
  try {
    for (const [i, ref] of refs.entries()) contenders.push([`pipeline at ${shortRef(ref)}${i > 0 && refs.indexOf(ref) < i ? " again" : ""}`, await pipelineAt(trees[i]!.dir)])
    await measure()
  } finally {
    for (const tree of trees) tree.remove()
  }
}

const measure = async () => {
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
