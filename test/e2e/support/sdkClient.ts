/** The SDK's own `AgentClient` pointed at a local Worker, as a Node 20 user would build it. */
import { AgentClient } from "agents/client"
import WebSocket from "ws"

/** An `AgentClient` for the CoderAgent instance `name` (Node 20 has no global WebSocket: `ws` is passed). */
export const coderClient = (worker: { readonly origin: string }, name: string) =>
  new AgentClient({
    agent: "CoderAgent",
    name,
    host: worker.origin.replace("http://", ""),
    protocol: "ws",
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket
  })
