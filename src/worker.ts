/**
 * The Worker entry: the handler built once per isolate, `env` and `ctx` passed per request, and the agent
 * classes exported so wrangler can bind them. To add an agent, export its class here and bind it in
 * wrangler.toml (README, "Add your own agent"): the router finds it among this module's exports.
 */
import { entryWorker } from "./agents/AgentClasses.js"
// This module's own exports: the agent classes among them (see `entryWorker`).
import * as entry from "./worker.js"

export { CoderAgent } from "./agents/coder/CoderAgent.js"

const worker: ExportedHandler<Record<string, unknown>> = entryWorker(entry)

export default worker
