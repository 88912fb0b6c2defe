/**
 * The Worker entry: the handler built once per isolate, `env` and `ctx` passed per request, and the
 * Durable Object classes re-exported so wrangler can bind them.
 */
import { Layer } from "effect"
import { CoderAgent } from "./agents/CoderAgent.js"
import { handlerCache } from "./layers/WorkerRuntime.js"
import { AgentsSdk } from "./services/AgentsSdk.js"
import { BuildInfo } from "./services/BuildInfo.js"
import { SocketRefusal } from "./services/SocketRefusal.js"

/** The Durable Object classes this Worker exports (wrangler binds them; /_diagnostics checks them). */
const agentClasses = { CoderAgent }

export { CoderAgent }

const fetch = handlerCache(Layer.mergeAll(AgentsSdk.Live, BuildInfo.layer(agentClasses), SocketRefusal.Live))

export default {
  fetch: (request, env, ctx) => fetch(request, env, ctx)
} satisfies ExportedHandler<Record<string, unknown>>
