/**
 * The SDK's real routing function and URL-name mapping for Node tests. The `agents` entry point only
 * loads inside workerd, so these come from its routing module directly (it imports nothing but utils).
 */
import { Layer } from "effect"
import { routeAgentRequest } from "../../node_modules/agents/dist/agent-routing.js"
import { camelCaseToKebabCase } from "../../node_modules/agents/dist/utils.js"
import { AgentsSdk } from "../../src/services/AgentsSdk.js"
import { BuildInfo } from "../../src/services/BuildInfo.js"
import { SocketRefusal } from "../../src/services/SocketRefusal.js"

export { camelCaseToKebabCase, routeAgentRequest }

/** `AgentsSdk` over the real SDK functions. */
export const AgentsSdkTest = Layer.succeed(AgentsSdk, {
  routeAgentRequest: (request, env, options) => routeAgentRequest(request, env, options),
  toUrlName: camelCaseToKebabCase
})

/** Build facts as the test bundle would have them. */
export const BuildInfoTest = Layer.succeed(BuildInfo, {
  agentsSdkVersion: "0.32.0",
  compatibilityDate: "2026-11-17",
  exportedClasses: ["CoderAgent"]
})

/** The platform layer for Node tests: the real SDK routing, test build facts, refusals as 299 answers. */
export const PlatformTest = Layer.mergeAll(AgentsSdkTest, BuildInfoTest, SocketRefusal.Test)
