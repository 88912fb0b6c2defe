/** The plain description served at `/`, so a person who opens the Worker's URL learns what it is. */
import { spellingsOf, type AgentCatalog } from "./AgentCatalog.js"
import { agentUrlTemplate } from "./Route.js"

/** The index text: what the service does and the URL of each declared agent, with accepted spellings. */
export const indexText = (catalog: AgentCatalog, prefix: string): string => {
  const agents = catalog.agents.map((agent) => {
    const others = spellingsOf(agent).filter((spelling) => spelling !== agent.publicName && spelling !== agent.className)
    return `  ${agentUrlTemplate(prefix, agent.publicName)}   ${agent.className}${others.length === 0 ? "" : ` (also: ${others.join(", ")})`}`
  })
  return [
    "agents-edge-router: routes WebSocket and HTTP clients to Cloudflare Agents.",
    "",
    "Agent URLs (WebSocket or HTTP):",
    ...(agents.length === 0 ? ["  none declared"] : agents),
    "",
    "Agent names are case-, hyphen- and underscore-insensitive. Errors are answered as",
    "application/problem+json when the client accepts JSON, otherwise as text/plain.",
    ""
  ].join("\n")
}
