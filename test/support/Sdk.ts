/**
 * The SDK's real routing function and URL-name mapping for Node tests. The `agents` entry point only
 * loads inside workerd, so these come from its routing module directly (it imports nothing but utils).
 */
import { Layer } from "effect"
import { routeAgentRequest } from "../../node_modules/agents/dist/agent-routing.js"
import { camelCaseToKebabCase } from "../../node_modules/agents/dist/utils.js"
import { AgentsSdk } from "../../src/services/AgentsSdk.js"

export { camelCaseToKebabCase, routeAgentRequest }

/** `AgentsSdk` over the real SDK functions. */
export const AgentsSdkTest = Layer.succeed(AgentsSdk, {
  routeAgentRequest: (request, env, options) => routeAgentRequest(request, env, options),
  toUrlName: camelCaseToKebabCase
})
