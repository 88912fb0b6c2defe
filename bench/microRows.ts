/**
 * The four rows bench:micro and bench:count measure, built from one tree's modules (this checkout's or a git
 * ref's): the SDK's `routeAgentRequest` called directly, that call inside `ManagedRuntime.runPromise`, that
 * plus one `request.completed` line through the tree's `RequestLog` (the floor), and the Worker's own handler
 * (`makeHandler`). One fake Durable Object for all: it answers at once, so only routing is measured, and
 * echoes the request id as the agents here do.
 */
import { Effect, Layer, LogLevel, ManagedRuntime } from "effect"

/** What the rows need from a tree. */
export interface TreeModules {
  readonly runtime: typeof import("../src/layers/WorkerRuntime.js")
  readonly logging: typeof import("../src/layers/Logging.js")
  readonly log: typeof import("../src/services/RequestLog.js")
  readonly sdk: typeof import("../test/support/Sdk.js")
  readonly app: typeof import("../test/support/TestApp.js")
}

/** Where each of `TreeModules` lives in a tree (bench:micro imports them, bench:count bundles them). */
export const treeModulePaths: { readonly [K in keyof TreeModules]: string } = {
  runtime: "src/layers/WorkerRuntime.ts",
  logging: "src/layers/Logging.ts",
  log: "src/services/RequestLog.ts",
  sdk: "test/support/Sdk.ts",
  app: "test/support/TestApp.ts"
}

export type Handle = (request: Request) => Promise<Response>

/** Indexes of the rows: the router's steps are `PIPELINE` over `FLOOR`. */
export const DIRECT = 0
export const FLOOR = 2
export const PIPELINE = 3

export const rowLabels = ["routeAgentRequest (direct)", "runPromise around it", "  + one log line", "pipeline (ours)"] as const

/** The rows in `rowLabels` order. */
export const rowsFrom = ({ app, log, logging, runtime, sdk }: TreeModules): ReadonlyArray<Handle> => {
  // Answers at once, echoing the router's request id as the agents here do (src/agents/RequestIdEcho.ts).
  const answer = async (request: Request) => {
    const id = request.headers.get("x-request-id")
    return new Response("ok", id === null ? undefined : { headers: { "x-request-id": id } })
  }
  const namespace = { idFromName: (name: string) => ({ name }), get: () => ({ fetch: answer }) }
  const env = { CoderAgent: namespace }
  const { RequestLog } = log
  // Lines are formatted and deferred as in the Worker; only the console write is dropped (I/O, not pipeline cost).
  const discard = RequestLog.deferredTo(() => undefined)
  const handler = runtime.makeHandler(sdk.PlatformTest, env, discard)
  const viaSdk: Handle = async (request) => (await sdk.routeAgentRequest(request, env)) ?? new Response(null, { status: 404 })
  const floor = ManagedRuntime.make(logging.RequestLoggerLive.pipe(Layer.provideMerge(discard)))
  const line = (request: Request, response: Response) => ({
    event: "request.completed",
    path: new URL(request.url).pathname,
    status: response.status
  })
  return [
    viaSdk,
    (request) => floor.runPromise(Effect.promise(() => viaSdk(request))),
    (request) =>
      floor.runPromise(
        Effect.flatMap(RequestLog, (requestLog) =>
          Effect.flatMap(Effect.promise(() => viaSdk(request)), (response) =>
            Effect.as(requestLog.write(LogLevel.Info, line(request, response), app.testCtx), response)
          )
        )
      ),
    (request) => handler(request, env, app.testCtx)
  ]
}

const url = "http://bench.test/agents/coder-agent/default?_pk=1"
const headers = { "user-agent": "bench", accept: "*/*" }

/** Sends `count` requests one after another; false if any was not answered 200. */
export const drive = async (handle: Handle, count: number): Promise<boolean> => {
  for (let i = 0; i < count; i++) {
    const response = await handle(new Request(url, { headers }))
    if (response.status !== 200) return false
  }
  return true
}
