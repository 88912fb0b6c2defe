/**
 * The whole application as one layer: configuration from the Worker's vars, the platform (the SDK and the
 * build facts), the pipeline's services, the request log and the logger its lines go through. Built once
 * per isolate by src/layers/WorkerRuntime.ts.
 */
import { type ConfigError, ConfigProvider, Layer } from "effect"
import type { AliasCollision } from "../domain/AgentCatalog.js"
import { AgentGateway } from "../services/AgentGateway.js"
import { AgentRegistry } from "../services/AgentRegistry.js"
import { AgentRouter } from "../services/AgentRouter.js"
import type { AgentsSdk } from "../services/AgentsSdk.js"
import { AppConfig } from "../services/AppConfig.js"
import { Authenticator } from "../services/Authenticator.js"
import type { BuildInfo } from "../services/BuildInfo.js"
import type { SocketRefusal } from "../services/SocketRefusal.js"
import type { WorkerBindings } from "../services/WorkerBindings.js"
import { Diagnostics } from "../services/Diagnostics.js"
import { OwnPages } from "../services/OwnPages.js"
import { RequestEnricher } from "../services/RequestEnricher.js"
import type { RequestLog } from "../services/RequestLog.js"
import { RequestLoggerLive } from "./Logging.js"

/** What the Worker module provides the application: the SDK's routing, the build facts and `env`'s bindings. */
export type WorkerPlatform = AgentsSdk | BuildInfo | WorkerBindings | SocketRefusal

/**
 * The router and everything it needs, from the platform, the configuration source and the request log
 * (`RequestLog.Live` in the Worker). The runtime's logger is the request log's, so every line takes one path.
 */
export const makeAppLive = (
  platform: Layer.Layer<WorkerPlatform>,
  config: ConfigProvider.ConfigProvider,
  requestLog: Layer.Layer<RequestLog>
): Layer.Layer<AgentRouter | RequestLog, ConfigError.ConfigError | AliasCollision> => {
  const base = Layer.merge(AppConfig.Live.pipe(Layer.provide(Layer.setConfigProvider(config))), platform)
  const core = Layer.mergeAll(AgentRegistry.Live, AgentGateway.Live, RequestEnricher.Live).pipe(Layer.provideMerge(base))
  const services = Layer.mergeAll(Diagnostics.Live, Authenticator.Live).pipe(Layer.provideMerge(core))
  const pages = OwnPages.Live.pipe(Layer.provideMerge(services))
  const logging = RequestLoggerLive.pipe(Layer.provideMerge(requestLog))
  return AgentRouter.Live.pipe(Layer.provide(pages), Layer.provideMerge(logging))
}
