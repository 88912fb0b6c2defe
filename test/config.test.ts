/** The shipped configuration agrees with itself and with the pinned versions. */
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"

const read = (path: string) => readFileSync(join(import.meta.dirname, path), "utf8")
const toml = read("../wrangler.toml")
const pkg = JSON.parse(read("../package.json")) as { dependencies: Record<string, string> }
// workerd 1.YYYYMMDD.N supports compatibility dates up to YYYY-MM-DD.
const workerdDate = ((JSON.parse(read("../node_modules/workerd/package.json")) as { version: string }).version.split(".")[1] ?? "")
  .replace(/^(\d{4})(\d{2})(\d{2})$/, "$1-$2-$3")
const value = (pattern: RegExp) => pattern.exec(toml)?.[1]

describe("wrangler.toml", () => {
  it("defines the build facts /_diagnostics reports, equal to their sources", () => {
    expect(value(/^__AGENTS_SDK_VERSION__ = '"([^"]+)"'$/m)).toBe(pkg.dependencies["agents"])
    expect(value(/^__COMPATIBILITY_DATE__ = '"([^"]+)"'$/m)).toBe(value(/^compatibility_date = "([^"]+)"$/m))
  })

  it("keeps the compatibility date within the workerd that wrangler installs", () => {
    expect(workerdDate).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    expect((value(/^compatibility_date = "([^"]+)"$/m) ?? "9999") <= workerdDate).toBe(true)
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
    const src = join(import.meta.dirname, "../src")
    const offenders = sources(src).filter((file) => /from\s+["'][^"']*\/test\//.test(readFileSync(file, "utf8")))
    expect(offenders).toEqual([])
    expect(toml).not.toMatch(/FaultAgent/)
  })
})
