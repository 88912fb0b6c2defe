import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { describe, expect, it } from "vitest"
import {
  AuthUnavailable,
  Forbidden,
  InvalidRoute,
  InvalidRouteRule,
  MissingBinding,
  PreflightRejected,
  RateLimited,
  RouteNotFound,
  type RouterError,
  RoutingFailed,
  RoutingFailedReason,
  Unauthorized,
  UnauthorizedReason,
  UpgradeRejected,
  UpgradeRejectedReason
} from "../src/domain/Errors.js"
import { DefectReason, Outcome } from "../src/domain/LogEvent.js"
import { problemFor } from "../src/domain/Problem.js"

const doc = readFileSync(resolve(import.meta.dirname, "../docs/logging.md"), "utf8")

/** The row of the outcomes table for `outcome`. */
const rowOf = (outcome: string) => doc.split("\n").find((line) => line.startsWith(`| \`${outcome}\` |`))

/** One error per reason the pipeline can answer with. */
const everyError: ReadonlyArray<RouterError> = [
  new RouteNotFound({ path: "/x", known: [] }),
  new RouteNotFound({ path: "/agents/x/y", agent: "x", known: [] }),
  ...InvalidRouteRule.literals.map((rule) => new InvalidRoute({ rule, agent: "CoderAgent" })),
  ...UpgradeRejectedReason.literals.map((reason) => new UpgradeRejected({ reason })),
  new PreflightRejected({ origin: "https://evil.example" }),
  ...UnauthorizedReason.literals.map((reason) => new Unauthorized({ reason })),
  new Forbidden({ agent: "CoderAgent", instance: "bob", user: "alice" }),
  new RateLimited({ address: "192.0.2.1" }),
  new AuthUnavailable({ cause: "c" }),
  new MissingBinding({ agent: "CoderAgent", binding: "CoderAgent" }),
  ...RoutingFailedReason.literals.map(
    (reason) => new RoutingFailed({ agent: "CoderAgent", instance: "i", reason, attempts: 1, cause: "c" })
  )
]

describe("docs/logging.md", () => {
  it("lists every outcome", () => {
    for (const outcome of Outcome.literals) expect(rowOf(outcome), outcome).toBeDefined()
  })

  it("lists every reason in its outcome's row, defects included", () => {
    for (const error of everyError) expect(rowOf(error._tag), error._tag).toContain(`\`${problemFor(error, "agents").reason}\``)
    for (const reason of DefectReason.literals) expect(rowOf("Defect")).toContain(`\`${reason}\``)
  })
})
