/** The SDK's own `AgentClient` pointed at a local Worker, as a Node 24 user builds it (its global WebSocket). */
import { AgentClient } from "agents/client"

/**
 * An `AgentClient` for the CoderAgent instance `name`, with `query` parameters (a token, as browsers pass
 * it).
 */
export const coderClient = (worker: { readonly origin: string }, name: string, query?: Record<string, string>) =>
  new AgentClient({
    agent: "CoderAgent",
    name,
    ...(query === undefined ? {} : { query }),
    host: worker.origin.replace("http://", ""),
    protocol: "ws"
  })
