/**
 * Which of an entry module's exports are agents: the classes that extend the SDK's `Agent` (so
 * `AIChatAgent` and any plain `Agent` subclass count; a helper class or a function does not). The one
 * place the router learns the Worker's agent classes: export a class from the entry and bind it in
 * wrangler.toml, nothing else.
 */
import { Agent } from "agents"

/** The names of the agent classes among `exports` (a module namespace). */
export const agentClassNames = (exports: Readonly<Record<string, unknown>>): ReadonlyArray<string> =>
  Object.keys(exports).filter((name) => {
    const value = exports[name]
    return typeof value === "function" && value.prototype instanceof Agent
  })
