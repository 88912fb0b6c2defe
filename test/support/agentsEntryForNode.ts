/**
 * The `agents` entry point as Node tests and benchmarks load it: the SDK's own routing function and
 * URL-name mapping, from its modules that load outside workerd (the full entry imports `cloudflare:`
 * modules). vite.config.ts aliases the bare `agents` import here; shipped code imports the real entry.
 */
export { routeAgentRequest } from "agents/routing"
export { camelCaseToKebabCase } from "../../node_modules/agents/dist/utils.js"
/** A stand-in for the SDK's `Agent` base class: Node tests only ask which classes extend it. */
export class Agent<_Env = unknown> {}
