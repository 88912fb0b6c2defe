/**
 * The production application layer (`makeAppLive`) over the real SDK routing function, with `env` vars as
 * configuration and fake Durable Object namespaces as bindings; log lines are collected, not printed.
 */
import { ConfigProvider, Effect, Layer } from "effect"
import type { WorkerEnv } from "../../src/domain/Worker.js"
import { makeAppLive } from "../../src/layers/AppLive.js"
import { AgentRouter } from "../../src/services/AgentRouter.js"
import { RequestLog } from "../../src/services/RequestLog.js"
import { WorkerBindings } from "../../src/services/WorkerBindings.js"
import { collectLogs } from "./Logs.js"
import { PlatformTest } from "./Sdk.js"

/**
 * An `ExecutionContext` whose `waitUntil` is the given one; the members the router never uses die loudly
 * (a fake that made up an answer would hide a new use).
 */
export const fakeCtx = (waitUntil: (promise: Promise<unknown>) => void): ExecutionContext => {
  const unused = (member: string) => (): never => {
    throw new Error(`the test ExecutionContext has no ${member}`)
  }
  return {
    waitUntil,
    passThroughOnException: () => undefined,
    props: {},
    get exports(): never {
      return unused("exports")()
    },
    get tracing(): never {
      return unused("tracing")()
    },
    mapVirtualHost: unused("mapVirtualHost"),
    abort: unused("abort")
  }
}

/** An `ExecutionContext` for requests that schedule no background work. */
export const testCtx: ExecutionContext = fakeCtx(() => undefined)

/**
 * The application with the given vars (strings) as configuration, built for an `env` whose Durable Object
 * bindings are `bindings` (what agents are discovered from when `AGENTS` is unset).
 */
export const testApp = (vars: Record<string, string> = {}, bindings: ReadonlyArray<string> = ["CoderAgent"]) =>
  makeAppLive(Layer.merge(PlatformTest, Layer.succeed(WorkerBindings, { durableObjects: bindings })), ConfigProvider.fromMap(new Map(Object.entries(vars))), RequestLog.Immediate)

/** Runs one request through the router with `env`, appending its log lines to `logs`. */
export const send = (request: Request, env: WorkerEnv, logs: Array<string> = []) =>
  Effect.flatMap(AgentRouter, (router) => router.handle(request, { env, ctx: testCtx })).pipe(collectLogs(logs))

/** A request to the test origin. */
export const request = (path: string, init?: RequestInit) => new Request(`http://router.test${path}`, init)

/** Headers of a valid WebSocket upgrade (RFC 6455 example key). */
export const upgradeHeaders = (): Record<string, string> => ({
  upgrade: "websocket",
  connection: "Upgrade",
  "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
  "sec-websocket-version": "13"
})
