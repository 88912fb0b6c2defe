/** The `AgentsSdk` service over the real `agents` package (loads only inside workerd). */
import { camelCaseToKebabCase, routeAgentRequest } from "agents"
import { Layer } from "effect"
import { AgentsSdk } from "../services/AgentsSdk.js"

/** The SDK's own routing function and URL-name mapping. */
export const AgentsSdkLive = Layer.succeed(AgentsSdk, {
  routeAgentRequest: (request, env, options) => routeAgentRequest(request, env, options),
  toUrlName: camelCaseToKebabCase
})
