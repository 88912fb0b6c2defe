/**
 * Which declared agent a URL names, and whether this Worker's `env` really holds its Durable Object
 * namespace. The catalog is built once per isolate; the binding is checked on every request against the
 * `env` of that request.
 */
import { Context, Effect, Either, Layer, Option } from "effect"
import { lookupAgent, makeCatalog, urlNames, type AgentCatalog, type DeclaredAgent } from "../domain/AgentCatalog.js"
import { MissingBinding, RouteNotFound } from "../domain/Errors.js"
import type { WorkerEnv } from "../domain/Worker.js"
import { AgentsSdk } from "./AgentsSdk.js"
import { AppConfig } from "./AppConfig.js"

/** True for a value the SDK would accept as a Durable Object namespace (it has `idFromName`). */
export const isNamespace = (value: unknown): boolean =>
  typeof value === "object" && value !== null && typeof Reflect.get(value, "idFromName") === "function"

/** Resolves URL segments to declared agents. */
export class AgentRegistry extends Context.Tag("app/AgentRegistry")<
  AgentRegistry,
  {
    readonly catalog: AgentCatalog
    /**
     * The agent `segment` names, in any accepted spelling. Fails with `RouteNotFound` (listing the agents
     * that exist) when none answers to it, and with `MissingBinding` when `env` lacks its namespace.
     */
    readonly resolve: (
      segment: string,
      path: string,
      env: WorkerEnv
    ) => Either.Either<DeclaredAgent, RouteNotFound | MissingBinding>
  }
>() {
  /** A registry over a given catalog. */
  static readonly make = (catalog: AgentCatalog): AgentRegistry["Type"] => {
    const known = urlNames(catalog)
    return {
      catalog,
      resolve: (segment, path, env) =>
        Option.match(lookupAgent(catalog, segment), {
          onNone: () => Either.left(new RouteNotFound({ path, agent: segment, known })),
          onSome: (agent) =>
            isNamespace(env[agent.binding])
              ? Either.right(agent)
              : Either.left(new MissingBinding({ agent: agent.className, binding: agent.binding }))
        })
    }
  }

  /** The declared agents from `AppConfig`, named the way the SDK names them. Fails on an alias collision. */
  static readonly Live = Layer.effect(
    AgentRegistry,
    Effect.gen(function* () {
      const config = yield* AppConfig
      const sdk = yield* AgentsSdk
      const catalog = yield* makeCatalog(config.agents, sdk.toUrlName)
      return AgentRegistry.make(catalog)
    })
  )
}
