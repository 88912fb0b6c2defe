/**
 * The measuring stick for `npm run bench`: the same CoderAgent routed by the bare SDK, as the SDK's README
 * shows (`routeAgentRequest` alone). Not a product path.
 */
import { routeAgentRequest } from "agents"

export { CoderAgent } from "../../src/agents/coder/CoderAgent.js"

export default {
  fetch: async (request, env) =>
    (await routeAgentRequest(request, env)) ?? new Response("Not found", { status: 404 })
} satisfies ExportedHandler<Record<string, unknown>>
