/**
 * The Worker entry: the handler built once per isolate, `env` and `ctx` passed per request, and the
 * Durable Object classes re-exported so wrangler can bind them.
 */
import { handlerCache } from "./layers/Handler.js"
import { AgentsSdkLive } from "./layers/AgentsSdkLive.js"

export { CoderAgent } from "./agents/CoderAgent.js"

const fetch = handlerCache(AgentsSdkLive)

export default {
  fetch: (request, env, ctx) => fetch(request, env, ctx)
} satisfies ExportedHandler<Record<string, unknown>>
