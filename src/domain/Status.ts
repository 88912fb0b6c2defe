/**
 * The bodies of `/health` (cheap, safe to expose) and `/_diagnostics` (everything an operator chasing a
 * failed connection needs). Pure: the caller supplies what it observed of `env` and the build.
 */
import type { Placement } from "./Placement.js"
import { spellingsOf, type AgentCatalog, type DeclaredAgent } from "./AgentCatalog.js"
import { agentUrlTemplate } from "./Route.js"

/** What was observed about one declared agent's binding. */
export interface BindingFacts {
  readonly present: boolean
  readonly hasIdFromName: boolean
  readonly classExported: boolean
}

/** Per-agent health: whether its binding holds a Durable Object namespace. */
export const healthBody = (
  catalog: AgentCatalog,
  prefix: string,
  facts: (agent: DeclaredAgent) => BindingFacts
) => {
  const agents = catalog.agents.map((agent) => ({
    agent: agent.className,
    url: agentUrlTemplate(prefix, agent.publicName),
    bindingPresent: facts(agent).hasIdFromName
  }))
  return { status: agents.every((a) => a.bindingPresent) ? "ok" : "degraded", agents }
}

/** What is wrong with an agent's deployment, in the words of the fix. */
const problemsOf = (agent: DeclaredAgent, facts: BindingFacts): Array<string> => [
  ...(facts.present
    ? facts.hasIdFromName
      ? []
      : [`env.${agent.binding} exists but is not a Durable Object namespace (no idFromName)`]
    : [
        `env.${agent.binding} is missing: add [[durable_objects.bindings]] name = "${agent.binding}", class_name = "${agent.className}" to wrangler.toml`
      ]),
  ...(facts.classExported ? [] : [`the Worker does not export a class named ${agent.className}`])
]

/** The diagnostics report. `probes` holds round-trip results when a deep check was asked for. */
export const diagnosticsReport = (input: {
  readonly catalog: AgentCatalog
  readonly prefix: string
  readonly allowedOrigins: ReadonlyArray<string>
  readonly agentsSdkVersion: string
  readonly compatibilityDate: string
  readonly facts: (agent: DeclaredAgent) => BindingFacts
  readonly placement: ReadonlyMap<string, Placement>
  readonly probes?: ReadonlyMap<string, unknown>
}) => ({
  service: "agents-edge-router",
  agentsSdkVersion: input.agentsSdkVersion,
  compatibilityDate: input.compatibilityDate,
  prefix: input.prefix,
  allowedOrigins: input.allowedOrigins.length === 0 ? "any (no allow-list configured)" : input.allowedOrigins,
  agents: input.catalog.agents.map((agent) => {
    const facts = input.facts(agent)
    return {
      className: agent.className,
      binding: agent.binding,
      url: agentUrlTemplate(input.prefix, agent.publicName),
      urlName: agent.urlName,
      aliases: spellingsOf(agent),
      bindingPresent: facts.present,
      hasIdFromName: facts.hasIdFromName,
      classExported: facts.classExported,
      // Where its Durable Objects live; {} is the platform's default.
      placement: input.placement.get(agent.className) ?? {},
      problems: problemsOf(agent, facts),
      ...(input.probes?.has(agent.className) === true ? { probe: input.probes.get(agent.className) } : {})
    }
  })
})
