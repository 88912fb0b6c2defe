/** The SDK's own `AgentClient` pointed at a local Worker, as a Node 20 user would build it. */
import { AgentClient } from "agents/client"
import WebSocket from "ws"

/**
 * An `AgentClient` for the CoderAgent instance `name`, with `query` parameters (a token, as browsers pass
 * it); Node 20 has no global WebSocket, so `ws` is passed.
 */
export const coderClient = (worker: { readonly origin: string }, name: string, query?: Record<string, string>) =>
  new AgentClient({
    agent: "CoderAgent",
    name,
    ...(query === undefined ? {} : { query }),
    host: worker.origin.replace("http://", ""),
    protocol: "ws",
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket
  })
