/**
 * The seed document's fix, the peer `npm run bench` compares against: copy the request with the partykit
 * room headers the old SDK wanted, `routeAgentRequest({ cors: true, prefix })`, a `console.log` per step, and
 * a 503 with the seed's sentence when anything throws. Written as the seed wrote it; not a product path.
 */
import { routeAgentRequest } from "agents"

export { CoderAgent } from "../../src/agents/coder/CoderAgent.js"

export default {
  fetch: async (request, env) => {
    const url = new URL(request.url)
    console.log(`[router] ${request.method} ${url.pathname}`)
    try {
      const [, , agent, room] = url.pathname.split("/")
      const headers = new Headers(request.headers)
      if (agent !== undefined && room !== undefined) {
        headers.set("x-partykit-namespace", agent)
        headers.set("x-partykit-room", room)
      }
      console.log(`[router] routing to ${agent ?? "?"}/${room ?? "?"}`)
      const response = await routeAgentRequest(new Request(request, { headers }), env, { cors: true, prefix: "agents" })
      if (response !== null) {
        console.log(`[router] routed: ${response.status}`)
        return response
      }
      console.log("[router] no agent matched")
      return new Response("Not found", { status: 404 })
    } catch (error) {
      console.log(`[router] failed: ${String(error)}`)
      return new Response("The CoderAgent is experiencing connection issues. Please try again later.", { status: 503 })
    }
  }
} satisfies ExportedHandler<Record<string, unknown>>
