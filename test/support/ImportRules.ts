/**
 * The one direction imports run in (README, Layout), as dependency-cruiser rules: `src/domain` imports
 * only `src/domain`; `src/services` imports domain and services; `src/layers` wires services; `src/agents`
 * and `src/worker.ts` are the entry points nothing else imports; shipped code imports no test code. Two
 * wings: the router never imports CoderAgent's (`coder/` folders), which uses only its own and shared modules.
 */
import type { IForbiddenRuleType } from "dependency-cruiser"

/** Forbidden imports, by the folder of the importing file. Paths are relative to the cruised root. */
export const importRules: ReadonlyArray<IForbiddenRuleType> = [
  {
    name: "domain-imports-only-domain",
    comment: "src/domain is pure values and functions: it may import only src/domain (and npm packages).",
    severity: "error",
    from: { path: "^src/domain/" },
    to: { path: "^src/", pathNot: "^src/domain/" }
  },
  {
    name: "services-import-domain-and-services",
    comment: "A service may use the domain and other services, never the wiring or the entry points.",
    severity: "error",
    from: { path: "^src/services/" },
    to: { path: "^src/", pathNot: "^src/(domain|services)/" }
  },
  {
    name: "layers-wire-services",
    comment: "src/layers wires domain and services; the entry points (agents, worker.ts) import it, not the reverse.",
    severity: "error",
    from: { path: "^src/layers/" },
    to: { path: "^src/(agents/|worker\\.ts$)" }
  },
  {
    name: "agents-are-entry-points",
    comment: "Agent classes are entry points like src/worker.ts, which re-exports them; they never import it.",
    severity: "error",
    from: { path: "^src/agents/" },
    to: { path: "^src/worker\\.ts$" }
  },
  {
    name: "no-test-code-shipped",
    comment: "The Worker bundle must not depend on tests, benchmarks or scripts.",
    severity: "error",
    from: { path: "^src/" },
    to: { path: "^(test|bench|scripts)/" }
  },
  {
    name: "router-never-imports-coder",
    comment: "The router (domain, services, layers outside coder/) works without CoderAgent: it imports no coder code.",
    severity: "error",
    from: { path: "^src/(domain|services|layers)/", pathNot: "/coder/" },
    to: { path: "^src/[^/]+/coder/" }
  },
  {
    name: "coder-imports-coder-or-shared",
    comment:
      "CoderAgent's wing (domain/coder, services/coder, agents/coder) uses only its own modules and the shared ones: config helpers, logging, headers, the Worker's types, the connection log, the request-id echo.",
    severity: "error",
    from: { path: "^src/(domain|services|agents)/coder/" },
    to: {
      path: "^src/",
      pathNot:
        "^src/((domain|services|agents)/coder/|domain/(Clip|Headers|LogEvent|LogLine|Worker)\\.ts$|services/Settings\\.ts$|layers/(Logging|WorkerVars)\\.ts$|agents/(AgentLog|ConnectionLog|RequestIdEcho)\\.ts$)"
    }
  },
  {
    name: "no-cycles",
    comment: "Imports form no cycle inside src; an entry module reading its own exports (`import * as entry`) is not one.",
    severity: "error",
    from: { path: "^(src/.+)$" },
    to: { path: "^src/", pathNot: "^$1$", circular: true }
  }
]
