/**
 * Who may see technical details, and what they see. Diagnostics are allowed for every request when the
 * `DIAGNOSTICS` var is on (local development), otherwise only for requests whose `x-diagnostics-token`
 * header matches the `DIAGNOSTICS_TOKEN` secret (compared in constant time, over SHA-256 digests so the
 * lengths do not leak either).
 */
import { Clock, Context, Effect, Layer, Option } from "effect"
import type { DeclaredAgent } from "../domain/AgentCatalog.js"
import { DIAGNOSTICS_TOKEN_HEADER } from "../domain/Headers.js"
import { canonicalPath, encodePathSegment } from "../domain/Route.js"
import { diagnosticsReport, healthBody, type BindingFacts } from "../domain/Status.js"
import { isNamespace, type WorkerEnv } from "../domain/Worker.js"
import { AgentGateway } from "./AgentGateway.js"
import { AgentRegistry } from "./AgentRegistry.js"
import { AppConfig } from "./AppConfig.js"
import { BuildInfo } from "./BuildInfo.js"
import { RequestEnricher } from "./RequestEnricher.js"
import { secretMatcher } from "./Secrets.js"

/** The instance `?probe=1` sends its HTTP GET to. */
export const PROBE_INSTANCE = "__diagnostics_probe"

/** Who may see details, and the health and diagnostics bodies over the registry and build facts. */
const make = Effect.gen(function* () {
  const config = yield* AppConfig
  const registry = yield* AgentRegistry
  const gateway = yield* AgentGateway
  const build = yield* BuildInfo
  const enricher = yield* RequestEnricher
  const matchesToken = yield* Effect.transposeMapOption(config.diagnosticsToken, secretMatcher)

  const allows = (request: Request): Effect.Effect<boolean> => {
    if (config.diagnostics) return Effect.succeed(true)
    const given = request.headers.get(DIAGNOSTICS_TOKEN_HEADER)
    if (Option.isNone(matchesToken) || given === null) return Effect.succeed(false)
    return matchesToken.value(given)
  }

  const factsIn = (env: WorkerEnv) => (agent: DeclaredAgent): BindingFacts => ({
    present: env[agent.binding] !== undefined,
    hasIdFromName: isNamespace(env[agent.binding]),
    classExported: build.exportedClasses.includes(agent.className)
  })

  const probeOne = (env: WorkerEnv, origin: string, agent: DeclaredAgent, requestId: string) =>
    Effect.gen(function* () {
      const started = yield* Clock.currentTimeMillis
      const url = `${origin}${canonicalPath(config.prefix, agent.urlName, encodePathSegment(PROBE_INSTANCE), "")}`
      const probe = new Request(url)
      const forwarding = enricher.enrich(probe, probe.url, url, requestId, { consumed: false })
      const outcome = yield* Effect.either(gateway.forward({ forwarding, agent, instance: PROBE_INSTANCE, env }))
      const roundTripMs = (yield* Clock.currentTimeMillis) - started
      return outcome._tag === "Right"
        ? { ok: outcome.right.response.ok, status: outcome.right.response.status, roundTripMs }
        : { ok: false, error: outcome.left.reason, cause: outcome.left.cause, roundTripMs }
    })

  const report = (env: WorkerEnv, origin: string, probe: boolean, requestId: string) =>
    Effect.gen(function* () {
      const facts = factsIn(env)
      const probes = new Map<string, unknown>()
      if (probe) {
        for (const agent of registry.catalog.agents) {
          probes.set(
            agent.className,
            facts(agent).hasIdFromName ? yield* probeOne(env, origin, agent, requestId) : { ok: false, error: "missing_binding" }
          )
        }
      }
      return diagnosticsReport({
        catalog: registry.catalog,
        prefix: config.prefix,
        allowedOrigins: config.allowedOrigins,
        agentsSdkVersion: build.agentsSdkVersion,
        compatibilityDate: build.compatibilityDate,
        facts,
        placement: config.placement,
        probes
      })
    })

  return {
    /** Whether this request may see technical details and `/_diagnostics`. */
    allows,
    /** The `/health` body for `env`. */
    health: (env: WorkerEnv) => healthBody(registry.catalog, config.prefix, factsIn(env)),
    /** The `/_diagnostics` report (with a round trip to each agent when `probe`). */
    report
  }
})

/** Decides who sees details and builds the health and diagnostics bodies. */
export class Diagnostics extends Context.Tag("app/Diagnostics")<Diagnostics, Effect.Effect.Success<typeof make>>() {
  static readonly Live = Layer.effect(this, make)
}
