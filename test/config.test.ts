/** The shipped configuration agrees with itself and with the pinned versions. */
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"

const toml = readFileSync(new URL("../wrangler.toml", import.meta.url), "utf8")
const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  dependencies: Record<string, string>
}
const value = (pattern: RegExp) => pattern.exec(toml)?.[1]

describe("wrangler.toml", () => {
  it("defines the build facts /_diagnostics reports, equal to their sources", () => {
    expect(value(/^__AGENTS_SDK_VERSION__ = '"([^"]+)"'$/m)).toBe(pkg.dependencies["agents"])
    expect(value(/^__COMPATIBILITY_DATE__ = '"([^"]+)"'$/m)).toBe(value(/^compatibility_date = "([^"]+)"$/m))
  })

  it("keeps the compatibility date within the pinned workerd (1.20260426)", () => {
    expect((value(/^compatibility_date = "([^"]+)"$/m) ?? "9999") <= "2026-04-26").toBe(true)
  })

  it("ships diagnostics off and binds CoderAgent with a SQLite migration", () => {
    expect(toml).toMatch(/^DIAGNOSTICS = "false"$/m)
    expect(toml).toMatch(/name = "CoderAgent"\nclass_name = "CoderAgent"/)
    expect(toml).toMatch(/new_sqlite_classes = \["CoderAgent"\]/)
  })
})

describe("the shipped Worker", () => {
  it("depends on no test-only code: no src file imports from test/, and wrangler.toml binds no FaultAgent", () => {
    const sources = (dir: string): Array<string> =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? sources(join(dir, entry.name)) : [join(dir, entry.name)]
      )
    const src = new URL("../src", import.meta.url).pathname
    const offenders = sources(src).filter((file) => /from\s+["'][^"']*\/test\//.test(readFileSync(file, "utf8")))
    expect(offenders).toEqual([])
    expect(toml).not.toMatch(/FaultAgent/)
  })
})
