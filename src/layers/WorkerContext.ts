/**
 * The Cloudflare `env` and `ExecutionContext` of the request being handled, provided per request (never
 * stored on a global) so the runtime built once per isolate never holds a stale one.
 */
import { Context } from "effect"

/** The Worker's bindings and vars as the runtime hands them over. */
export type WorkerEnv = Readonly<Record<string, unknown>>

/** The current request's `env` and `ExecutionContext`. */
export class WorkerContext extends Context.Tag("app/WorkerContext")<
  WorkerContext,
  { readonly env: WorkerEnv; readonly ctx: ExecutionContext }
>() {}
