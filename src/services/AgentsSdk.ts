/**
 * The two pieces of the `agents` SDK the router relies on, as a service: its routing function and its
 * binding-to-URL-name mapping. The SDK's entry point loads only inside workerd: Node tests and benchmarks
 * get the same two functions from its Node-loadable modules (the `agents` alias in vite.config.ts).
 */
import { camelCaseToKebabCase, routeAgentRequest } from "agents"
import { Context, Layer } from "effect"
import type { Placement } from "../domain/Placement.js"

/** `routeAgentRequest` as the router calls it. Resolves to `null` when the path does not match. */
export type RouteAgentRequest = (
  request: Request,
  env: object,
  options: {
    readonly prefix: string
    readonly routingRetry: false
    /** Called with the SDK's own mutable copy of the request before it is sent (HTTP / WebSocket). */
    readonly onBeforeRequest: (request: Request) => void
    readonly onBeforeConnect: (request: Request) => void
  } & Placement
) => Promise<Response | null>

/** The SDK's routing function and URL-name mapping. */
export class AgentsSdk extends Context.Tag("app/AgentsSdk")<
  AgentsSdk,
  {
    readonly routeAgentRequest: RouteAgentRequest
    readonly toUrlName: (binding: string) => string
  }
>() {
  /** The real `agents` package. */
  static readonly Live = Layer.succeed(AgentsSdk, {
    routeAgentRequest: (request, env, options) => routeAgentRequest(request, env, options),
    toUrlName: camelCaseToKebabCase
  })
}
