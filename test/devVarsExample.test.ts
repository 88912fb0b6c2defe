/** `.dev.vars.example` lists every var the Worker reads with `Config`, so a newcomer sees them all in one place. */
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"

const root = join(import.meta.dirname, "..")
const sources = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : [join(dir, e.name)]))

describe(".dev.vars.example", () => {
  it("names every var read through Config in src/", () => {
    const read = new Set(
      sources(join(root, "src")).flatMap((file) =>
        [...readFileSync(file, "utf8").matchAll(/(?:Config\.(?:string|integer|redacted|url|boolean)|positiveInt|placementList)\("([A-Z][A-Z0-9_]+)"/g)].map((m) => m[1] ?? "")
      )
    )
    expect(read.size).toBeGreaterThan(25)
    const example = readFileSync(join(root, ".dev.vars.example"), "utf8")
    expect([...read].filter((name) => !new RegExp(`^# ${name}=`, "m").test(example))).toEqual([])
  })
})
