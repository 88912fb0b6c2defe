/**
 * Which of an entry module's exports are agents: the classes that extend the SDK's `Agent` (so
 * `AIChatAgent` and any plain `Agent` subclass count; a helper class or a function does not). The one
 * place the router learns the Worker's agent classes: export a class from the entry and bind it in
 * wrangler.toml, nothing else.
 */
import { Agent } from "agents"
import { workerFor } from "../layers/WorkerRuntime.js"

const isAgentClass = (value: unknown): value is typeof Agent => typeof value === "function" && value.prototype instanceof Agent

/** The agent classes among `exports` (a module namespace; `default` is the handler), by export name. */
const agentClasses = (exports: Readonly<Record<string, unknown>>): ReadonlyArray<readonly [string, typeof Agent]> =>
  Object.keys(exports).flatMap((name) => {
    const value = name === "default" ? undefined : exports[name]
    return isAgentClass(value) ? [[name, value] as const] : []
  })

/** The names of the agent classes among `exports`. */
export const agentClassNames = (exports: Readonly<Record<string, unknown>>): ReadonlyArray<string> =>
  agentClasses(exports).map(([name]) => name)

/**
 * Gives every exported agent class its export name as `name`. The SDK reads `constructor.name` for the
 * identity frame's agent name and to look a class up in `ctx.exports` (a sub-agent's root); the deploy build minifies class names,
 * since esbuild's `keep_names` is off (wrangler.toml: it re-named every named closure Effect and the SDK
 * create per call, measurable per request). The export name is the one `ctx.exports` knows, so an agent
 * exported under another name than its class's works too.
 */
export const nameAgentClasses = (exports: Readonly<Record<string, unknown>>): void => {
  for (const [name, cls] of agentClasses(exports)) {
    if (cls.name !== name) Object.defineProperty(cls, "name", { value: name, configurable: true })
  }
}

/**
 * The Worker for an entry module (its namespace, `import * as entry`): the router over the agent classes it
 * exports, read when the first request builds the runtime. Each gets its export name as `name` once the
 * entry has evaluated (a microtask: by then every export is initialized; workerd makes no agent before).
 */
export const entryWorker = (entry: Readonly<Record<string, unknown>>): ExportedHandler<Record<string, unknown>> => {
  queueMicrotask(() => nameAgentClasses(entry))
  return workerFor(() => agentClassNames(entry))
}
