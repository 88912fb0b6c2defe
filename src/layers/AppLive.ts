/**
 * The whole application as one layer: configuration from the Worker's vars, the SDK, the pipeline's
 * services and the JSON logger. Built once per isolate by src/worker.ts.
 */
import { ConfigError, ConfigProvider, Layer } from "effect"
import type { AliasCollision } from "../domain/AgentCatalog.js"
import { AgentGateway } from "../services/AgentGateway.js"
import { AgentRegistry } from "../services/AgentRegistry.js"
import { AgentRouter } from "../services/AgentRouter.js"
import type { AgentsSdk } from "../services/AgentsSdk.js"
import type { BuildInfo } from "../services/BuildInfo.js"
import { AppConfig } from "../services/AppConfig.js"
import { Authenticator } from "../services/Authenticator.js"
import { Diagnostics } from "../services/Diagnostics.js"
import { RequestEnricher } from "../services/RequestEnricher.js"
import { RequestLog } from "../services/RequestLog.js"
import type { WorkerEnv } from "./WorkerContext.js"

/** A `ConfigProvider` over the string vars of `env` (bindings and other values are not config). */
export const configProviderFrom = (env: WorkerEnv): ConfigProvider.ConfigProvider =>
  ConfigProvider.fromMap(
    new Map(Object.entries(env).flatMap(([key, value]) => (typeof value === "string" ? [[key, value]] : [])))
  )

/** What the platform provides: the SDK's routing and the build facts. */
export type Platform = AgentsSdk | BuildInfo

/** The router and everything it needs, given the platform layer and the configuration source. */
export const appLayer = (
  platform: Layer.Layer<Platform>,
  config: ConfigProvider.ConfigProvider,
  requestLog: Layer.Layer<RequestLog> = RequestLog.Deferred
): Layer.Layer<AgentRouter, ConfigError.ConfigError | AliasCollision> => {
  const base = Layer.merge(AppConfig.Live.pipe(Layer.provide(Layer.setConfigProvider(config))), platform)
  const core = Layer.mergeAll(AgentRegistry.Live, AgentGateway.Live, RequestEnricher.Live).pipe(
    Layer.provideMerge(base)
  )
  const services = Layer.mergeAll(Diagnostics.Live, Authenticator.Live).pipe(Layer.provideMerge(core))
  // The request log layer also installs the logger its lines go through, so it is merged at the top.
  return AgentRouter.Live.pipe(Layer.provide(services), Layer.provideMerge(requestLog))
}
