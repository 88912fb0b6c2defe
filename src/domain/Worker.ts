/**
 * The Cloudflare `env` and `ExecutionContext` of the request being handled. They are handed to each
 * request as an argument (never stored on a global), so the runtime built once per isolate never holds a
 * stale one. An argument rather than a per-request `Context` service: providing a service copies the
 * runtime's whole context on every request, which showed in the workerd profile.
 */

/** The Worker's bindings and vars as the runtime hands them over. */
export type WorkerEnv = Readonly<Record<string, unknown>>

/** True for a value the SDK would accept as a Durable Object namespace (it has `idFromName`). */
export const isNamespace = (value: unknown): boolean =>
  typeof value === "object" && value !== null && typeof Reflect.get(value, "idFromName") === "function"

/** The names of the Durable Object namespaces in `env`, as the SDK finds them (every value with `idFromName`). */
export const durableObjectBindings = (env: WorkerEnv): ReadonlyArray<string> =>
  Object.keys(env).filter((key) => isNamespace(env[key]))

/** A Workers Rate Limiting binding (`[[ratelimits]]` in wrangler.toml). */
export interface RateLimit {
  limit(options: { key: string }): Promise<{ success: boolean }>
}

/** True for a value that is a Rate Limiting binding (it has `limit`). */
export const isRateLimit = (value: unknown): value is RateLimit =>
  typeof value === "object" && value !== null && typeof Reflect.get(value, "limit") === "function"

/** The current request's `env` and `ExecutionContext`. */
export interface WorkerContext {
  readonly env: WorkerEnv
  readonly ctx: ExecutionContext
}
