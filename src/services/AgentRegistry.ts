/**
 * Which declared agent a URL names, and whether this Worker's `env` really holds its Durable Object
 * namespace. The catalog is built once per isolate; the binding is checked on every request against the
 * `env` of that request.
 */
import { Context, Effect, Either, Layer, Option } from "effect"
import {
  discoverAgents,
  lookupAgent,
  makeCatalog,
  publicNames,
  type AgentCatalog,
  type DeclaredAgent
} from "../domain/AgentCatalog.js"
import { MissingBinding, RouteNotFound } from "../domain/Errors.js"
import { durableObjectBindings, isNamespace, type WorkerEnv } from "../domain/Worker.js"
import { AgentsSdk } from "./AgentsSdk.js"
import { AppConfig } from "./AppConfig.js"
import { BuildInfo } from "./BuildInfo.js"
import { WorkerBindings } from "./WorkerBindings.js"

/** Resolves URL segments to declared agents. */
export class AgentRegistry extends Context.Tag("app/AgentRegistry")<
  AgentRegistry,
  {
    readonly catalog: AgentCatalog
    /** The agent classes a sub-agent step may name: every agent class the Worker exports, bound or not. */
    readonly children: AgentCatalog
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
  /** A registry over a given catalog (and child classes; by default the catalog's own). */
  static readonly make = (catalog: AgentCatalog, children: AgentCatalog = catalog): AgentRegistry["Type"] => {
    const known = publicNames(catalog)
    const declared = new Set(catalog.agents.map((agent) => agent.binding))
    // Namespaces no declared agent uses: where a missing one may be bound under another name.
    const elsewhere = (env: WorkerEnv) => durableObjectBindings(env).filter((binding) => !declared.has(binding))
    return {
      catalog,
      children,
      resolve: (segment, path, env) =>
        Option.match(lookupAgent(catalog, segment), {
          onNone: () => Either.left(new RouteNotFound({ path, agent: segment, known })),
          onSome: (agent) =>
            isNamespace(env[agent.binding])
              ? Either.right(agent)
              : Either.left(new MissingBinding({ agent: agent.className, binding: agent.binding, elsewhere: elsewhere(env) }))
        })
    }
  }

  /**
   * The agents `AGENTS` declares, or without it those `env` binds (`discoverAgents`, as the SDK routes
   * every namespace), named the way the SDK names them. Fails on an alias collision.
   */
  static readonly Live = Layer.effect(
    AgentRegistry,
    Effect.gen(function* () {
      const config = yield* AppConfig
      const sdk = yield* AgentsSdk
      const bindings = yield* WorkerBindings
      const build = yield* BuildInfo
      const declarations = Option.getOrElse(config.agents, () => discoverAgents(bindings.durableObjects, build.exportedClasses))
      const catalog = yield* makeCatalog(declarations, sdk.toUrlName)
      // Facets need no binding: the SDK reaches them through ctx.exports by their class's kebab-case name.
      const children = yield* makeCatalog(
        build.exportedClasses.map((className) => ({ className, binding: className })),
        sdk.toUrlName
      )
      return AgentRegistry.make(catalog, children)
    })
  )
}
