/**
 * The two pieces of the `agents` SDK the router relies on, as a service: its routing function and its
 * binding-to-URL-name mapping. `Live` imports the SDK when it is built, because the SDK's entry point loads
 * only inside workerd; Node tests provide the same functions from the SDK's routing module.
 */
import { Context, Effect, Layer } from "effect"

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
  }
) => Promise<Response | null>

/** The SDK's routing function and URL-name mapping. */
export class AgentsSdk extends Context.Tag("app/AgentsSdk")<
  AgentsSdk,
  {
    readonly routeAgentRequest: RouteAgentRequest
    readonly toUrlName: (binding: string) => string
  }
>() {
  /** The real `agents` package (bundled by wrangler; imported once, when the layer is built). */
  static readonly Live = Layer.effect(
    AgentsSdk,
    Effect.promise(() => import("agents")).pipe(
      Effect.map(
        (sdk): AgentsSdk["Type"] => ({
          routeAgentRequest: (request, env, options) => sdk.routeAgentRequest(request, env, options),
          toUrlName: sdk.camelCaseToKebabCase
        })
      )
    )
  )
}
